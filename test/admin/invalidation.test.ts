import { isBookkeepingKey } from '../../src/cache/keys';
import { Redis } from 'ioredis';
import {
  ClearCacheDocument,
  DatasetEdaDocument,
  DatasetStatisticsDocument,
  InvalidateCacheKeyDocument,
  InvalidateCachePatternDocument,
  InvalidateCacheTagsDocument,
  InvalidateDatasetCacheDocument,
  InvalidateModelCacheDocument,
  InvalidateUserCacheDocument,
  ModelRunMetricsDocument,
  MyProgressDocument,
  UserProgressDocument,
} from '../generated/graphql';
import { waitFor } from '../helpers/async';
import { createDataset, csv } from '../helpers/datasets';
import type { GatewayParts } from '../../src/server/gateway';
import { cacheOf, codes, FIELD_CACHING_ONLY, startGatewayPair, startTestGateway, type TestGateway } from '../helpers/gateway';
import { deletePrefix, keysUnder, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

const HIT = { hits: 1, misses: 0 };
const MISS = { hits: 0, misses: 1 };

/**
 * Each admin invalidation, seen from the next read: the data is changed behind the cache's
 * back (straight through a service or SQL, so no mutation invalidates anything), the cached
 * read still shows the old data, and after the invalidation the read misses and shows the new.
 */
/** A gateway whose database writes never reach the cache on their own: what admin invalidation exists to put right. */
const WITHOUT_RELAY: Partial<GatewayParts> = { relay: () => undefined };

describe('admin invalidation: the next read misses and is fresh', () => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let admin: string;
  let alice: string;
  let bob: string;
  let id: string;
  let runId: string;
  let appended = 0;

  beforeAll(async () => {
    // Without the invalidation log's relay, a write the services make stays behind the cache until an admin invalidates it.
    gw = await startTestGateway(
      'postgres',
      { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, ...FIELD_CACHING_ONLY },
      { parts: WITHOUT_RELAY },
    );
    await gw.gateway.services.progress.seedSteps();
    admin = await gw.token('root', 'admin');
    alice = await gw.token('alice');
    bob = await gw.token('bob');
    id = await createDataset(gw, alice, 'numbers', 40);
    runId = await insertCompletedRun(gw, id, 0.5);
  });
  afterAll(async () => {
    await gw?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  /** The row count of column x as the statistics show it, and how the read was served. */
  async function statistics(): Promise<{ count: number; served: { hits: number; misses: number } }> {
    const r = await gw.gql(DatasetStatisticsDocument, { id });
    expect(r.errors).toBeUndefined();
    return { count: r.data!.dataset!.statistics.find((s) => s.column === 'x')!.count, served: cacheOf(r)['Dataset.statistics'] };
  }

  /** Appends rows without the mutation, so nothing is invalidated: the cache now holds old statistics. */
  async function appendBehindTheCache(): Promise<number> {
    const before = await statistics();
    await gw.gateway.services.datasets.append(id, csv(5, 1000 + appended), { id: 'alice', role: 'user' });
    appended += 5;
    const stale = await statistics();
    expect(stale).toEqual({ count: before.count, served: HIT });
    return before.count + 5;
  }

  it('invalidateDatasetCache', async () => {
    await statistics();
    const expected = await appendBehindTheCache();
    const r = await gw.gql(InvalidateDatasetCacheDocument, { datasetId: id }, { token: admin });
    expect(r.data?.invalidateDatasetCache).toEqual({ invalidated: 1, tags: [`Dataset:${id}`], deletedKeys: 0, dryRun: false });
    expect(await statistics()).toEqual({ count: expected, served: MISS });
    expect((await statistics()).served).toEqual(HIT);
  });

  it('invalidateCacheTags', async () => {
    const expected = await appendBehindTheCache();
    const r = await gw.gql(InvalidateCacheTagsDocument, { tags: [`Dataset:${id}`, `Dataset:${id}`, 'Nothing:here'] }, { token: admin });
    expect(r.data?.invalidateCacheTags).toEqual({ invalidated: 2, tags: [`Dataset:${id}`, 'Nothing:here'], deletedKeys: 0, dryRun: false });
    expect(await statistics()).toEqual({ count: expected, served: MISS });
  });

  it('invalidateCacheKey', async () => {
    const expected = await appendBehindTheCache();
    const [key] = (await keysUnder(SHARED_REDIS_URL, prefix)).filter((k) => k.endsWith(`:f:Dataset.statistics:${id}:-`));
    expect(key).toBeDefined();
    const r = await gw.gql(InvalidateCacheKeyDocument, { key }, { token: admin });
    expect(r.data?.invalidateCacheKey).toEqual({ invalidated: 1, tags: [], deletedKeys: 1, dryRun: false });
    expect(await statistics()).toEqual({ count: expected, served: MISS });
    // Deleting it again finds nothing.
    await gw.gql(InvalidateCacheKeyDocument, { key }, { token: admin });
    expect((await gw.gql(InvalidateCacheKeyDocument, { key: `${key}-absent` }, { token: admin })).data?.invalidateCacheKey.deletedKeys).toBe(0);
  });

  it('invalidateCachePattern deletes only the keys the pattern matches', async () => {
    expect(cacheOf(await gw.gql(DatasetEdaDocument, { id }))['Dataset.eda']).toBeDefined();
    expect(cacheOf(await gw.gql(DatasetEdaDocument, { id }))['Dataset.eda']).toEqual(HIT);
    const expected = await appendBehindTheCache();
    const r = await gw.gql(InvalidateCachePatternDocument, { pattern: '*:f:Dataset.statistics:*' }, { token: admin });
    expect(r.data?.invalidateCachePattern).toEqual({ invalidated: 1, tags: [], deletedKeys: 1, dryRun: false });
    expect(await statistics()).toEqual({ count: expected, served: MISS });
    expect(cacheOf(await gw.gql(DatasetEdaDocument, { id }))['Dataset.eda']).toEqual(HIT);
  });

  it('invalidateModelCache (the run id in any case)', async () => {
    const metrics = async () => {
      const r = await gw.gql(ModelRunMetricsDocument, { id: runId });
      expect(r.errors).toBeUndefined();
      return { accuracy: r.data!.modelRun!.metrics!.accuracy, served: cacheOf(r)['ModelRun.metrics'] };
    };
    await metrics();
    expect(await metrics()).toEqual({ accuracy: 0.5, served: HIT });
    await gw.gateway.db.query(`UPDATE model_run SET metrics = jsonb_set(metrics, '{accuracy}', '0.75') WHERE id = $1`, [runId]);
    expect(await metrics()).toEqual({ accuracy: 0.5, served: HIT });
    const r = await gw.gql(InvalidateModelCacheDocument, { modelRunId: runId.toUpperCase() }, { token: admin });
    expect(r.data?.invalidateModelCache).toEqual({ invalidated: 1, tags: [`ModelRun:${runId}`], deletedKeys: 0, dryRun: false });
    expect(await metrics()).toEqual({ accuracy: 0.75, served: MISS });
  });

  it("invalidateUserCache: the user's tag and private entries, nobody else's", async () => {
    const mine = async (token: string) => {
      const r = await gw.gql(MyProgressDocument, {}, { token });
      return { completed: r.data!.myProgress.completedCount, served: cacheOf(r)['Query.myProgress'] };
    };
    const asAdmin = async () => {
      const r = await gw.gql(UserProgressDocument, { userId: 'alice' }, { token: admin });
      return { completed: r.data!.userProgress.completedCount, served: cacheOf(r)['Query.userProgress'] };
    };
    await mine(alice);
    await mine(bob);
    await asAdmin();
    await gw.gateway.services.progress.complete('alice', 'browse-datasets');
    expect(await mine(alice)).toEqual({ completed: 0, served: HIT });
    expect(await asAdmin()).toEqual({ completed: 0, served: HIT });

    const r = await gw.gql(InvalidateUserCacheDocument, { userId: 'alice' }, { token: admin });
    // Alice's own myProgress entry is deleted; the admin's view of her (keyed by the admin) goes by her tag.
    expect(r.data?.invalidateUserCache).toEqual({ invalidated: 2, tags: ['User:alice'], deletedKeys: 1, dryRun: false });
    expect(await mine(alice)).toEqual({ completed: 1, served: MISS });
    expect(await asAdmin()).toEqual({ completed: 1, served: MISS });
    expect(await mine(bob)).toEqual({ completed: 0, served: HIT });
  });

  it('escapes glob characters in a user id: "a*" is not "ab"', async () => {
    const star = await gw.token('a*');
    const ab = await gw.token('ab');
    for (const t of [star, ab]) await gw.gql(MyProgressDocument, {}, { token: t });
    const r = await gw.gql(InvalidateUserCacheDocument, { userId: 'a*' }, { token: admin });
    expect(r.data?.invalidateUserCache).toMatchObject({ tags: ['User:a*'], deletedKeys: 1 });
    expect(cacheOf(await gw.gql(MyProgressDocument, {}, { token: ab }))['Query.myProgress']).toEqual(HIT);
    expect(cacheOf(await gw.gql(MyProgressDocument, {}, { token: star }))['Query.myProgress']).toEqual(MISS);
  });

  it('clearCache: every read misses afterwards, and only the bookkeeping (stats hashes, rate-limit counters) stays', async () => {
    await statistics();
    await gw.gql(MyProgressDocument, {}, { token: bob });
    const before = await keysUnder(SHARED_REDIS_URL, prefix);
    const cacheKeys = before.filter((k) => !isBookkeepingKey({ prefix }, k));
    expect(cacheKeys.length).toBeGreaterThan(3);
    const r = await gw.gql(ClearCacheDocument, {}, { token: admin });
    expect(r.data?.clearCache).toEqual({ invalidated: cacheKeys.length, tags: [], deletedKeys: cacheKeys.length, dryRun: false });
    const after = await keysUnder(SHARED_REDIS_URL, prefix);
    expect(after.filter((k) => !isBookkeepingKey({ prefix }, k))).toEqual([]);
    expect(after.filter((k) => k.startsWith(`${prefix}:stats:`))).toEqual(before.filter((k) => k.startsWith(`${prefix}:stats:`)));
    expect((await statistics()).served).toEqual(MISS);
    expect(cacheOf(await gw.gql(MyProgressDocument, {}, { token: bob }))['Query.myProgress']).toEqual(MISS);
  });

  it('refuses malformed tags, more than 1,000 tags and malformed patterns, with BAD_USER_INPUT', async () => {
    const before = await snapshot(prefix);
    expect(codes(await gw.gql(InvalidateCacheTagsDocument, { tags: ['not a tag'] }, { token: admin }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gw.gql(InvalidateCacheTagsDocument, { tags: ['Dataset:'] }, { token: admin }))).toEqual(['BAD_USER_INPUT']);
    const many = Array.from({ length: 1001 }, (_, i) => `Dataset:${i}`);
    expect(codes(await gw.gql(InvalidateCacheTagsDocument, { tags: many }, { token: admin }))).toEqual(['BAD_USER_INPUT']);
    expect(
      (await gw.gql(InvalidateCacheTagsDocument, { tags: many.slice(0, 1000), dryRun: true }, { token: admin })).data?.invalidateCacheTags
        .invalidated,
    ).toBe(1000);
    for (const pattern of ['', '[abc', 'x\\', '[a-]']) {
      expect(codes(await gw.gql(InvalidateCachePatternDocument, { pattern }, { token: admin }))).toEqual(['BAD_USER_INPUT']);
    }
    expect(codes(await gw.gql(InvalidateCacheKeyDocument, { key: 'other-app:x' }, { token: admin }))).toEqual(['BAD_USER_INPUT']);
    expect(await snapshot(prefix)).toEqual(before);
  });
});

describe('admin invalidation with dryRun changes nothing', () => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let admin: string;
  let alice: string;
  let id: string;
  let runId: string;

  beforeAll(async () => {
    gw = await startTestGateway(
      'postgres',
      { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, ...FIELD_CACHING_ONLY },
      { parts: WITHOUT_RELAY },
    );
    await gw.gateway.services.progress.seedSteps();
    admin = await gw.token('root', 'admin');
    alice = await gw.token('alice');
    id = await createDataset(gw, alice, 'numbers', 30);
    runId = await insertCompletedRun(gw, id, 0.5);
  });
  afterAll(async () => {
    await gw?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  const cases = () =>
    [
      ['invalidateCacheTags', InvalidateCacheTagsDocument, { tags: [`Dataset:${id}`] }],
      ['invalidateCacheKey', InvalidateCacheKeyDocument, { key: '' }],
      ['invalidateCachePattern', InvalidateCachePatternDocument, { pattern: '*:f:Dataset.*' }],
      ['invalidateUserCache', InvalidateUserCacheDocument, { userId: 'alice' }],
      ['invalidateDatasetCache', InvalidateDatasetCacheDocument, { datasetId: id }],
      ['invalidateModelCache', InvalidateModelCacheDocument, { modelRunId: runId }],
      ['clearCache', ClearCacheDocument, {}],
    ] as const;

  it.each([
    'invalidateCacheTags',
    'invalidateCacheKey',
    'invalidateCachePattern',
    'invalidateUserCache',
    'invalidateDatasetCache',
    'invalidateModelCache',
    'clearCache',
  ])('%s: counts what the real call then invalidates, and writes nothing', async (name) => {
    const [, doc, rawVars] = cases().find(([n]) => n === name)!;
    await warm();
    const vars: Record<string, unknown> = { ...rawVars };
    if (name === 'invalidateCacheKey')
      vars.key = (await keysUnder(SHARED_REDIS_URL, prefix)).find((k) => k.endsWith(`:f:Dataset.statistics:${id}:-`));
    const before = await snapshot(prefix);

    const dry = (await gw.gql(doc as any, { ...vars, dryRun: true }, { token: admin })) as any;
    expect(dry.errors).toBeUndefined();
    const dryResult = Object.values(dry.data)[0] as { invalidated: number; dryRun: boolean };
    expect(dryResult.dryRun).toBe(true);
    expect(dryResult.invalidated).toBeGreaterThan(0);
    expect(await snapshot(prefix)).toEqual(before);
    expect((await gw.gql(DatasetStatisticsDocument, { id })).extensions).toMatchObject({ cache: { fields: { 'Dataset.statistics': HIT } } });

    const real = (await gw.gql(doc as any, vars, { token: admin })) as any;
    expect({ ...(Object.values(real.data)[0] as object), dryRun: true }).toEqual(dryResult);
    expect(await snapshot(prefix)).not.toEqual(before);
  });

  /** Fills the entries every case touches. */
  async function warm(): Promise<void> {
    await gw.gql(DatasetStatisticsDocument, { id });
    await gw.gql(DatasetEdaDocument, { id });
    await gw.gql(MyProgressDocument, {}, { token: alice });
    await gw.gql(ModelRunMetricsDocument, { id: runId });
  }
});

describe('admin invalidation reaches the in-process tier of every instance', () => {
  const prefix = testPrefix();
  let pair: Awaited<ReturnType<typeof startGatewayPair>>;
  let a: TestGateway;
  let b: TestGateway;
  let admin: string;
  let id: string;

  beforeAll(async () => {
    pair = await startGatewayPair('postgres', {
      REDIS_URL: SHARED_REDIS_URL,
      REDIS_CACHE_PREFIX: prefix,
      CACHE_L1_MAX_BYTES: String(16 * 1024 * 1024),
      ...FIELD_CACHING_ONLY,
    });
    [a, b] = pair;
    admin = await a.token('root', 'admin');
    id = await createDataset(a, await a.token('alice'), 'numbers');
  });
  afterAll(async () => {
    await pair?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it.each([
    ['invalidateCachePattern', InvalidateCachePatternDocument, { pattern: '*:f:Dataset.statistics:*' }],
    ['clearCache', ClearCacheDocument, {}],
  ] as const)('%s on one instance drops the entry from the other instance’s memory', async (_name, doc, vars) => {
    await a.gql(DatasetStatisticsDocument, { id });
    expect(cacheOf(await b.gql(DatasetStatisticsDocument, { id }))['Dataset.statistics']).toEqual(HIT);
    const entriesOfB = () => b.gateway.cache.state().memory!.entries;
    const held = entriesOfB();
    expect(held).toBeGreaterThan(0);

    expect(((await a.gql(doc as any, vars, { token: admin })) as any).errors).toBeUndefined();
    // The message travels over Redis pub/sub; B drops the key when it arrives.
    await waitFor(() => entriesOfB() < held, 'B to drop the entry from its in-process tier');
    expect(cacheOf(await b.gql(DatasetStatisticsDocument, { id }))['Dataset.statistics']).toEqual(MISS);
  });
});

/** A COMPLETED run written straight into the database (as a trainer leaves it), with the metrics given. */
async function insertCompletedRun(gw: TestGateway, datasetId: string, accuracy: number): Promise<string> {
  const metrics = {
    accuracy,
    precision: 0.5,
    recall: 0.5,
    f1: 0.5,
    classes: ['even', 'odd'],
    confusionMatrix: [
      [1, 1],
      [1, 1],
    ],
    trainRows: 8,
    testRows: 4,
    usableRows: 12,
    droppedRows: 0,
    trainingMs: 1,
  };
  const [row] = await gw.gateway.db.query<{ id: string }>(
    `INSERT INTO model_run (dataset_id, name, algorithm, target, features, seed, status, attempts, metrics, feature_importance, started_at, completed_at)
     VALUES ($1, 'inserted by the test', 'DECISION_TREE', 'label', '["x","y"]'::jsonb, 7, 'COMPLETED', 1, $2::jsonb, '[]'::jsonb, now(), now())
     RETURNING id`,
    [Number(datasetId), JSON.stringify(metrics)],
  );
  return row.id;
}

/** Every key under the prefix with its value and whether it expires: what a write would change. */
async function snapshot(prefix: string): Promise<Record<string, string>> {
  const redis = new Redis(SHARED_REDIS_URL);
  try {
    const out: Record<string, string> = {};
    for (const key of await keysUnder(SHARED_REDIS_URL, prefix)) {
      // Bookkeeping (stats, rate-limit counters that every executed request moves) is not the cache.
      if (isBookkeepingKey({ prefix }, key)) continue;
      const value = await redis.getBuffer(key);
      out[key] = value ? value.toString('base64') : '(none)';
    }
    return out;
  } finally {
    redis.disconnect();
  }
}
