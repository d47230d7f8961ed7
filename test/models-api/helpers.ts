import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { print, type ExecutionResult } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db/database';
import { parseCsvTable, tableFromRecords } from '../../src/domains/datasets/compute';
import { vegaDataPath } from '../../src/domains/datasets/dataset.seed';
import type { Table } from '../../src/domains/datasets/table';
import { createLogger } from '../../src/logger';
import { signToken } from '../../src/server/auth';
import { createGateway } from '../../src/server/gateway';
import { ModelRunStatusDocument, type ModelStatus } from '../generated/graphql';
import { TEST_JWT_SECRET, type TestGateway } from '../helpers/gateway';

export const CARS_FEATURES = ['Miles_per_Gallon', 'Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration'];
/** What validateTrainingRequest picks for penguins → Species when no features are named. */
export const PENGUIN_FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];

const tables = new Map<string, Table>();

/** A vega-datasets file as the seed loads it. */
export function vegaTable(file: string): Table {
  let table = tables.get(file);
  if (!table) {
    const text = readFileSync(vegaDataPath(file), 'utf8');
    table = file.endsWith('.csv') ? parseCsvTable(text, { maxBytes: Infinity }) : tableFromRecords(JSON.parse(text));
    tables.set(file, table);
  }
  return table;
}

/** Stores a vega dataset as the first-start seed does (same source), without seeding everything. */
export async function addVegaDataset(gw: TestGateway, file: string): Promise<string> {
  const dataset = await gw.gateway.services.datasets.insert(file.replace(/\.\w+$/, ''), `vega-datasets/${file}`, vegaTable(file));
  return dataset.id;
}

/** Row r of a table as a prediction input over `features`. */
export function rowInput(table: Table, features: string[], r: number): Record<string, unknown> {
  return Object.fromEntries(features.map((f) => [f, table.data[table.columns.findIndex((c) => c.name === f)][r]]));
}

const FINISHED: ModelStatus[] = ['COMPLETED', 'FAILED'];

/** Polls modelRun(id) { status } until it is one of `until`; fails with the last status seen after timeoutMs. */
export async function waitForRun(gw: TestGateway, id: string, until: ModelStatus[] = FINISHED, timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const r = await gw.gql(ModelRunStatusDocument, { id });
    last = r.errors ?? r.data?.modelRun;
    const run = r.data?.modelRun;
    if (run && until.includes(run.status)) return run;
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

/**
 * A gateway over an existing database, which close() leaves open: two of these in turn on one
 * database are a gateway and its restart.
 */
export async function startGatewayOn(db: Database, env: Record<string, string> = {}): Promise<TestGateway> {
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', ...env });
  const gateway = await createGateway({ config, logger: createLogger(config.LOG_LEVEL), db, seed: false });
  const port = await gateway.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    gateway,
    url,
    config,
    async gql<R, V>(doc: TypedDocumentNode<R, V>, variables?: V, opts: { token?: string; headers?: Record<string, string> } = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
        body: JSON.stringify({ query: print(doc), variables }),
      });
      return { ...((await res.json()) as ExecutionResult<R>), status: res.status };
    },
    token: (user, role = 'user') => signToken(TEST_JWT_SECRET, { id: user, role }),
    close: () => gateway.close(),
  };
}

/** The confusion matrix's trace over its total: what accuracy must be. */
export function accuracyOf(confusion: number[][]): number {
  const total = confusion.flat().reduce((a, b) => a + b, 0);
  const trace = confusion.reduce((a, row, i) => a + row[i], 0);
  return trace / total;
}
