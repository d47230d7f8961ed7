import { IsInt, Max, Min } from 'class-validator';
import { ArgsType, Field, ID, Int } from 'type-graphql';
import { MAX_STRING_LENGTH, PageSize, SerialId, Text } from '../../graphql/arg-bounds';
import { MAX_PAGE_SIZE } from '../paging';
import { VisualizationKind } from './dataset.type';

/** Rows skipped by a page: beyond this a client should filter, not page. */
const MAX_OFFSET = 1_000_000;
/** HISTOGRAM bins. */
const MAX_BINS = 200;
/** A dataset's or recording's name (the service trims and checks it again). */
export const MAX_NAME_LENGTH = 200;
/** CSV text: 50 MiB is the largest byte limit the service may check (DATASET_MAX_CSV_BYTES); no string of more characters can fit it. */
const MAX_CSV_CHARACTERS = 50 * 1024 * 1024;

/** A dataset looked up, deleted or invalidated by id. */
@ArgsType()
export class DatasetIdArgs {
  @SerialId()
  @Field(() => ID)
  id!: string;
}

@ArgsType()
export class DatasetsArgs {
  @PageSize(MAX_PAGE_SIZE)
  @Field(() => Int, { nullable: true, defaultValue: 50 })
  limit?: number | null;

  @IsInt()
  @Min(0, { message: ({ value }) => `offset must be 0 or more, got ${value}` })
  @Max(MAX_OFFSET, { message: ({ value }) => `offset must be at most ${MAX_OFFSET}, got ${value}` })
  @Field(() => Int, { nullable: true, defaultValue: 0 })
  offset?: number | null;
}

@ArgsType()
export class VisualizationArgs {
  @Field(() => VisualizationKind)
  kind!: VisualizationKind;

  @Text(MAX_STRING_LENGTH)
  @Field()
  column!: string;

  @Text(MAX_STRING_LENGTH)
  @Field(() => String, { nullable: true })
  column2?: string | null;

  @IsInt()
  @Min(1, { message: ({ value }) => `bins must be from 1 to ${MAX_BINS}, got ${value}` })
  @Max(MAX_BINS, { message: ({ value }) => `bins must be from 1 to ${MAX_BINS}, got ${value}` })
  @Field(() => Int, { nullable: true, description: 'HISTOGRAM bins, 1 to 200 (default 20)' })
  bins?: number | null;
}

@ArgsType()
export class CreateDatasetArgs {
  @Text(MAX_NAME_LENGTH)
  @Field()
  name!: string;

  @Text(MAX_CSV_CHARACTERS)
  @Field({
    description: 'CSV text with a header row: at most 50 MiB and 1,000 columns by default (the settings DATASET_MAX_CSV_BYTES, DATASET_MAX_COLUMNS)',
  })
  csv!: string;
}

@ArgsType()
export class AppendDatasetRowsArgs {
  @SerialId()
  @Field(() => ID)
  id!: string;

  @Text(MAX_CSV_CHARACTERS)
  @Field({ description: 'CSV text with the same columns as the dataset (any order)' })
  csv!: string;
}
