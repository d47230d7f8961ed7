import type DataLoader from 'dataloader';
import type { NonEmptyArray } from 'type-graphql';
import type { Database } from '../db/database';
import type { Seed } from '../db/seed';
import type { InvalidationPolicies, TagInvalidator } from '../graphql/invalidation';
import type { ResponsePolicies } from '../graphql/response-plan';
import type { Logger } from '../logger';
import { datasetInvalidations, datasetResponsePolicies } from './datasets/dataset.cache';
import { DatasetResolver } from './datasets/dataset.resolver';
import { seedVegaDatasets } from './datasets/dataset.seed';
import { DatasetService } from './datasets/dataset.service';
import type { Dataset } from './datasets/dataset.type';
import { emgInvalidations, emgResponsePolicies } from './emg/emg.cache';
import { EmgResolver } from './emg/emg.resolver';
import { seedEmgRecordings } from './emg/emg.seed';
import { EmgService } from './emg/emg.service';
import type { EmgRecording } from './emg/emg.type';
import { modelInvalidations, modelResponsePolicies } from './models/model.cache';
import { DatasetModelRunsResolver, ModelRunResolver } from './models/model.resolver';
import { seedModelRuns } from './models/model.seed';
import { ModelService } from './models/model.service';
import type { ModelRun, ModelRunResults } from './models/model.type';
import { progressInvalidations } from './progress/progress.cache';
import { ProgressResolver } from './progress/progress.resolver';
import { ProgressService } from './progress/progress.service';

/** Every domain's resolvers; the schema is built from this list. */
export const resolvers: NonEmptyArray<Function> = [DatasetResolver, ProgressResolver, EmgResolver, ModelRunResolver, DatasetModelRunsResolver];

/** Every domain's mutations and the tags their writes change. */
export const invalidations: InvalidationPolicies = { ...datasetInvalidations, ...progressInvalidations, ...emgInvalidations, ...modelInvalidations };

/** The root lookups whose whole responses may be cached, and the tags their arguments name. */
export const responsePolicies: ResponsePolicies = { ...datasetResponsePolicies, ...modelResponsePolicies, ...emgResponsePolicies };

/** Process-wide domain services. */
export interface Services {
  datasets: DatasetService;
  progress: ProgressService;
  emg: EmgService;
  models: ModelService;
}

/** Per-request batch loaders of entities. */
export interface Loaders {
  dataset: DataLoader<string, Dataset | null>;
  emgRecording: DataLoader<string, EmgRecording | null>;
  modelRun: DataLoader<string, ModelRun | null>;
  /** Metrics and importance, read fresh for the cached ModelRun fields. */
  modelRunResults: DataLoader<string, ModelRunResults | null>;
  /** Dataset.modelRuns, by dataset id. */
  datasetModelRuns: DataLoader<string, ModelRun[]>;
}

/** `logger` is for background work (the model trainer); without one it logs nothing. */
export function createServices(db: Database, invalidator: TagInvalidator, logger?: Logger): Services {
  const datasets = new DatasetService(db, invalidator);
  return {
    datasets,
    progress: new ProgressService(db),
    emg: new EmgService(db),
    models: new ModelService(db, datasets, invalidator, logger),
  };
}

export function createLoaders(services: Services): Loaders {
  return {
    dataset: services.datasets.createLoader(),
    emgRecording: services.emg.createLoader(),
    modelRun: services.models.createLoader(),
    modelRunResults: services.models.createResultsLoader(),
    datasetModelRuns: services.models.createDatasetRunsLoader(),
  };
}

export async function closeServices(services: Services): Promise<void> {
  // First: a training it interrupts is put back in the queue while the database is still open.
  await services.models.close();
  await services.datasets.close();
  await services.emg.close();
}

/** First-start data, in order. */
export function seeds(services: Services): Seed[] {
  return [
    { name: 'progress-steps', run: ({ db }) => services.progress.seedSteps(db) },
    { name: 'vega-datasets', run: (ctx) => seedVegaDatasets(services.datasets, ctx) },
    // After vega-datasets: queues runs on cars and penguins, found by source.
    { name: 'model-runs', run: (ctx) => seedModelRuns(services.models, ctx) },
    { name: 'emg-recordings', run: (ctx) => seedEmgRecordings(services.emg, ctx) },
  ];
}
