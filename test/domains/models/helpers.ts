import type { Database } from '../../../src/db/database';
import type { CellValue, ColumnType, Table } from '../../../src/domains/datasets/table';
import { trainModel, type Algorithm, type TrainedModel } from '../../../src/domains/models/training';
import { ModelRunStatusDocument, type ModelStatus } from '../../generated/graphql';
import { vegaTable } from '../../helpers/datasets';
import type { TestGateway } from '../../helpers/gateway';

/** cars: target Origin, its numeric columns as features. */
export const CARS_FEATURES = ['Miles_per_Gallon', 'Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration'];
/** What validateTrainingRequest picks for penguins → Species when no features are named. */
export const PENGUIN_FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];

export const cars = (): Table => vegaTable('cars.json');
export const penguins = (): Table => vegaTable('penguins.json');

export interface DatasetCase {
  name: string;
  table: () => Table;
  target: string;
  features: string[];
}

export const DATASETS: DatasetCase[] = [
  { name: 'cars', table: cars, target: 'Origin', features: CARS_FEATURES },
  { name: 'penguins', table: penguins, target: 'Species', features: PENGUIN_FEATURES },
];

const trained = new Map<string, TrainedModel>();

/** Trains once per dataset, algorithm and seed within a test file: a forest takes about a second. */
export function trainedOn(dataset: DatasetCase, algorithm: Algorithm, seed = 42): TrainedModel {
  const key = `${dataset.name}/${algorithm}/${seed}`;
  let model = trained.get(key);
  if (!model) {
    model = trainModel(dataset.table(), { target: dataset.target, features: dataset.features, algorithm, seed });
    trained.set(key, model);
  }
  return model;
}

/** Row r of the table as a prediction input over `features`. */
export function rowInput(table: Table, features: string[], r: number): Record<string, CellValue> {
  return Object.fromEntries(features.map((f) => [f, table.data[table.columns.findIndex((c) => c.name === f)][r]]));
}

/** Row indices whose target and features are all non-null. */
export function completeRows(table: Table, columns: string[]): number[] {
  const idx = columns.map((name) => table.columns.findIndex((c) => c.name === name));
  return Array.from({ length: table.rowCount }, (_, r) => r).filter((r) => idx.every((c) => table.data[c][r] !== null));
}

/** A copy of the table with one more column. */
export function withColumn(table: Table, name: string, type: ColumnType, cells: CellValue[]): Table {
  return { columns: [...table.columns, { name, type }], data: [...table.data, cells], rowCount: table.rowCount };
}

/** The confusion matrix's trace over its total: what accuracy must be. */
export function accuracyOf(confusion: number[][]): number {
  const total = confusion.flat().reduce((a, b) => a + b, 0);
  const trace = confusion.reduce((a, row, i) => a + row[i], 0);
  return trace / total;
}

const FINISHED: ModelStatus[] = ['COMPLETED', 'FAILED'];

/**
 * Polls modelRun(id) { status } until it is one of `until`, then waits for the relay to apply
 * what that change committed; fails with the last status seen after timeoutMs.
 */
export async function waitForRun(gw: TestGateway, id: string, until: ModelStatus[] = FINISHED, timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const r = await gw.gql(ModelRunStatusDocument, { id });
    last = r.errors ?? r.data?.modelRun;
    const run = r.data?.modelRun;
    if (run && until.includes(run.status)) {
      // The status comes from the database; the tags its commit changed reach the cache through
      // the relay a moment later, and a cached read made before then is stale at once (CI of
      // a7ce1dd: a comparison cached right after COMPLETED was a miss when read again).
      await gw.settled();
      return run;
    }
    if (Date.now() > deadline) throw new Error(`model run ${id} did not reach ${until.join(' or ')}; last seen ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface InsertedRun {
  datasetId: string;
  status: ModelStatus;
  algorithm?: string;
  target: string;
  features: string[];
  attempts?: number;
  error?: string;
  /** TRAINING runs: 'fresh' as if a live trainer held it, 'none' as if its gateway died before a heartbeat. */
  heartbeat?: 'fresh' | 'none';
}

/** Writes a model_run row directly, as another (or an earlier) gateway would have left it. */
export async function insertRun(db: Database, run: InsertedRun): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO model_run (dataset_id, name, algorithm, target, features, seed, status, attempts, error, started_at, heartbeat_at, completed_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, 7, $6, $7, $8,
             CASE WHEN $6 = 'QUEUED' THEN NULL ELSE now() END,
             CASE WHEN $9 THEN now() ELSE NULL END,
             CASE WHEN $6 IN ('COMPLETED', 'FAILED') THEN now() ELSE NULL END)
     RETURNING id`,
    [
      Number(run.datasetId),
      `${run.algorithm ?? 'DECISION_TREE'} (inserted by the test)`,
      run.algorithm ?? 'DECISION_TREE',
      run.target,
      JSON.stringify(run.features),
      run.status,
      run.attempts ?? (run.status === 'QUEUED' ? 0 : 1),
      run.error ?? null,
      run.heartbeat === 'fresh',
    ],
  );
  return row.id;
}
