import { openTestDatabase, type TestDatabase } from '../helpers/databases';
import { TEST_JWT_SECRET } from '../helpers/gateway';
import { type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process';
import { post } from '../helpers/http';
import { OwnRedis } from '../helpers/redis';
import { signToken } from '../../src/server/auth';

const QUERY = 'query S($id: ID!) { dataset(id: $id) { rowCount statistics { count } } }';

/**
 * Issue 21: every instance announces its invalidations, whatever its own tiers. A runs Redis
 * alone (CACHE_L1_MAX_BYTES=0), B an in-process tier in front of the same Redis: what A changes,
 * by a mutation or an admin invalidation, must not be served from B's memory on B's next read.
 */
describe('an instance without the in-process tier, beside one with it', () => {
  let redis: OwnRedis;
  let database: TestDatabase;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let user: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    database = await openTestDatabase('postgres');
    const env = { DATABASE_URL: database.url!, REDIS_URL: redis.url, REDIS_CACHE_PREFIX: 'mixed', CACHE_DEBUG: '1', CACHE_RESPONSES: '0' };
    a = await startGatewayProcess({ ...env, CACHE_L1_MAX_BYTES: '0' });
    b = await startGatewayProcess({ ...env, CACHE_L1_MAX_BYTES: String(32 * 1024 * 1024) });
    user = { authorization: `Bearer ${await signToken(TEST_JWT_SECRET, { id: 'writer', role: 'user' })}` };
    admin = { authorization: `Bearer ${await signToken(TEST_JWT_SECRET, { id: 'root', role: 'admin' })}` };
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.dispose();
    await redis?.stop();
  });

  /** B reads twice, so its in-process tier holds the entry and its tags' versions. */
  async function warmB(id: string): Promise<void> {
    await post(b.url, { query: QUERY, variables: { id } });
    const warm = await post(b.url, { query: QUERY, variables: { id } });
    expect(warm.json.extensions.cache.fields['Dataset.statistics']).toEqual({ hits: 1, misses: 0 });
  }

  it('a mutation on A is seen fresh on B’s very next read', async () => {
    const created = await post(a.url, { query: 'mutation { createDataset(name: "m", csv: "x\\n1\\n2") { id } }' }, user);
    const id = created.json.data.createDataset.id;
    await warmB(id);
    const appended = await post(a.url, { query: `mutation { appendDatasetRows(id: "${id}", csv: "x\\n3") { rowCount } }` }, user);
    expect(appended.json.data.appendDatasetRows.rowCount).toBe(3);
    expect((await post(b.url, { query: QUERY, variables: { id } })).json.data.dataset).toEqual({ rowCount: 3, statistics: [{ count: 3 }] });
  });

  it('an admin invalidation on A drops the entry from B’s memory before B’s very next read', async () => {
    const created = await post(a.url, { query: 'mutation { createDataset(name: "i", csv: "x\\n1") { id } }' }, user);
    const id = created.json.data.createDataset.id;
    await warmB(id);
    const r = await post(a.url, { query: 'mutation { invalidateCachePattern(pattern: "*:f:Dataset.statistics:*") { deletedKeys } }' }, admin);
    expect(r.json.data.invalidateCachePattern.deletedKeys).toBeGreaterThan(0);
    const next = await post(b.url, { query: QUERY, variables: { id } });
    expect(next.json.extensions.cache.fields['Dataset.statistics']).toEqual({ hits: 0, misses: 1 });
  });

  it('an admin tag invalidation on A makes B’s very next read a miss', async () => {
    const created = await post(a.url, { query: 'mutation { createDataset(name: "t", csv: "x\\n1") { id } }' }, user);
    const id = created.json.data.createDataset.id;
    await warmB(id);
    await post(a.url, { query: `mutation { invalidateCacheTags(tags: ["Dataset:${id}"]) { invalidated } }` }, admin);
    const next = await post(b.url, { query: QUERY, variables: { id } });
    expect(next.json.extensions.cache.fields['Dataset.statistics']).toEqual({ hits: 0, misses: 1 });
  });
});
