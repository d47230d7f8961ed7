import { Cluster } from 'ioredis';
import { RedisAdminStore } from '../../src/cache/admin-store';
import { isBookkeepingKey, tagKey, watermarkKey } from '../../src/cache/keys';
import { MemoryStore } from '../../src/cache/memory-store';
import { RedisInvalidationSink } from '../../src/cache/redis-invalidation-sink';
import { StatsRecorder } from '../../src/cache/stats';
import { TaggedCache } from '../../src/cache/tagged-cache';
import { silentLogger } from '../cache/helpers';
import { sleep } from '../helpers/async';
import { openTestDatabase, type TestDatabase } from '../helpers/databases';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { post } from '../helpers/http';
import { OwnRedisCluster } from '../helpers/redis-cluster';
import { testPrefix } from '../helpers/redis';

/**
 * The invalidation log on a Redis Cluster: the relay's writes (tag versions, the watermark, the
 * message) are one script in the slot the versions share, as on one Redis.
 */
const READ = 'query R($id: ID!) { dataset(id: $id) { name rowCount statistics { count } } }';
const HEALTH = '{ cacheHealth { invalidation { watermark logPosition pending lag failures } } }';

/** Every key under match on every master of the cluster (SCAN per master). */
async function keysOn(client: Cluster, match: string): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of new RedisAdminStore(client).scan(match, 500)) out.push(...batch);
  return [...new Set(out)].sort();
}

/** Reads until check passes (the other instance hears the invalidation over pub/sub); fails after 5 s. */
async function readUntil(gw: TestGateway, id: string, check: (d: any) => boolean): Promise<any> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = await post(gw.url, { query: READ, variables: { id } });
    if (check(r.json.data.dataset)) return r;
    if (Date.now() > deadline) throw new Error(`still stale: ${JSON.stringify(r.json.data)}`);
    await sleep(20);
  }
}

describe('gateways on a Redis Cluster apply the invalidation log', () => {
  let cluster: OwnRedisCluster;
  let client: Cluster;
  let database: TestDatabase;
  let a: TestGateway;
  let b: TestGateway;
  let admin: Record<string, string>;
  const prefix = testPrefix();

  beforeAll(async () => {
    cluster = await OwnRedisCluster.start();
    client = new Cluster(cluster.seeds);
    database = await openTestDatabase('postgres');
    const env = { REDIS_CLUSTER_NODES: cluster.seedList, REDIS_CACHE_PREFIX: prefix };
    // Two instances, each with its in-process tier: the second hears the first's changes over pub/sub.
    a = await startTestGateway(database.db, env);
    b = await startTestGateway(database.db, env);
    admin = { authorization: `Bearer ${await a.token('ops', 'admin')}` };
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.dispose();
    client?.disconnect();
    await cluster?.stop();
  });

  async function createWarm(name: string): Promise<string> {
    const created = await post(a.url, { query: `mutation { createDataset(name: "${name}", csv: "x\\n1\\n2") { id } }` }, admin);
    const id = created.json.data.createDataset.id as string;
    for (const gw of [a, a, b]) await post(gw.url, { query: READ, variables: { id } });
    for (const gw of [a, b]) expect((await post(gw.url, { query: READ, variables: { id } })).headers.get('x-cache')).toBe('HIT');
    return id;
  }

  it("a mutation's invalidation reaches both instances, and the watermark follows the log", async () => {
    const id = await createWarm('cluster-mutation');
    const appended = await post(a.url, { query: `mutation { appendDatasetRows(id: "${id}", csv: "x\\n3") { rowCount } }` }, admin);
    expect(appended.json.errors).toBeUndefined();
    expect(appended.json.data.appendDatasetRows.rowCount).toBe(3);
    // The writer's own instance has it as soon as the mutation answers.
    const own = await post(a.url, { query: READ, variables: { id } });
    expect(own.json.data.dataset).toMatchObject({ rowCount: 3, statistics: [{ count: 3 }] });
    await readUntil(b, id, (d) => d.rowCount === 3 && d.statistics[0].count === 3);
    // The health shows Redis's watermark as A's relay last read it: when B's relay applied the
    // record, A sees the new watermark at its next poll (250 ms), not at once.
    const deadline = Date.now() + 2000;
    let health = (await post(a.url, { query: HEALTH }, admin)).json.data.cacheHealth.invalidation;
    while (health.lag > 0 && Date.now() < deadline) {
      await sleep(50);
      health = (await post(a.url, { query: HEALTH }, admin)).json.data.cacheHealth.invalidation;
    }
    expect(health).toMatchObject({ pending: 0, lag: 0, failures: 0 });
    expect(health.watermark).toBe(health.logPosition);
    expect(health.watermark).toBeGreaterThan(0);
    expect(Number(await client.get(watermarkKey({ prefix })))).toBe(health.logPosition);
  });

  it('a write made directly in the database is picked up through the relay', async () => {
    const id = await createWarm('cluster-direct');
    await database.db.query("UPDATE dataset SET name = 'renamed in the database' WHERE id = $1", [id]);
    await readUntil(a, id, (d) => d.name === 'renamed in the database');
    await readUntil(b, id, (d) => d.name === 'renamed in the database');
  });

  it('clearCache deletes the prefix on every master and nothing else; key counts see every master', async () => {
    await createWarm('cluster-clear');
    // Other applications' keys, spread over the slots: some share the prefix's first letters.
    const foreign = Array.from({ length: 30 }, (_, i) => (i % 2 ? `${prefix}x:k${i}` : `other-${prefix}:k${i}`));
    await Promise.all(foreign.map((k) => client.set(k, 'theirs')));
    const ours = await keysOn(client, `${prefix}:*`);
    const mastersHolding = new Set(await Promise.all(ours.map(async (k) => (await cluster.masterOf(k)).port)));
    expect(mastersHolding.size).toBeGreaterThan(1);

    const stats = (await post(a.url, { query: '{ cacheStats { keyCount } }' }, admin)).json.data.cacheStats;
    const bookkeeping = ours.filter((k) => isBookkeepingKey({ prefix }, k));
    expect(stats.keyCount).toBe(ours.length - bookkeeping.length);

    const cleared = await post(a.url, { query: 'mutation { clearCache { deletedKeys } }' }, admin);
    expect(cleared.json.data.clearCache.deletedKeys).toBe(ours.length - bookkeeping.length);
    const left = await keysOn(client, `${prefix}:*`);
    expect(left).toContain(watermarkKey({ prefix }));
    expect(left.filter((k) => !isBookkeepingKey({ prefix }, k))).toEqual([]);
    expect(await Promise.all(foreign.map((k) => client.get(k)))).toEqual(foreign.map(() => 'theirs'));
    await Promise.all(foreign.map((k) => client.del(k)));
  });
});

describe('the relay on a cluster applies records in one script, all or nothing', () => {
  let cluster: OwnRedisCluster;
  let client: Cluster;
  beforeAll(async () => {
    cluster = await OwnRedisCluster.start();
    client = new Cluster(cluster.seeds);
  });
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('a master that does not answer fails the whole application; applied again later, it raises the watermark', async () => {
    const space = { prefix: testPrefix(), schemaVersion: 'stest' };
    const relayClient = new Cluster(cluster.seeds, { redisOptions: { commandTimeout: 500 } });
    const values = new TaggedCache({
      store: new MemoryStore(1024 * 1024),
      space,
      stats: new StatsRecorder(),
      logger: silentLogger,
      compressMinBytes: 1024,
      maxEntryBytes: 1024,
    });
    const sink = new RedisInvalidationSink({ client: relayClient, space, channel: `${space.prefix}:invalidations`, values, logger: silentLogger });
    try {
      const watermarkMaster = await cluster.masterOf(watermarkKey(space));
      // The versions and the watermark share one slot, so one master and one script.
      const tags = Array.from({ length: 12 }, (_, i) => `Thing:${i}`);
      const tagKeys = tags.map((t) => tagKey(space, t));
      const owners = await Promise.all(tagKeys.map((k) => cluster.masterOf(k)));
      expect(new Set(owners.map((o) => o.port))).toEqual(new Set([watermarkMaster.port]));
      const victim = watermarkMaster;

      await sink.apply(tags, 1, 0);
      expect(await client.get(watermarkKey(space))).toBe('1');
      const before = await Promise.all(tagKeys.map((k) => client.get(k)));
      expect(before.every((v) => v !== null)).toBe(true);

      // Their master stops answering writes: nothing of the application is taken.
      const paused = victim.connect();
      await paused.client('PAUSE', 10_000, 'WRITE');
      await expect(sink.apply(tags, 2, 1)).rejects.toThrow();
      expect(await client.get(watermarkKey(space))).toBe('1');
      expect(await Promise.all(tagKeys.map((k) => client.get(k)))).toEqual(before);

      // Once it answers, the records are applied again whole: every version new, the watermark raised.
      await paused.client('UNPAUSE');
      paused.disconnect();
      await sink.apply(tags, 2, 1);
      expect(await client.get(watermarkKey(space))).toBe('2');
      const after = await Promise.all(tagKeys.map((k) => client.get(k)));
      after.forEach((v, i) => expect(v).not.toBe(before[i]));
    } finally {
      relayClient.disconnect();
    }
  });
});
