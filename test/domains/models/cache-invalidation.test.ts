import {
  CompareModelsDocument,
  DeleteDatasetDocument,
  DeleteModelRunDocument,
  ModelRunMetricsDocument,
  ModelRunsDocument,
  ModelRunStatusDocument,
  PredictDocument,
  TrainModelDocument,
} from '../../generated/graphql';
import { DATABASE_KINDS } from '../../helpers/databases';
import { addVegaDataset, vegaTable } from '../../helpers/datasets';
import { cacheOf, codes, startTestGateway, type TestGateway } from '../../helpers/gateway';
import { deletePrefix, keysUnder, SHARED_REDIS_URL, testPrefix } from '../../helpers/redis';
import { CARS_FEATURES, insertRun, PENGUIN_FEATURES, rowInput, waitForRun } from './helpers';

describe.each(DATABASE_KINDS)('what a model run changes leaves no stale cache entry behind, on Redis (%s)', (kind) => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let token: string;
  let penguins: string;

  beforeAll(async () => {
    gw = await startTestGateway(kind, { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, CACHE_DEBUG: '1' });
    token = await gw.token('curator');
    penguins = (await addVegaDataset(gw, 'penguins.json')).id;
  });
  afterAll(async () => {
    await gw.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  const train = async (datasetId: string, target: string, features: string[] | null = null) => {
    const r = await gw.gql(TrainModelDocument, { datasetId, target, features, algorithm: 'DECISION_TREE' }, { token });
    expect(r.errors).toBeUndefined();
    return r.data!.trainModel.id;
  };

  it('caches ModelRun.metrics as null while the run trains, and serves the metrics once it completes', async () => {
    // As if another gateway were training it: its heartbeat is fresh, so this one leaves it alone.
    const id = await insertRun(gw.gateway.db, {
      datasetId: penguins,
      status: 'TRAINING',
      heartbeat: 'fresh',
      target: 'Species',
      features: PENGUIN_FEATURES,
    });
    const before = await gw.gql(ModelRunMetricsDocument, { id });
    expect(before.data!.modelRun).toMatchObject({ status: 'TRAINING', metrics: null });
    expect(cacheOf(before)['ModelRun.metrics']).toEqual({ hits: 0, misses: 1 });
    expect((await keysUnder(SHARED_REDIS_URL, prefix)).some((k) => k.includes(`:f:ModelRun.metrics:${id}:`))).toBe(true);

    // That gateway dies: its heartbeat goes stale, and this gateway's trainer takes the run over.
    await gw.gateway.db.query(`UPDATE model_run SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [id]);
    gw.gateway.services.models.trainer.notify();
    // Polling with the metrics: each read while it trains caches null again, which completion must invalidate.
    let after = await gw.gql(ModelRunMetricsDocument, { id });
    for (const deadline = Date.now() + 45_000; after.data?.modelRun?.status !== 'COMPLETED' && Date.now() < deadline;) {
      expect(after.data!.modelRun!.metrics).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await gw.gql(ModelRunMetricsDocument, { id });
    }
    expect(after.data!.modelRun!.status).toBe('COMPLETED');
    expect(after.data!.modelRun!.metrics?.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(cacheOf(after)['ModelRun.metrics']).toEqual({ hits: 0, misses: 1 });
  });

  it('deleteModelRun: modelRun(id) is null, and a cached comparison or prediction including it is NOT_FOUND', async () => {
    const doomed = await train(penguins, 'Species');
    const kept = await train(penguins, 'Island', ['Beak Length (mm)', 'Beak Depth (mm)']);
    for (const id of [doomed, kept]) expect((await waitForRun(gw, id)).status).toBe('COMPLETED');

    const ids = [doomed, kept];
    await gw.gql(CompareModelsDocument, { ids });
    const cached = await gw.gql(CompareModelsDocument, { ids: [...ids].reverse() });
    expect(cacheOf(cached)['Query.compareModels']).toEqual({ hits: 1, misses: 0 });
    const input = rowInput(vegaTable('penguins.json'), PENGUIN_FEATURES, 0);
    expect((await gw.gql(PredictDocument, { modelRunId: doomed, input })).data?.predict.label).toBe('Adelie');

    expect(codes(await gw.gql(DeleteModelRunDocument, { id: doomed }))).toEqual(['UNAUTHENTICATED']);
    expect((await gw.gql(DeleteModelRunDocument, { id: doomed }, { token })).data?.deleteModelRun).toBe(true);

    expect((await gw.gql(ModelRunStatusDocument, { id: doomed })).data!.modelRun).toBeNull();
    const compared = await gw.gql(CompareModelsDocument, { ids: [...ids].reverse() });
    expect(codes(compared)).toEqual(['NOT_FOUND']);
    expect(compared.errors![0].message).toContain(doomed);
    expect(codes(await gw.gql(PredictDocument, { modelRunId: doomed, input }))).toEqual(['NOT_FOUND']);
    expect((await gw.gql(ModelRunsDocument, { datasetId: penguins })).data!.modelRuns.map((r) => r.id)).not.toContain(doomed);

    const again = await gw.gql(DeleteModelRunDocument, { id: doomed }, { token });
    expect(codes(again)).toEqual(['NOT_FOUND']);
  });

  it("deleteDataset removes the dataset's runs, and a cached comparison of them no longer answers", async () => {
    const cars = (await addVegaDataset(gw, 'cars.json')).id;
    const ids = [await train(cars, 'Origin', CARS_FEATURES), await train(cars, 'Cylinders', ['Horsepower', 'Weight_in_lbs'])];
    for (const id of ids) expect((await waitForRun(gw, id)).status).toBe('COMPLETED');
    await gw.gql(CompareModelsDocument, { ids });
    expect(cacheOf(await gw.gql(CompareModelsDocument, { ids: [...ids].reverse() }))['Query.compareModels']).toEqual({ hits: 1, misses: 0 });
    expect((await gw.gql(ModelRunsDocument, { datasetId: cars })).data!.modelRuns).toHaveLength(2);

    // cars was loaded as the seed loads it: the system's, so an admin deletes it (with the curator's runs).
    expect((await gw.gql(DeleteDatasetDocument, { id: cars }, { token: await gw.token('root', 'admin') })).data?.deleteDataset).toBe(true);

    expect((await gw.gql(ModelRunsDocument, { datasetId: cars })).data!.modelRuns).toEqual([]);
    for (const id of ids) expect((await gw.gql(ModelRunStatusDocument, { id })).data!.modelRun).toBeNull();
    const compared = await gw.gql(CompareModelsDocument, { ids: [...ids].reverse() });
    expect(codes(compared)).toEqual(['NOT_FOUND']);
    expect(compared.errors![0].extensions?.unknown).toEqual(expect.arrayContaining(ids));
  });
});
