import type { Queryable } from '../../db/database';
import type { Owner } from '../ownership';
import type { FeatureImportance, TrainedModel } from './training';
import type { Algorithm, ModelMetrics, ModelRun, ModelRunResults, ModelStatus } from './model.type';

interface ModelRunRow {
  id: string;
  dataset_id: number;
  name: string;
  algorithm: Algorithm;
  target: string;
  features: string[];
  status: ModelStatus;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  error: string | null;
  owner: Owner;
}

/** The entity columns: never the stored model (up to megabytes for a forest), metrics or importance. */
const COLUMNS = 'id, dataset_id, name, algorithm, target, features, status, created_at, started_at, completed_at, error, owner';

function toModelRun(r: ModelRunRow): ModelRun {
  return {
    id: r.id,
    name: r.name,
    algorithm: r.algorithm,
    datasetId: String(r.dataset_id),
    target: r.target,
    features: r.features,
    status: r.status,
    createdAt: r.created_at,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    error: r.error,
    owner: r.owner,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ids arrive from clients as strings; anything that is not a UUID cannot exist. Canonical form: lower case. */
export function parseModelRunId(id: string): string | undefined {
  const lower = id.trim().toLowerCase();
  return UUID.test(lower) ? lower : undefined;
}

export async function findModelRunsByIds(db: Queryable, ids: readonly string[]): Promise<Map<string, ModelRun>> {
  const valid = [...new Set(ids.map(parseModelRunId).filter((id): id is string => id !== undefined))];
  if (valid.length === 0) return new Map();
  const rows = await db.query<ModelRunRow>(`SELECT ${COLUMNS} FROM model_run WHERE id = ANY($1::uuid[])`, [valid]);
  return new Map(rows.map((r) => [r.id, toModelRun(r)]));
}

export async function listModelRuns(db: Queryable, filter: { datasetId?: number; status?: ModelStatus; limit: number }): Promise<ModelRun[]> {
  const rows = await db.query<ModelRunRow>(
    `SELECT ${COLUMNS} FROM model_run
      WHERE ($1::int IS NULL OR dataset_id = $1) AND ($2::text IS NULL OR status = $2)
      ORDER BY created_at DESC, id
      LIMIT $3`,
    [filter.datasetId ?? null, filter.status ?? null, filter.limit],
  );
  return rows.map(toModelRun);
}

/** The newest `limit` runs of each dataset, in one query. */
export async function listModelRunsOfDatasets(db: Queryable, datasetIds: readonly number[], limit: number): Promise<Map<string, ModelRun[]>> {
  const out = new Map<string, ModelRun[]>(datasetIds.map((id) => [String(id), []]));
  if (datasetIds.length === 0) return out;
  const rows = await db.query<ModelRunRow>(
    `SELECT ${COLUMNS} FROM (
       SELECT *, row_number() OVER (PARTITION BY dataset_id ORDER BY created_at DESC, id) AS position
         FROM model_run WHERE dataset_id = ANY($1::int[])
     ) ranked WHERE position <= $2 ORDER BY dataset_id, position`,
    [datasetIds, limit],
  );
  for (const r of rows) out.get(String(r.dataset_id))?.push(toModelRun(r));
  return out;
}

export async function findResults(db: Queryable, ids: readonly string[]): Promise<Map<string, ModelRunResults>> {
  const valid = [...new Set(ids.map(parseModelRunId).filter((id): id is string => id !== undefined))];
  if (valid.length === 0) return new Map();
  const rows = await db.query<{ id: string; status: ModelStatus; metrics: ModelMetrics | null; feature_importance: FeatureImportance[] | null }>(
    'SELECT id, status, metrics, feature_importance FROM model_run WHERE id = ANY($1::uuid[])',
    [valid],
  );
  return new Map(rows.map((r) => [r.id, { status: r.status, metrics: r.metrics, featureImportance: r.feature_importance }]));
}

/** The stored model of a run, with its status (null model unless COMPLETED). */
export async function findModel(db: Queryable, id: string): Promise<{ status: ModelStatus; error: string | null; model: string | null } | undefined> {
  const rows = await db.query<{ status: ModelStatus; error: string | null; model: string | null }>(
    'SELECT status, error, model FROM model_run WHERE id = $1',
    [id],
  );
  return rows[0];
}

export interface NewModelRun {
  datasetId: string;
  name: string;
  algorithm: Algorithm;
  target: string;
  features: string[];
  seed: number;
  owner: Owner;
}

export async function insertModelRun(db: Queryable, run: NewModelRun): Promise<ModelRun> {
  const [row] = await db.query<ModelRunRow>(
    `INSERT INTO model_run (dataset_id, name, algorithm, target, features, seed, owner)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7) RETURNING ${COLUMNS}`,
    [Number(run.datasetId), run.name, run.algorithm, run.target, JSON.stringify(run.features), run.seed, run.owner],
  );
  return toModelRun(row);
}

/** Locks the run's row for the rest of the transaction (a delete or retrain decides on what it read). */
export async function lockModelRun(tx: Queryable, id: string): Promise<ModelRun | undefined> {
  const rows = await tx.query<ModelRunRow>(`SELECT ${COLUMNS} FROM model_run WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] && toModelRun(rows[0]);
}

export async function deleteModelRun(db: Queryable, id: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM model_run WHERE id = $1 RETURNING id', [id]);
  return rows.length > 0;
}

/**
 * Puts a finished run back in the queue with what training stored cleared; its dataset, target,
 * features, algorithm and seed stay, so it trains the same model on the dataset's current rows.
 * attempts is left as it is: it is also the claim token, and starting it over could let a trainer
 * that lost an old claim write again.
 */
export async function requeueModelRun(tx: Queryable, id: string): Promise<ModelRun> {
  const [row] = await tx.query<ModelRunRow>(
    `UPDATE model_run
        SET status = 'QUEUED', error = NULL, metrics = NULL, feature_importance = NULL, model = NULL,
            started_at = NULL, completed_at = NULL, heartbeat_at = NULL
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  return toModelRun(row);
}

export async function modelRunIdsOfDataset(db: Queryable, datasetId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>('SELECT id FROM model_run WHERE dataset_id = $1', [Number(datasetId)]);
  return rows.map((r) => r.id);
}

// ---- the trainer's queue -------------------------------------------------------------------

/** A run a trainer holds: `attempts` is its claim, checked by every later write. */
export interface ClaimedRun {
  id: string;
  datasetId: string;
  algorithm: Algorithm;
  target: string;
  features: string[];
  seed: number;
  attempts: number;
}

/**
 * Moves the oldest QUEUED run to TRAINING and returns it; SKIP LOCKED lets gateways sharing
 * a PostgreSQL database claim different runs.
 */
export async function claimNextRun(db: Queryable): Promise<ClaimedRun | undefined> {
  const rows = await db.query<{
    id: string;
    dataset_id: number;
    algorithm: Algorithm;
    target: string;
    features: string[];
    seed: number;
    attempts: number;
  }>(
    `UPDATE model_run
        SET status = 'TRAINING', attempts = attempts + 1, started_at = now(), heartbeat_at = now(), error = NULL
      WHERE id = (SELECT id FROM model_run WHERE status = 'QUEUED' ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id, dataset_id, algorithm, target, features, seed, attempts`,
  );
  const r = rows[0];
  return (
    r && {
      id: r.id,
      datasetId: String(r.dataset_id),
      algorithm: r.algorithm,
      target: r.target,
      features: r.features,
      seed: r.seed,
      attempts: r.attempts,
    }
  );
}

const HELD = "id = $1 AND attempts = $2 AND status = 'TRAINING'";

export async function heartbeat(db: Queryable, run: ClaimedRun): Promise<boolean> {
  const rows = await db.query(`UPDATE model_run SET heartbeat_at = now() WHERE ${HELD} RETURNING id`, [run.id, run.attempts]);
  return rows.length > 0;
}

/** Stores a trained model; false when the claim was lost (run deleted, or re-queued as stale). */
export async function completeRun(db: Queryable, run: ClaimedRun, trained: TrainedModel): Promise<boolean> {
  const metrics: ModelMetrics = { ...trained.metrics, usableRows: trained.usableRows, droppedRows: trained.droppedRows };
  const rows = await db.query(
    `UPDATE model_run
        SET status = 'COMPLETED', completed_at = now(), heartbeat_at = NULL, error = NULL,
            features = $3::jsonb, metrics = $4::jsonb, feature_importance = $5::jsonb, model = $6
      WHERE ${HELD} RETURNING id`,
    [run.id, run.attempts, JSON.stringify(trained.features), JSON.stringify(metrics), JSON.stringify(trained.featureImportance), trained.model],
  );
  return rows.length > 0;
}

export async function failRun(db: Queryable, run: ClaimedRun, error: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE model_run SET status = 'FAILED', completed_at = now(), heartbeat_at = NULL, error = $3 WHERE ${HELD} RETURNING id`,
    [run.id, run.attempts, error],
  );
  return rows.length > 0;
}

/** Gives a run back to the queue (the gateway is stopping); the attempt does not count. */
export async function releaseRun(db: Queryable, run: ClaimedRun): Promise<boolean> {
  const rows = await db.query(`UPDATE model_run SET status = 'QUEUED', attempts = attempts - 1, heartbeat_at = NULL WHERE ${HELD} RETURNING id`, [
    run.id,
    run.attempts,
  ]);
  return rows.length > 0;
}

/**
 * TRAINING runs whose trainer stopped heartbeating (a gateway that crashed or was killed) go
 * back to QUEUED, or to FAILED once they have been claimed maxAttempts times (a run that
 * keeps killing its gateway must not do so forever). Returns the runs changed.
 */
export async function recoverStaleRuns(
  db: Queryable,
  staleSeconds: number,
  maxAttempts: number,
): Promise<Array<{ id: string; status: ModelStatus }>> {
  return db.query<{ id: string; status: ModelStatus }>(
    `UPDATE model_run
        SET status = CASE WHEN attempts >= $2 THEN 'FAILED' ELSE 'QUEUED' END,
            error = CASE WHEN attempts >= $2
                         THEN 'training was interrupted ' || attempts || ' times (the gateway stopped while training); giving up'
                         ELSE NULL END,
            completed_at = CASE WHEN attempts >= $2 THEN now() ELSE NULL END,
            heartbeat_at = NULL
      WHERE status = 'TRAINING' AND (heartbeat_at IS NULL OR heartbeat_at < now() - make_interval(secs => $1))
      RETURNING id, status`,
    [staleSeconds, maxAttempts],
  );
}
