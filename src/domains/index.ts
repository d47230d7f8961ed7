import type DataLoader from 'dataloader';
import type { NonEmptyArray } from 'type-graphql';
import type { Database } from '../db/database';
import type { Seed } from '../db/seed';
import type { InvalidationPolicies, TagInvalidator } from '../graphql/invalidation';
import { datasetInvalidations } from './datasets/dataset.cache';
import { DatasetResolver } from './datasets/dataset.resolver';
import { seedVegaDatasets } from './datasets/dataset.seed';
import { DatasetService } from './datasets/dataset.service';
import type { Dataset } from './datasets/dataset.type';
import { progressInvalidations } from './progress/progress.cache';
import { ProgressResolver } from './progress/progress.resolver';
import { ProgressService } from './progress/progress.service';

/** Every domain's resolvers; the schema is built from this list. */
export const resolvers: NonEmptyArray<Function> = [DatasetResolver, ProgressResolver];

/** Every domain's mutations and the tags their writes change. */
export const invalidations: InvalidationPolicies = { ...datasetInvalidations, ...progressInvalidations };

/** Process-wide domain services. */
export interface Services {
  datasets: DatasetService;
  progress: ProgressService;
}

/** Per-request batch loaders of entities. */
export interface Loaders {
  dataset: DataLoader<string, Dataset | null>;
}

export function createServices(db: Database, invalidator: TagInvalidator): Services {
  return {
    datasets: new DatasetService(db, invalidator),
    progress: new ProgressService(db),
  };
}

export function createLoaders(services: Services): Loaders {
  return { dataset: services.datasets.createLoader() };
}

export async function closeServices(services: Services): Promise<void> {
  await services.datasets.close();
}

/** First-start data, in order. */
export function seeds(services: Services): Seed[] {
  return [
    { name: 'progress-steps', run: ({ db }) => services.progress.seedSteps(db) },
    { name: 'vega-datasets', run: (ctx) => seedVegaDatasets(services.datasets, ctx) },
  ];
}
