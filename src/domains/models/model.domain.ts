import { datasets } from '../datasets/dataset.domain';
import { defineDomain } from '../domain';
import { DatasetModelRunsResolver, ModelRunResolver } from './model.resolver';
import { seedModelRuns } from './model.seed';
import { modelRunTag, ModelService } from './model.service';

/** Model runs: classifiers trained on datasets in the background, their metrics, comparisons and predictions. */
export const models = defineDomain({
  name: 'models',
  resolvers: [ModelRunResolver, DatasetModelRunsResolver],
  createService: ({ db, invalidator, logger, serviceOf }) => new ModelService(db, serviceOf(datasets), invalidator, logger),
  createLoaders: (service: ModelService) => ({
    modelRun: service.createLoader(),
    /** Metrics and importance, read fresh for the cached ModelRun fields. */
    modelRunResults: service.createResultsLoader(),
    /** Dataset.modelRuns, by dataset id. */
    datasetModelRuns: service.createDatasetRunsLoader(),
  }),
  // After vega-datasets: queues runs on cars and penguins, found by source.
  seeds: (service) => [{ name: 'model-runs', run: (ctx) => seedModelRuns(service, ctx) }],
  entityTags: { ModelRun: modelRunTag },
  // A trainer's heartbeat changes nothing a client reads.
  tracks: [{ table: 'model_run', type: 'ModelRun', idColumn: 'id', ignoreColumns: ['heartbeat_at'] }],
  // A training it interrupts is put back in the queue while the database is still open.
  close: (service) => service.close(),
});
