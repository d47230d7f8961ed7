import { defineDomain } from '../domain';
import { DatasetResolver } from './dataset.resolver';
import { seedVegaDatasets } from './dataset.seed';
import { DatasetService } from './dataset.service';

/** Datasets: tables stored in the database; statistics, EDA and chart data computed in a worker. */
export const datasets = defineDomain({
  name: 'datasets',
  resolvers: [DatasetResolver],
  createService: ({ db, invalidator, limits }) =>
    new DatasetService(db, invalidator, {
      maxColumns: limits.datasetMaxColumns,
      maxCsvBytes: limits.datasetMaxCsvBytes,
      rowsMemoryBytes: limits.datasetRowsMemoryBytes,
    }),
  createLoaders: (service: DatasetService) => ({ dataset: service.createLoader() }),
  seeds: (service) => [{ name: 'vega-datasets', run: (ctx) => seedVegaDatasets(service, ctx) }],
  close: (service) => service.close(),
  tracks: [
    { table: 'dataset', type: 'Dataset', idColumn: 'id' },
    { table: 'dataset_chunk', type: 'Dataset', idColumn: 'dataset_id' },
  ],
});
