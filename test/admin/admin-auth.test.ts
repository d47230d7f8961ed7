import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  CacheEntryDocument,
  CacheHealthDocument,
  CacheStatsDocument,
  ClearCacheDocument,
  DatasetStatisticsDocument,
  InvalidateCacheKeyDocument,
  InvalidateCachePatternDocument,
  InvalidateCacheTagsDocument,
  InvalidateDatasetCacheDocument,
  InvalidateModelCacheDocument,
  InvalidateUserCacheDocument,
  ResetCacheStatsDocument,
} from '../generated/graphql';
import { createDataset } from '../helpers/datasets';
import { codes, startTestGateway, type TestGateway } from '../helpers/gateway';
import { keysUnder, OwnRedis } from '../helpers/redis';
import { statsOf } from './helpers';

/**
 * Every admin field, one by one: without a token UNAUTHENTICATED, with a user's token
 * FORBIDDEN, and Redis (a server of the test's own, where INFO commandstats sees only this
 * gateway) receives no command at all, writes included: @Authorized runs before the resolver.
 */
describe('admin fields refuse non-admins before touching Redis', () => {
  let redis: OwnRedis;
  let gw: TestGateway;
  let admin: string;
  let user: string;
  let id: string;
  let key: string;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    // No background traffic in the counts: no in-process tier (its heartbeat PUBLISHes every
    // 100 ms), no relay (it reads the watermark every 250 ms) and no rate limit (its one EVAL per
    // executed request is counted in test/server/rate-limit.test.ts); what is counted is the cache's.
    gw = await startTestGateway(
      'postgres',
      { REDIS_URL: redis.url, REDIS_CACHE_PREFIX: 'authtest', CACHE_L1_MAX_BYTES: '0', RATE_LIMIT_POINTS: '0' },
      { parts: { relay: () => undefined } },
    );
    admin = await gw.token('root', 'admin');
    user = await gw.token('alice');
    id = await createDataset(gw, user, 'numbers');
    await gw.gql(DatasetStatisticsDocument, { id });
    [key] = (await keysUnder(redis.url, 'authtest')).filter((k) => k.includes(':f:Dataset.statistics:'));
    // Sends the counts of the setup now, so no stats flush falls inside a measurement.
    await statsOf(gw, admin);
  });
  afterAll(async () => {
    await gw?.close();
    await redis?.stop();
  });

  const fields: [string, TypedDocumentNode<any, any>, () => Record<string, unknown>][] = [
    ['cacheStats', CacheStatsDocument, () => ({})],
    ['cacheEntry', CacheEntryDocument, () => ({ key })],
    ['invalidateCacheTags', InvalidateCacheTagsDocument, () => ({ tags: [`Dataset:${id}`] })],
    ['invalidateCacheKey', InvalidateCacheKeyDocument, () => ({ key })],
    ['invalidateCachePattern', InvalidateCachePatternDocument, () => ({ pattern: '*' })],
    ['invalidateUserCache', InvalidateUserCacheDocument, () => ({ userId: 'alice' })],
    ['invalidateDatasetCache', InvalidateDatasetCacheDocument, () => ({ datasetId: id })],
    ['invalidateModelCache', InvalidateModelCacheDocument, () => ({ modelRunId: '00000000-0000-4000-8000-000000000000' })],
    ['clearCache', ClearCacheDocument, () => ({})],
    ['resetCacheStats', ResetCacheStatsDocument, () => ({})],
  ];

  it.each(fields.map(([name]) => name))('%s: UNAUTHENTICATED without a token, FORBIDDEN for a user, and no Redis command', async (name) => {
    const [, doc, vars] = fields.find(([n]) => n === name)!;
    await redis.resetStats();
    const anonymous = await gw.gql(doc, vars());
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    // No data leaks: null all the way up (a non-null field) or the nullable field itself null.
    expect(Object.values(anonymous.data ?? {}).every((v) => v === null)).toBe(true);
    const asUser = await gw.gql(doc, vars(), { token: user });
    expect(codes(asUser)).toEqual(['FORBIDDEN']);
    expect(await redis.commandCalls()).toEqual({});
  });

  it('the same measurement sees an admin call: clearCache as admin scans and unlinks', async () => {
    await redis.resetStats();
    const r = await gw.gql(ClearCacheDocument, {}, { token: admin });
    expect(r.data?.clearCache.deletedKeys).toBeGreaterThan(0);
    const calls = await redis.commandCalls();
    expect(calls.scan).toBeGreaterThan(0);
    expect(calls.unlink).toBeGreaterThan(0);
  });

  it('cacheHealth is open to everyone (it reads, with a PING)', async () => {
    await redis.resetStats();
    const r = await gw.gql(CacheHealthDocument, {});
    expect(r.errors).toBeUndefined();
    expect(r.data?.cacheHealth).toMatchObject({ healthy: true, backend: 'redis', circuit: 'closed' });
    expect(await redis.commandCalls()).toEqual({ ping: 1 });
  });
});
