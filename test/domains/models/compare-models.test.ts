import { CompareModelsDocument, ModelRunDetailsDocument, TrainModelDocument } from '../../generated/graphql';
import { DATABASE_KINDS } from '../../helpers/databases';
import { addVegaDataset } from '../../helpers/datasets';
import { cacheOf, codes, startTestGateway, type TestGateway } from '../../helpers/gateway';
import { deletePrefix, SHARED_REDIS_URL, testPrefix } from '../../helpers/redis';
import { insertRun, PENGUIN_FEATURES, waitForRun } from './helpers';

describe.each(DATABASE_KINDS)('compareModels ranks runs by a metric (%s)', (kind) => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let completed: string[];
  let failed: string;
  let training: string;

  beforeAll(async () => {
    gw = await startTestGateway(kind, { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, CACHE_DEBUG: '1' });
    const token = await gw.token('analyst');
    const penguins = (await addVegaDataset(gw, 'penguins.json')).id;
    completed = [];
    // Accuracies far apart whatever the seed: about 0.99 with every feature, 0.6 to 0.8 from
    // the island alone, 0.43 (the largest class) from sex alone.
    const requests: Array<{ algorithm: 'KNN' | 'DECISION_TREE' | 'LOGISTIC_REGRESSION'; features: string[] | null }> = [
      { algorithm: 'KNN', features: null },
      { algorithm: 'DECISION_TREE', features: ['Island'] },
      { algorithm: 'LOGISTIC_REGRESSION', features: ['Sex'] },
    ];
    for (const { algorithm, features } of requests) {
      const r = await gw.gql(TrainModelDocument, { datasetId: penguins, target: 'Species', algorithm, features }, { token });
      completed.push(r.data!.trainModel.id);
    }
    for (const id of completed) expect((await waitForRun(gw, id)).status).toBe('COMPLETED');
    const base = { datasetId: penguins, target: 'Species', features: PENGUIN_FEATURES };
    failed = await insertRun(gw.gateway.db, { ...base, status: 'FAILED', error: 'out of memory' });
    // A live trainer elsewhere holds it (fresh heartbeat): it stays TRAINING throughout.
    training = await insertRun(gw.gateway.db, { ...base, status: 'TRAINING', heartbeat: 'fresh' });
  });
  afterAll(async () => {
    await gw.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  async function metricsOf(id: string) {
    return (await gw.gql(ModelRunDetailsDocument, { id })).data!.modelRun!.metrics;
  }

  it('puts the best first (rank 1), equal values on one rank, and runs not COMPLETED last with value null', async () => {
    const r = await gw.gql(CompareModelsDocument, { ids: [failed, ...completed, training] });
    expect(r.errors).toBeUndefined();
    const { metric, entries, best } = r.data!.compareModels;
    expect(metric).toBe('ACCURACY');
    expect(entries).toHaveLength(5);

    const accuracies = new Map<string, number>();
    for (const id of completed) accuracies.set(id, (await metricsOf(id))!.accuracy);
    const head = entries.slice(0, 3);
    expect(head.map((e) => e.modelRun.id).sort()).toEqual([...completed].sort());
    for (const e of head) {
      expect(e.modelRun.status).toBe('COMPLETED');
      expect(e.value).toBe(accuracies.get(e.modelRun.id));
      expect(e.rank).toBe(1 + head.filter((o) => o.value! > e.value!).length);
    }
    expect(head.map((e) => e.value)).toEqual([...head.map((e) => e.value)].sort((a, b) => b! - a!));
    expect(new Set(head.map((e) => e.value)).size).toBe(3);
    expect(head.map((e) => e.rank)).toEqual([1, 2, 3]);
    expect(best).toEqual({ id: head[0].modelRun.id });

    const tail = entries.slice(3);
    expect(tail.map((e) => e.modelRun.id).sort()).toEqual([failed, training].sort());
    expect(tail.map((e) => e.value)).toEqual([null, null]);
    expect(tail.map((e) => e.rank)).toEqual([4, 4]);
  });

  it('ranks by the metric asked for', async () => {
    const { metric, entries } = (await gw.gql(CompareModelsDocument, { ids: completed, metric: 'F1' })).data!.compareModels;
    expect(metric).toBe('F1');
    for (const e of entries) expect(e.value).toBe((await metricsOf(e.modelRun.id))!.f1);
    expect(entries.map((e) => e.value)).toEqual([...entries.map((e) => e.value)].sort((a, b) => b! - a!));
  });

  it('answers the same set of ids in another order, or repeated, with the same comparison from the same cache entry', async () => {
    const first = await gw.gql(CompareModelsDocument, { ids: [completed[0], completed[1], completed[2]], metric: 'RECALL' });
    expect(cacheOf(first)['Query.compareModels']).toEqual({ hits: 0, misses: 1 });
    const reordered = await gw.gql(CompareModelsDocument, { ids: [completed[2], completed[0], completed[1], completed[0]], metric: 'RECALL' });
    expect(cacheOf(reordered)['Query.compareModels']).toEqual({ hits: 1, misses: 0 });
    expect(reordered.data).toEqual(first.data);
    const upperCase = await gw.gql(CompareModelsDocument, { ids: [completed[1].toUpperCase(), completed[2], completed[0]], metric: 'RECALL' });
    expect(upperCase.data).toEqual(first.data);
  });

  it('best is null when no run is COMPLETED', async () => {
    const { entries, best } = (await gw.gql(CompareModelsDocument, { ids: [training, failed] })).data!.compareModels;
    expect(best).toBeNull();
    expect(entries.map((e) => [e.value, e.rank])).toEqual([
      [null, 1],
      [null, 1],
    ]);
  });

  it('NOT_FOUND naming the unknown ids; BAD_USER_INPUT for an id that cannot be one', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const other = '00000000-0000-4000-8000-000000000001';
    const r = await gw.gql(CompareModelsDocument, { ids: [completed[0], missing, other] });
    expect(codes(r)).toEqual(['NOT_FOUND']);
    expect(r.errors![0].message).toBe(`unknown model run ids "${missing}", "${other}"`);
    expect(r.errors![0].extensions?.unknown).toEqual([missing, other]);
    const bogus = await gw.gql(CompareModelsDocument, { ids: [completed[0], 'bogus'] });
    expect(codes(bogus)).toEqual(['BAD_USER_INPUT']);
  });

  it('BAD_USER_INPUT for no ids or more than 50', async () => {
    const empty = await gw.gql(CompareModelsDocument, { ids: [] });
    expect(codes(empty)).toEqual(['BAD_USER_INPUT']);
    const ids = Array.from({ length: 51 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const tooMany = await gw.gql(CompareModelsDocument, { ids });
    expect(codes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.errors![0].message).toMatch(/at most 50 model runs, got 51/);
    // 50 is allowed: the answer is then about the ids, not their number.
    expect(codes(await gw.gql(CompareModelsDocument, { ids: ids.slice(0, 50) }))).toEqual(['NOT_FOUND']);
  });
});
