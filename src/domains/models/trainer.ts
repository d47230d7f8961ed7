import path from 'node:path';
import type { Database } from '../../db/database';
import { entityTag, type Tag, typeTag } from '../../graphql/cached';
import type { TagInvalidator } from '../../graphql/invalidation';
import { ClientError } from '../../lib/errors';
import { WorkerPool } from '../../lib/worker-pool';
import type { Logger } from '../../logger';
import type { DatasetService } from '../datasets/dataset.service';
import type { ModelJobs, TrainStoredJob } from './model.worker';
import * as repo from './model.repository';

export interface TrainerOptions {
  /** Seconds between heartbeats of the run in training (default 10). */
  heartbeatSeconds?: number;
  /** A TRAINING run whose heartbeat is older than this is taken as abandoned (default 60). */
  staleSeconds?: number;
  /** Seconds between looks for runs queued by other gateways and for abandoned runs (default 15). */
  pollSeconds?: number;
  /** Claims after which an abandoned run is FAILED instead of re-queued (default 3). */
  maxAttempts?: number;
}

/**
 * The background trainer: takes QUEUED runs from the database one at a time, oldest first,
 * and trains each in its own worker thread (a pool of one), so at most one training runs per
 * gateway and the event loop stays free. The database is the queue: a run's status, claim and
 * heartbeat live in its row, so nothing is lost when the gateway stops.
 *
 * - Start: TRAINING runs whose heartbeat stopped (the gateway died while training) go back
 *   to QUEUED, or to FAILED after `maxAttempts` claims; then queued runs are trained.
 * - Stop (close): the worker is terminated and the run in training goes back to QUEUED.
 * - Every change of a run's status invalidates `ModelRun:<id>` and `ModelRun` in the cache.
 */
export class ModelTrainer {
  private readonly pool: WorkerPool<ModelJobs>;
  private readonly heartbeatMs: number;
  private readonly staleSeconds: number;
  private readonly pollMs: number;
  private readonly maxAttempts: number;
  private loop?: Promise<void>;
  private closed = false;
  private woken = false;
  private wakeUp?: () => void;
  /** The run whose training close() interrupted, to give back to the queue. */
  private interrupted?: repo.ClaimedRun;

  constructor(
    private readonly db: Database,
    private readonly datasets: DatasetService,
    private readonly invalidator: TagInvalidator,
    private readonly logger: Logger,
    options: TrainerOptions = {},
  ) {
    this.pool = new WorkerPool(path.join(__dirname, 'model.worker'), 1);
    this.heartbeatMs = (options.heartbeatSeconds ?? 10) * 1000;
    this.staleSeconds = options.staleSeconds ?? 60;
    this.pollMs = (options.pollSeconds ?? 15) * 1000;
    this.maxAttempts = options.maxAttempts ?? 3;
  }

  /** Recovers abandoned runs, then trains queued ones until close(). */
  start(): void {
    this.loop ??= this.work().catch((err) => this.logger.error({ err }, 'model trainer stopped on an unexpected error'));
  }

  /** A run was queued: look at the queue now rather than at the next poll. */
  notify(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops training; the run in training (if any) goes back to the queue for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeUp?.();
    await this.pool.close();
    await this.loop;
    const interrupted = this.interrupted;
    if (interrupted) {
      try {
        if (await repo.releaseRun(this.db, interrupted)) {
          this.logger.info({ modelRun: interrupted.id }, 'model run re-queued: the gateway stopped while it was training');
          await this.invalidate([entityTag('ModelRun', interrupted.id), typeTag('ModelRun')]);
        }
      } catch (err) {
        this.logger.warn({ err, modelRun: interrupted.id }, 'could not re-queue the run in training; the next start will (its heartbeat stopped)');
      }
    }
  }

  private async work(): Promise<void> {
    await this.recover();
    while (!this.closed) {
      this.woken = false;
      let run: repo.ClaimedRun | undefined;
      try {
        run = await repo.claimNextRun(this.db);
      } catch (err) {
        if (this.closed) return;
        this.logger.error({ err }, 'model trainer could not read the queue; retrying');
      }
      if (run) {
        await this.train(run);
        continue;
      }
      await this.idle();
      if (!this.closed) await this.recover();
    }
  }

  private async recover(): Promise<void> {
    try {
      const changed = await repo.recoverStaleRuns(this.db, this.staleSeconds, this.maxAttempts);
      if (changed.length === 0) return;
      for (const run of changed) {
        if (run.status === 'FAILED') this.logger.warn({ modelRun: run.id }, `model run failed: interrupted ${this.maxAttempts} times`);
        else this.logger.info({ modelRun: run.id }, 'model run re-queued: its trainer stopped while training');
      }
      await this.invalidate([...changed.map((r) => entityTag('ModelRun', r.id)), typeTag('ModelRun')]);
    } catch (err) {
      if (!this.closed) this.logger.error({ err }, 'model trainer could not recover abandoned runs');
    }
  }

  private async train(run: repo.ClaimedRun): Promise<void> {
    const log = this.logger.child({ modelRun: run.id, algorithm: run.algorithm, attempt: run.attempts });
    // What was cached while QUEUED (a comparison or a list showing the run) shows its status.
    await this.invalidate([entityTag('ModelRun', run.id), typeTag('ModelRun')]);
    const beat = setInterval(() => {
      repo.heartbeat(this.db, run).catch((err) => log.warn({ err }, 'model run heartbeat failed'));
    }, this.heartbeatMs);
    beat.unref();
    const started = Date.now();
    try {
      log.info('training model run');
      const dataset = await this.datasets.createLoader().load(run.datasetId);
      if (!dataset) throw new Error(`dataset ${run.datasetId} no longer exists`);
      const job: TrainStoredJob = {
        ...(await this.datasets.loadStoredTable(dataset)),
        target: run.target,
        features: run.features,
        algorithm: run.algorithm,
        seed: run.seed,
      };
      const trained = await this.pool.run('trainStored', job);
      if (await repo.completeRun(this.db, run, trained)) {
        log.info(
          { ms: Date.now() - started, accuracy: trained.metrics.accuracy, trainRows: trained.metrics.trainRows, droppedRows: trained.droppedRows },
          'model run completed',
        );
        await this.invalidate([entityTag('ModelRun', run.id), typeTag('ModelRun')]);
      } else {
        log.warn('model run trained, but it was deleted or taken over meanwhile: result dropped');
      }
    } catch (err) {
      if (this.closed) {
        this.interrupted = run; // close() puts it back in the queue
        return;
      }
      // A client error means the data cannot train this model (one class left once rows with nulls are
      // dropped, too few rows to hold out a test set, rows appended since it was queued): the run's error.
      const message = err instanceof ClientError ? err.message : `training failed: ${(err as Error).message}`;
      if (err instanceof ClientError) log.warn({ err: message }, 'model run failed');
      else log.error({ err }, 'model run failed');
      try {
        if (await repo.failRun(this.db, run, message)) await this.invalidate([entityTag('ModelRun', run.id), typeTag('ModelRun')]);
      } catch (dbErr) {
        log.error({ err: dbErr }, 'could not record the failure; the run will be recovered once its heartbeat is stale');
      }
    } finally {
      clearInterval(beat);
    }
  }

  private idle(): Promise<void> {
    if (this.woken || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      timer.unref();
      this.wakeUp = done;
    });
  }

  private async invalidate(tags: Tag[]): Promise<void> {
    try {
      await this.invalidator.invalidate(tags);
    } catch (err) {
      this.logger.error({ err, tags }, 'model trainer could not invalidate the cache');
    }
  }
}
