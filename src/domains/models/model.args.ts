import { ArgsType, Field, ID, Int } from 'type-graphql';
import { JSONObjectScalar } from '../../graphql/scalars';
import { Algorithm, ModelMetric, ModelStatus } from './model.type';

@ArgsType()
export class ModelRunsArgs {
  @Field(() => ID, { nullable: true, description: 'Only the runs of this dataset' })
  datasetId?: string | null;

  @Field(() => ModelStatus, { nullable: true })
  status?: ModelStatus | null;

  @Field(() => Int, { nullable: true, defaultValue: 50, description: '1 to 500; newest first' })
  limit?: number | null;
}

@ArgsType()
export class DatasetModelRunsArgs {
  @Field(() => Int, { nullable: true, defaultValue: 50, description: '1 to 500; newest first' })
  limit?: number | null;
}

@ArgsType()
export class TrainModelArgs {
  @Field(() => ID)
  datasetId!: string;

  @Field({ description: 'The column to predict: 2 to 50 distinct values' })
  target!: string;

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
  @Field(() => Int, { nullable: true, description: 'The most important N features; null for all' })
  topN?: number | null;
}

@ArgsType()
export class CompareModelsArgs {
  @Field(() => [ID], { description: '1 to 50 model run ids; order and repeats do not matter' })
  ids!: string[];

  @Field(() => ModelMetric, { nullable: true, defaultValue: ModelMetric.ACCURACY })
  metric?: ModelMetric | null;
}

@ArgsType()
export class PredictArgs {
  @Field(() => ID)
  modelRunId!: string;

  @Field(() => JSONObjectScalar, {
    description: "Exactly the run's features: numbers for NUMBER, ISO dates for DATE, booleans for BOOLEAN, strings for STRING columns",
  })
  input!: Record<string, unknown>;
}
