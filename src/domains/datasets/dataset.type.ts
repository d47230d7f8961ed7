import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONScalar } from '../../graphql/scalars';
import { MAX_CORRELATED_COLUMNS } from './compute/eda';
import type { ColumnType as ColumnTypeName } from './table';

export enum ColumnType {
  NUMBER = 'NUMBER',
  STRING = 'STRING',
  DATE = 'DATE',
  BOOLEAN = 'BOOLEAN',
}
registerEnumType(ColumnType, { name: 'ColumnType', description: 'The type inferred for a column from its values' });

export enum VisualizationKind {
  HISTOGRAM = 'HISTOGRAM',
  SCATTER = 'SCATTER',
  BAR = 'BAR',
}
registerEnumType(VisualizationKind, { name: 'VisualizationKind' });

@ObjectType()
export class DatasetColumn {
  @Field()
  name!: string;

  @Field(() => ColumnType)
  type!: ColumnTypeName;
}

/** A dataset row as stored: the resolver-facing parent of every Dataset field. */
@ObjectType({ description: 'A table of data: a vega-datasets file loaded at first start, or an uploaded CSV' })
export class Dataset {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true, description: 'Where the data came from, e.g. vega-datasets/cars.json or upload' })
  source!: string | null;

  @Field(() => Int)
  rowCount!: number;

  @Field(() => [DatasetColumn])
  columns!: DatasetColumn[];

  createdAt!: Date;
  updatedAt!: Date;
  /** Who created it (null: the system); not in the schema, see src/domains/ownership.ts. */
  owner!: string | null;
}

@ObjectType()
export class ColumnStatistics {
  @Field() column!: string;
  @Field(() => Int, { description: 'Non-null values' }) count!: number;
  @Field(() => Int) nullCount!: number;
  @Field(() => Int, { description: 'Distinct non-null values' }) distinct!: number;
  @Field(() => Float, { nullable: true }) mean!: number | null;
  @Field(() => Float, { nullable: true, description: 'Sample standard deviation (n - 1)' }) std!: number | null;
  @Field(() => Float, { nullable: true }) min!: number | null;
  @Field(() => Float, { nullable: true }) max!: number | null;
  @Field(() => Float, { nullable: true, description: 'Percentiles with linear interpolation, as numpy does by default' }) p25!: number | null;
  @Field(() => Float, { nullable: true }) p50!: number | null;
  @Field(() => Float, { nullable: true }) p75!: number | null;
}

@ObjectType()
export class Correlation {
  @Field() a!: string;
  @Field() b!: string;
  @Field(() => Float, { nullable: true, description: 'Pearson r over rows where both columns are present' }) r!: number | null;
}

@ObjectType()
export class MissingValues {
  @Field() column!: string;
  @Field(() => Int) count!: number;
}

@ObjectType()
export class OutlierSummary {
  @Field() column!: string;
  @Field(() => Int) count!: number;
  @Field(() => Float, { description: 'p25 - 1.5 IQR' }) lower!: number;
  @Field(() => Float, { description: 'p75 + 1.5 IQR' }) upper!: number;
}

@ObjectType()
export class EdaReport {
  @Field(() => [Correlation], {
    description: `Pearson r for every pair of the first ${MAX_CORRELATED_COLUMNS} NUMBER columns (in column order): pairs grow with the square of the columns, so wider tables are not correlated past them`,
  })
  correlations!: Correlation[];
  @Field(() => [MissingValues]) missing!: MissingValues[];
  @Field(() => [OutlierSummary]) outliers!: OutlierSummary[];
}

@ObjectType()
export class Visualization {
  @Field(() => VisualizationKind) kind!: VisualizationKind;
  @Field() column!: string;
  @Field(() => String, { nullable: true }) column2!: string | null;
  @Field(() => JSONScalar, {
    description: 'HISTOGRAM: { bins: [{ x0, x1, count }] }; SCATTER: { points: [{ x, y }], total }; BAR: { bars: [{ category, count }], otherCount }',
  })
  data!: unknown;
}
