import {
  AppendDatasetRowsDocument,
  CompleteProgressStepDocument,
  CreateDatasetDocument,
  DatasetCachedFieldsDocument,
  DatasetStatisticsDocument,
  DeleteDatasetDocument,
  MyProgressDocument,
  ResetProgressDocument,
  UserProgressDocument,
  VisualizationArgOrderDocument,
  VisualizationArgOrderSwappedDocument,
} from '../generated/graphql';
import { tagKey } from '../../src/cache/keys';
import { DATABASE_KINDS } from '../helpers/databases';
import { csv } from '../helpers/datasets';
import { cacheOf, codes, startTestGateway, type TestGateway } from '../helpers/gateway';
import { deletePrefix, keysUnder, readKeys, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

describe.each(DATABASE_KINDS)('field caching through GraphQL on Redis (%s)', (kind) => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let admin: string;
  let alice: string;
  let bob: string;
  let id: string;

  beforeAll(async () => {
    gw = await startTestGateway(kind, { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, CACHE_DEBUG: '1', CACHE_RESPONSES: '0' });
    await gw.gateway.services.progress.seedSteps();
    admin = await gw.token('root', 'admin');
    alice = await gw.token('alice');
    bob = await gw.token('bob');
    const created = await gw.gql(CreateDatasetDocument, { name: 'numbers', csv: csv(100) }, { token: alice });
    id = created.data!.createDataset.id;
  });
  afterAll(async () => {
    await gw.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('misses every cached field the first time and hits each the second', async () => {
    const first = await gw.gql(DatasetCachedFieldsDocument, { id });
    expect(first.errors).toBeUndefined();
    expect(cacheOf(first)).toEqual({
      'Dataset.statistics': { hits: 0, misses: 1 },
      'Dataset.eda': { hits: 0, misses: 1 },
      'Dataset.visualization': { hits: 0, misses: 1 },
    });
    const second = await gw.gql(DatasetCachedFieldsDocument, { id });
    expect(second.data).toEqual(first.data);
    expect(cacheOf(second)).toEqual({
      'Dataset.statistics': { hits: 1, misses: 0 },
      'Dataset.eda': { hits: 1, misses: 0 },
      'Dataset.visualization': { hits: 1, misses: 0 },
    });
  });

  it('keeps keys readable and under the prefix, with a schema version segment', async () => {
    const keys = await keysUnder(SHARED_REDIS_URL, prefix);
    expect(keys).toContain(tagKey({ prefix }, `Dataset:${id}`));
    expect(keys.some((k) => new RegExp(`^${prefix}:s[0-9a-f]{10}:f:Dataset\\.statistics:${id}:-$`).test(k))).toBe(true);
  });

  it('gives the same key whatever the argument order', async () => {
    await gw.gql(VisualizationArgOrderDocument, { id });
    const swapped = await gw.gql(VisualizationArgOrderSwappedDocument, { id });
    expect(cacheOf(swapped)['Dataset.visualization']).toEqual({ hits: 1, misses: 0 });
  });

  it('appendDatasetRows invalidates the dataset: the next read is fresh', async () => {
    await gw.gql(DatasetStatisticsDocument, { id });
    const appended = await gw.gql(AppendDatasetRowsDocument, { id, csv: csv(50, 100) }, { token: alice });
    expect(appended.data?.appendDatasetRows.rowCount).toBe(150);
    const after = await gw.gql(DatasetStatisticsDocument, { id });
    expect(cacheOf(after)['Dataset.statistics']).toEqual({ hits: 0, misses: 1 });
    expect(after.data?.dataset?.statistics.find((s) => s.column === 'x')?.count).toBe(150);
  });

  it('deleteDataset invalidates the dataset', async () => {
    const other = (await gw.gql(CreateDatasetDocument, { name: 'doomed', csv: csv(10) }, { token: alice })).data!.createDataset.id;
    await gw.gql(DatasetStatisticsDocument, { id: other });
    const tagBefore = await tagVersion(`Dataset:${other}`);
    expect((await gw.gql(DeleteDatasetDocument, { id: other }, { token: alice })).data?.deleteDataset).toBe(true);
    expect(await tagVersion(`Dataset:${other}`)).not.toBe(tagBefore);
    expect((await gw.gql(DatasetStatisticsDocument, { id: other })).data?.dataset).toBeNull();
  });

  it('keeps PRIVATE progress apart per user, and invalidates it on completeProgressStep and resetProgress', async () => {
    const a1 = await gw.gql(MyProgressDocument, {}, { token: alice });
    const b1 = await gw.gql(MyProgressDocument, {}, { token: bob });
    expect(a1.data?.myProgress.userId).toBe('alice');
    expect(b1.data?.myProgress.userId).toBe('bob');
    expect(cacheOf(b1)['Query.myProgress']).toEqual({ hits: 0, misses: 1 });

    await gw.gql(CompleteProgressStepDocument, { step: 'browse-datasets' }, { token: alice });
    const a2 = await gw.gql(MyProgressDocument, {}, { token: alice });
    const b2 = await gw.gql(MyProgressDocument, {}, { token: bob });
    expect(a2.data?.myProgress.completedCount).toBe(1);
    expect(cacheOf(a2)['Query.myProgress']).toEqual({ hits: 0, misses: 1 });
    expect(b2.data?.myProgress.completedCount).toBe(0);
    expect(cacheOf(b2)['Query.myProgress']).toEqual({ hits: 1, misses: 0 });

    await gw.gql(ResetProgressDocument, {}, { token: alice });
    expect((await gw.gql(MyProgressDocument, {}, { token: alice })).data?.myProgress.completedCount).toBe(0);
  });

  it('refuses a PRIVATE field to an anonymous request and caches nothing for it', async () => {
    const before = await keysUnder(SHARED_REDIS_URL, prefix);
    const anonymous = await gw.gql(MyProgressDocument, {});
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(await keysUnder(SHARED_REDIS_URL, prefix)).toEqual(before);
  });

  it('Cache-Control: no-cache computes afresh and refreshes the entry', async () => {
    await gw.gql(DatasetStatisticsDocument, { id });
    const fresh = await gw.gql(DatasetStatisticsDocument, { id }, { headers: { 'cache-control': 'no-cache' } });
    expect(cacheOf(fresh)['Dataset.statistics']).toEqual({ hits: 0, misses: 1 });
    expect(cacheOf(await gw.gql(DatasetStatisticsDocument, { id }))['Dataset.statistics']).toEqual({ hits: 1, misses: 0 });
  });

  it('Cache-Control: no-store neither reads nor writes the cache', async () => {
    const other = (await gw.gql(CreateDatasetDocument, { name: 'unstored', csv: csv(5) }, { token: alice })).data!.createDataset.id;
    const before = await keysUnder(SHARED_REDIS_URL, prefix);
    const r = await gw.gql(DatasetStatisticsDocument, { id: other }, { headers: { 'cache-control': 'no-store' } });
    expect(r.data?.dataset?.statistics).toHaveLength(3);
    expect((r.extensions?.cache as { mode: string }).mode).toBe('bypass');
    expect(await keysUnder(SHARED_REDIS_URL, prefix)).toEqual(before);
  });

  it('caches userProgress for an admin and stores nothing when a user is refused', async () => {
    const before = await keysUnder(SHARED_REDIS_URL, prefix);
    const denied = await gw.gql(UserProgressDocument, { userId: 'alice' }, { token: bob });
    expect(codes(denied)).toEqual(['FORBIDDEN']);
    expect(await keysUnder(SHARED_REDIS_URL, prefix)).toEqual(before);
    await gw.gql(UserProgressDocument, { userId: 'alice' }, { token: admin });
    const again = await gw.gql(UserProgressDocument, { userId: 'alice' }, { token: admin });
    expect(again.data?.userProgress.userId).toBe('alice');
    expect(cacheOf(again)['Query.userProgress']).toEqual({ hits: 1, misses: 0 });
  });

  async function tagVersion(tag: string): Promise<string | null> {
    const [v] = await readKeys(SHARED_REDIS_URL, [tagKey({ prefix }, tag)]);
    return v;
  }
});

describe('field caching on the in-process tier alone (no REDIS_URL)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('pglite', { CACHE_DEBUG: '1', CACHE_RESPONSES: '0' });
  });
  afterAll(() => gw.close());

  it('caches, and invalidates on mutation, with the same semantics', async () => {
    const token = await gw.token('carol');
    const id = (await gw.gql(CreateDatasetDocument, { name: 'local', csv: csv(20) }, { token })).data!.createDataset.id;
    expect(gw.gateway.cache.state().backend).toBe('memory');
    expect(cacheOf(await gw.gql(DatasetStatisticsDocument, { id }))['Dataset.statistics']).toEqual({ hits: 0, misses: 1 });
    expect(cacheOf(await gw.gql(DatasetStatisticsDocument, { id }))['Dataset.statistics']).toEqual({ hits: 1, misses: 0 });
    await gw.gql(AppendDatasetRowsDocument, { id, csv: csv(5, 20) }, { token });
    const after = await gw.gql(DatasetStatisticsDocument, { id });
    expect(after.data?.dataset?.statistics[0].count).toBe(25);
  });
});

describe('values above CACHE_MAX_ENTRY_BYTES', () => {
  const prefix = testPrefix();
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('postgres', {
      REDIS_URL: SHARED_REDIS_URL,
      REDIS_CACHE_PREFIX: prefix,
      CACHE_DEBUG: '1',
      CACHE_RESPONSES: '0',
      CACHE_MAX_ENTRY_BYTES: '64',
      CACHE_COMPRESS_MIN_BYTES: '100000',
    });
  });
  afterAll(async () => {
    await gw.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('are served but not stored, and counted', async () => {
    const token = await gw.token('dave');
    const id = (await gw.gql(CreateDatasetDocument, { name: 'big', csv: csv(30) }, { token })).data!.createDataset.id;
    await gw.gql(DatasetStatisticsDocument, { id });
    const second = await gw.gql(DatasetStatisticsDocument, { id });
    expect(second.data?.dataset?.statistics).toHaveLength(3);
    expect(cacheOf(second)['Dataset.statistics']).toEqual({ hits: 0, misses: 1 });
    expect(gw.gateway.cache.stats.snapshot().oversize).toBe(2);
  });
});
