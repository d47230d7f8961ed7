import { randomInt } from 'node:crypto';
import path from 'node:path';
import DataLoader from 'dataloader';
import pino from 'pino';
import type { Database } from '../../db/database';
import { entityTag, type Tag, typeTag } from '../../graphql/cached';
import type { TagInvalidator } from '../../graphql/invalidation';
import type { User } from '../../identity';
import { InputError, NotFoundError, PreconditionError } from '../../lib/errors';
import { WorkerPool } from '../../lib/worker-pool';
import { checkPageSize, MAX_PAGE_SIZE } from '../paging';
import { componentLogger, type Logger } from '../../logger';
import { checkOwnership, ownerFor } from '../ownership';
import { parseDatasetId } from '../datasets/dataset.repository';
import type { DatasetService } from '../datasets/dataset.service';
import type { Dataset } from '../datasets/dataset.type';
import * as repo from './model.repository';
import { parseModelRunId } from './model.repository';
import {
  type Algorithm,
  type FeatureImportance,
  type ModelComparison,
  type ModelComparisonEntry,
  ModelMetric,
  type ModelMetrics,
  type ModelRun,
  type ModelRunResults,
  ModelStatus,
  type Prediction,
} from './model.type';
import type { ModelJobs, PredictJob, ValidateStoredJob } from './model.worker';
import { ModelTrainer, type TrainerOptions } from './trainer';

import { MAX_COMPARED_RUNS } from './model.args';

export { MAX_COMPARED_RUNS };

/** The tag of one run; ids are compared in their canonical (lower-case) form, as stored. */
export function modelRunTag(id: string): Tag {
  return entityTag('ModelRun', parseModelRunId(id) ?? id);
}

const METRIC_FIELD: Record<ModelMetric, keyof Pick<ModelMetrics, 'accuracy' | 'precision' | 'recall' | 'f1'>> = {
  ACCURACY: 'accuracy',
  PRECISION: 'precision',
  RECALL: 'recall',
  F1: 'f1',
};

export interface TrainRequest {
  datasetId: string;
  target: string;
  features?: string[] | null;
  algorithm: Algorithm;
}

export interface ModelServiceOptions {
  trainer?: TrainerOptions;
  /** Start the background trainer in the constructor (default true). */
  startTrainer?: boolean;
}

/**
 * Model runs: stored in the database, trained in the background by ModelTrainer (one worker
 * thread), validated and used for predictions in a second worker thread so neither waits
 * behind a training.
 */
export class ModelService {
  private readonly pool: WorkerPool<ModelJobs>;
  readonly trainer: ModelTrainer;

  constructor(
    private readonly db: Database,
    private readonly datasets: DatasetService,
    invalidator: TagInvalidator,
    logger: Logger = pino({ level: 'silent' }),
    options: ModelServiceOptions = {},
  ) {
    this.pool = new WorkerPool(path.join(__dirname, 'model.worker'), 1);
    this.trainer = new ModelTrainer(db, datasets, invalidator, componentLogger(logger, 'model-trainer'), options.trainer);
    // A dataset's runs go with it (ON DELETE CASCADE), and so does what was cached from them.
    datasets.onDelete(async (tx, datasetId) => [...(await repo.modelRunIdsOfDataset(tx, datasetId)).map(modelRunTag), typeTag('ModelRun')]);
    if (options.startTrainer !== false) this.trainer.start();
  }

  /** A per-request loader: every modelRun(id) of one request becomes one `WHERE id = ANY($1)`. */
  createLoader(): DataLoader<string, ModelRun | null> {
    return new DataLoader(async (ids) => {
      const found = await repo.findModelRunsByIds(this.db, ids);
      return ids.map((id) => found.get(parseModelRunId(id) ?? '') ?? null);
    });
  }

  /** A per-request loader of what training stored (metrics, importance), read fresh for the cached fields. */
  createResultsLoader(): DataLoader<string, ModelRunResults | null> {
    return new DataLoader(async (ids) => {
      const found = await repo.findResults(this.db, ids);
      return ids.map((id) => found.get(parseModelRunId(id) ?? '') ?? null);
    });
  }

  /** A per-request loader of the newest MAX_PAGE_SIZE runs of each dataset (Dataset.modelRuns). */
  createDatasetRunsLoader(): DataLoader<string, ModelRun[]> {
    return new DataLoader(async (datasetIds) => {
      const numeric = datasetIds.map(parseDatasetId).filter((n): n is number => n !== undefined);
      const found = await repo.listModelRunsOfDatasets(this.db, [...new Set(numeric)], MAX_PAGE_SIZE);
      return datasetIds.map((id) => found.get(id) ?? []);
    });
  }

  list(filter: { datasetId?: string | null; status?: ModelStatus | null; limit: number }): Promise<ModelRun[]> {
    checkPageSize(filter.limit);
    let datasetId: number | undefined;
    if (filter.datasetId !== undefined && filter.datasetId !== null) {
      datasetId = parseDatasetId(filter.datasetId);
      if (datasetId === undefined) return Promise.resolve([]);
    }
    return repo.listModelRuns(this.db, { datasetId, status: filter.status ?? undefined, limit: filter.limit });
  }

  /**
   * Validates the request against the dataset (in a worker: it reads every row), stores the run
   * as QUEUED, owned by user (the system's without one), and returns it; the background trainer
   * takes it from there. Any signed-in user may train on any dataset: training reads the dataset
   * and changes nothing of it; the run is the trainer's.
   */
  async train(request: TrainRequest, user?: User): Promise<ModelRun> {
    const dataset = await this.datasets.createLoader().load(request.datasetId);
    if (!dataset) throw new NotFoundError(`dataset ${request.datasetId} does not exist`, { datasetId: request.datasetId });
    const job: ValidateStoredJob = {
      ...(await this.datasets.loadStoredTable(dataset)),
      target: request.target,
      features: request.features ?? undefined,
      algorithm: request.algorithm,
    };
    const features = await this.pool.run('validateStored', job);
    let run: ModelRun;
    try {
      run = await repo.insertModelRun(this.db, {
        datasetId: dataset.id,
        name: runName(request.algorithm, dataset, request.target),
        algorithm: request.algorithm,
        target: request.target,
        features,
        seed: randomInt(2 ** 31),
        owner: ownerFor(user),
      });
    } catch (err) {
      // The dataset was deleted while the request was being validated.
      if ((err as { code?: string }).code === '23503')
        throw new NotFoundError(`dataset ${request.datasetId} does not exist`, { datasetId: request.datasetId });
      throw err;
    }
    this.trainer.notify();
    return run;
  }

  /** Deletes a run; only the user who queued it or an admin may (seeded runs: admin). */
  async delete(id: string, user?: User): Promise<void> {
    const runId = parseModelRunId(id);
    if (!runId) throw new NotFoundError(`model run ${id} does not exist`, { id });
    await this.db.transaction(async (tx) => {
      const run = await repo.lockModelRun(tx, runId);
      if (!run) throw new NotFoundError(`model run ${id} does not exist`, { id });
      checkOwnership(user, run.owner, `model run ${id}`);
      await repo.deleteModelRun(tx, runId);
    });
  }

  /**
   * Trains a COMPLETED or FAILED run again (after rows were appended to its dataset, say); only
   * the user who queued it or an admin may. The run is QUEUED again and returned at once.
   */
  async retrain(id: string, user?: User): Promise<ModelRun> {
    const runId = parseModelRunId(id);
    if (!runId) throw new NotFoundError(`model run ${id} does not exist`, { id });
    const run = await this.db.transaction(async (tx) => {
      const current = await repo.lockModelRun(tx, runId);
      if (!current) throw new NotFoundError(`model run ${id} does not exist`, { id });
      checkOwnership(user, current.owner, `model run ${id}`);
      if (current.status !== ModelStatus.COMPLETED && current.status !== ModelStatus.FAILED)
        throw new PreconditionError(`model run ${id} is ${current.status}: it can be retrained once COMPLETED or FAILED`, {
          id,
          status: current.status,
        });
      return repo.requeueModelRun(tx, runId);
    });
    this.trainer.notify();
    return run;
  }

  metrics(results: ModelRunResults | null): ModelMetrics | null {
    return results?.status === ModelStatus.COMPLETED ? results.metrics : null;
  }

  /** Permutation importance, highest first; empty until the run is COMPLETED. */
  featureImportance(results: ModelRunResults | null, topN: number | null | undefined): FeatureImportance[] {
    if (topN !== null && topN !== undefined && (!Number.isInteger(topN) || topN < 1)) {
      throw new InputError(`topN must be 1 or more (or null for every feature), got ${topN}`, { topN });
    }
    if (results?.status !== ModelStatus.COMPLETED || !results.featureImportance) return [];
    const sorted = [...results.featureImportance].sort((a, b) => b.importance - a.importance);
    return topN ? sorted.slice(0, topN) : sorted;
  }

  /**
   * Ranks runs by a metric, best first. Equal values share a rank (then the older run comes
   * first); runs not COMPLETED come last with value null. The same set of ids in any order or
   * with repeats is the same comparison.
   */
  async compare(ids: readonly string[], metric: ModelMetric): Promise<ModelComparison> {
    if (ids.length === 0) throw new InputError('compareModels needs at least one model run id');
    const canonical = [...new Set(ids.map((id) => parseModelRunId(id) ?? id))];
    if (canonical.length > MAX_COMPARED_RUNS) {
      throw new InputError(`compareModels takes at most ${MAX_COMPARED_RUNS} model runs, got ${canonical.length}`, { count: canonical.length });
    }
    const [runs, results] = await Promise.all([repo.findModelRunsByIds(this.db, canonical), repo.findResults(this.db, canonical)]);
    const unknown = canonical.filter((id) => !runs.has(id));
    if (unknown.length > 0) {
      throw new NotFoundError(`unknown model run id${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => `"${id}"`).join(', ')}`, { unknown });
    }
    const field = METRIC_FIELD[metric];
    const scored = canonical.map((id) => {
      const run = runs.get(id)!;
      const metrics = this.metrics(results.get(id) ?? null);
      return { run, value: metrics ? metrics[field] : null };
    });
    scored.sort(
      (a, b) =>
        (a.value === null ? 1 : 0) - (b.value === null ? 1 : 0) ||
        (b.value ?? 0) - (a.value ?? 0) ||
        a.run.createdAt.getTime() - b.run.createdAt.getTime() ||
        (a.run.id < b.run.id ? -1 : 1),
    );
    const entries: ModelComparisonEntry[] = [];
    scored.forEach(({ run, value }, i) => {
      const previous = entries[i - 1];
      const rank = previous && previous.value === value ? previous.rank : i + 1;
      entries.push({ modelRun: run, value, rank });
    });
    const best = entries[0]?.value !== null ? entries[0].modelRun : null;
    return { metric, entries, best };
  }

  /** Predicts with a COMPLETED run's stored model (in a worker, which keeps recent models loaded). */
  async predict(modelRunId: string, input: Record<string, unknown>): Promise<Prediction> {
    const runId = parseModelRunId(modelRunId);
    const stored = runId ? await repo.findModel(this.db, runId) : undefined;
    if (!stored) throw new NotFoundError(`model run ${modelRunId} does not exist`, { modelRunId });
    if (stored.status !== ModelStatus.COMPLETED || !stored.model) {
      const message =
        stored.status === ModelStatus.FAILED
          ? `model run ${modelRunId} FAILED (${stored.error ?? 'no reason recorded'}) and has no model to predict with; train a new run`
          : `model run ${modelRunId} is ${stored.status}: it can predict once COMPLETED (poll modelRun(id) { status })`;
      throw new PreconditionError(message, { modelRunId, status: stored.status });
    }
    const job: PredictJob = { model: stored.model, input };
    return this.pool.run('predict', job);
  }

  async close(): Promise<void> {
    await this.trainer.close();
    await this.pool.close();
  }
}

export function runName(algorithm: Algorithm, dataset: Pick<Dataset, 'name'>, target: string): string {
  return `${algorithm} on ${dataset.name} → ${target}`;
}
