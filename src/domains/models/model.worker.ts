// Worker thread entry for the models domain: training and prediction are CPU-bound, so they run
// here, off the gateway's event loop. Start it with `new WorkerPool(path.join(__dirname, 'model.worker'))`.
// An InputError keeps its code (BAD_USER_INPUT) across the thread boundary.
import { serveJobs } from '../../lib/worker-host';
import { storedTable, type StoredTableJob } from '../datasets/compute';
import type { Table } from '../datasets/table';
import {
  predict,
  trainModel,
  validateTrainingRequest,
  type Prediction,
  type TrainedModel,
  type TrainingRequest,
  type TrainOptions,
} from './training';

export interface TrainJob extends TrainOptions {
  table: Table;
}

/**
 * A stored dataset as DatasetService.loadStoredTable gives it: its chunks' JSON text, parsed
 * here rather than on the gateway's event loop (flights-200k is megabytes of JSON), once per version.
 */
export interface TrainStoredJob extends TrainOptions, StoredTableJob {}

export interface ValidateStoredJob extends TrainingRequest, StoredTableJob {}

export interface PredictJob {
  model: string;
  input: Record<string, unknown>;
}

const modelJobs = {
  train: ({ table, ...options }: TrainJob): TrainedModel => trainModel(table, options),
  trainStored: (job: TrainStoredJob): TrainedModel => trainModel(storedTable(job), job),
  /** The features a training request resolves to, or the InputError naming what is wrong with it. */
  validateStored: (job: ValidateStoredJob): string[] => validateTrainingRequest(storedTable(job), job),
  predict: ({ model, input }: PredictJob): Prediction => predict(model, input),
};

/** What this worker serves (WorkerPool checks jobs against it). */
export type ModelJobs = typeof modelJobs;

serveJobs(modelJobs);
