import { ArgsType, Field, ID, Int } from 'type-graphql';
import { VisualizationKind } from './dataset.type';

@ArgsType()
export class DatasetsArgs {
  @Field(() => Int, { nullable: true, defaultValue: 50 })
  limit?: number | null;

  @Field(() => Int, { nullable: true, defaultValue: 0 })
  offset?: number | null;
}

@ArgsType()
export class VisualizationArgs {
  @Field(() => VisualizationKind)
  kind!: VisualizationKind;

  @Field()
  column!: string;

  @Field(() => String, { nullable: true })
  column2?: string | null;

  @Field(() => Int, { nullable: true, description: 'HISTOGRAM bins, 1 to 200 (default 20)' })
  bins?: number | null;
}

@ArgsType()
export class CreateDatasetArgs {
  @Field()
  name!: string;

  @Field({ description: 'CSV text with a header row, at most 50 MB' })
  csv!: string;
}

@ArgsType()
export class AppendDatasetRowsArgs {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'CSV text with the same columns as the dataset (any order)' })
  csv!: string;
}
