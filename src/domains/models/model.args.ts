import { ArrayMaxSize, ArrayMinSize, IsInt, Min } from 'class-validator';
import { ArgsType, Field, ID, Int } from 'type-graphql';
import { MAX_LIST_LENGTH, PageSize, SerialId, Text, UuidId } from '../../graphql/arg-bounds';
import { JSONObjectScalar } from '../../graphql/scalars';
import { MAX_PAGE_SIZE } from '../paging';
import { Algorithm, ModelMetric, ModelStatus } from './model.type';

/** compareModels ranks at most this many runs (each one's held-out rows are scored). */
export const MAX_COMPARED_RUNS = 50;
/** A column name in a training request. */
const MAX_COLUMN_NAME_LENGTH = 1024;

/** A model run looked up, deleted or invalidated by id. */
@ArgsType()
export class ModelRunIdArgs {
  @UuidId()
  @Field(() => ID)
  id!: string;
}

@ArgsType()
export class ModelRunsArgs {
  @SerialId()
  @Field(() => ID, { nullable: true, description: 'Only the runs of this dataset' })
  datasetId?: string | null;

  @Field(() => ModelStatus, { nullable: true })
  status?: ModelStatus | null;

  @PageSize(MAX_PAGE_SIZE)
  @Field(() => Int, { nullable: true, defaultValue: 50, description: '1 to 500; newest first' })
  limit?: number | null;
}

@ArgsType()
export class DatasetModelRunsArgs {
  @PageSize(MAX_PAGE_SIZE)
  @Field(() => Int, { nullable: true, defaultValue: 50, description: '1 to 500; newest first' })
  limit?: number | null;
}

@ArgsType()
export class TrainModelArgs {
  @SerialId()
  @Field(() => ID)
  datasetId!: string;

  @Text(MAX_COLUMN_NAME_LENGTH)
  @Field({ description: 'The column to predict: 2 to 50 distinct values' })
  target!: string;

  @ArrayMaxSize(MAX_LIST_LENGTH, { message: `features takes at most ${MAX_LIST_LENGTH} columns` })
  @Text(MAX_COLUMN_NAME_LENGTH, { each: true })
  @Field(() => [String], {
    nullable: true,
    description: 'Columns to learn from; null or empty: every other usable column (numbers, dates, booleans, strings of at most 20 values)',
  })
  features?: string[] | null;

  @Field(() => Algorithm)
  algorithm!: Algorithm;
}

@ArgsType()
export class FeatureImportanceArgs {
  @IsInt({ message: 'topN must be 1 or more' })
  @Min(1, { message: ({ value }) => `topN must be 1 or more, got ${value}` })
  @Field(() => Int, { nullable: true, description: 'The most important N features; null for all' })
  topN?: number | null;
}

@ArgsType()
export class CompareModelsArgs {
  @ArrayMinSize(1, { message: 'compareModels needs at least one model run id' })
  @ArrayMaxSize(MAX_COMPARED_RUNS, {
    message: ({ value }) => `compareModels takes at most ${MAX_COMPARED_RUNS} model runs, got ${(value as unknown[]).length}`,
  })
  @UuidId({ each: true })
  @Field(() => [ID], { description: '1 to 50 model run ids; order and repeats do not matter' })
  ids!: string[];

  @Field(() => ModelMetric, { nullable: true, defaultValue: ModelMetric.ACCURACY })
  metric?: ModelMetric | null;
}

@ArgsType()
export class PredictArgs {
  @UuidId()
  @Field(() => ID)
  modelRunId!: string;

  @Field(() => JSONObjectScalar, {
    description: "Exactly the run's features: numbers for NUMBER, ISO dates for DATE, booleans for BOOLEAN, strings for STRING columns",
  })
  input!: Record<string, unknown>;
}
