import pg from 'pg';
import { sleep } from '../helpers/async';
import { DATABASE_KINDS, type DatabaseKind, openTestDatabase, type TestDatabase } from '../helpers/databases';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { post } from '../helpers/http';
import { PLANTED, StalledRelay } from '../helpers/planted-bugs';
import { deletePrefix, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

/**
 * Invalidation that cannot be lost: every committed write to a tracked table reaches the cache
 * through the database's log, whoever wrote it and whichever gateway died after committing.
 */
const READ = 'query R($id: ID!) { dataset(id: $id) { name rowCount statistics { count } } }';

/** Reads until check passes; resolves with how long it took in milliseconds, or fails after timeoutMs. */
async function freshWithin(gw: TestGateway, id: string, check: (d: any) => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const r = await post(gw.url, { query: READ, variables: { id } });
    if (check(r.json.data.dataset)) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`still stale after ${timeoutMs} ms: ${JSON.stringify(r.json.data)}`);
    await sleep(10);
  }
}

async function createAndWarm(gw: TestGateway, token: string, name: string): Promise<string> {
  const created = await post(
    gw.url,
    { query: `mutation { createDataset(name: "${name}", csv: "x\\n1\\n2") { id } }` },
    { authorization: `Bearer ${token}` },
  );
  const id = created.json.data.createDataset.id as string;
  await post(gw.url, { query: READ, variables: { id } });
  const warm = await post(gw.url, { query: READ, variables: { id } });
  expect(warm.headers.get('x-cache')).toBe('HIT');
  return id;
}

describe.each(DATABASE_KINDS)('a write made directly in the database (%s)', (kind: DatabaseKind) => {
  let database: TestDatabase;
  let gw: TestGateway;
  const prefix = testPrefix();

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    gw = await startTestGateway(database.db, { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix });
  });
  afterAll(async () => {
    await gw?.close();
    await database?.dispose();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('is seen through the gateway within 1 s (an UPDATE as psql would send it)', async () => {
    const id = await createAndWarm(gw, await gw.token('writer'), 'direct');
    if (kind === 'postgres') {
      // A connection of its own, as psql, a script or a migration would have.
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query("UPDATE dataset SET name = 'renamed by psql' WHERE id = $1", [id]);
      await client.end();
    } else {
      await database.db.query("UPDATE dataset SET name = 'renamed by psql' WHERE id = $1", [id]);
    }
    expect(await freshWithin(gw, id, (d) => d.name === 'renamed by psql', 1000)).toBeLessThan(1000);
  });

  it('the planted gateway that applies only its own mutations never sees it', async () => {
    const planted = await startTestGateway(
      database.db,
      { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: `${prefix}-own` },
      { parts: PLANTED['only-own-writes-applied'] },
    );
    try {
      const id = await createAndWarm(planted, await planted.token('writer'), 'own');
      await database.db.query("UPDATE dataset SET name = 'unseen' WHERE id = $1", [id]);
      await expect(freshWithin(planted, id, (d) => d.name === 'unseen', 1500)).rejects.toThrow('still stale');
    } finally {
      await planted.close();
      await deletePrefix(SHARED_REDIS_URL, `${prefix}-own`);
    }
  });
});

describe('a gateway that dies between its commit and applying it', () => {
  let database: TestDatabase;
  let crashing: TestGateway;
  let survivor: TestGateway;
  const prefix = testPrefix();

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    const env = { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, CACHE_INVALIDATION_WAIT_MS: '150' };
    // The crashing gateway commits, but its relay never applies (as if killed right after the commit).
    crashing = await startTestGateway(database.db, env, { parts: PLANTED['commit-then-crash'] });
    survivor = await startTestGateway(database.db, env);
  });
  afterAll(async () => {
    await Promise.all([crashing?.close(), survivor?.close()]);
    await database?.dispose();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('another gateway applies its invalidation within 1 s; the writer answers, saying it is pending', async () => {
    const token = await survivor.token('writer');
    const id = await createAndWarm(survivor, token, 'crash');
    await sleep(300); // every relay has applied the create
    const appended = await post(
      crashing.url,
      { query: `mutation { appendDatasetRows(id: "${id}", csv: "x\\n3") { rowCount } }` },
      { authorization: `Bearer ${token}` },
    );
    const answeredAt = performance.now();
    expect(appended.json.data.appendDatasetRows.rowCount).toBe(3);
    expect(appended.json.extensions?.invalidation).toEqual({ status: 'PENDING' });
    await freshWithin(survivor, id, (d) => d.rowCount === 3 && d.statistics[0].count === 3, 1000);
    expect(performance.now() - answeredAt).toBeLessThan(1000);
  });

  it('a mutation whose relay applies answers without a pending invalidation', async () => {
    const token = await survivor.token('writer');
    const id = await createAndWarm(survivor, token, 'healthy');
    const appended = await post(
      survivor.url,
      { query: `mutation { appendDatasetRows(id: "${id}", csv: "x\\n3") { rowCount } }` },
      { authorization: `Bearer ${token}` },
    );
    expect(appended.json.extensions?.invalidation).toBeUndefined();
    const next = await post(survivor.url, { query: READ, variables: { id } });
    expect(next.json.data.dataset.rowCount).toBe(3);
  });
});

describe('a write whose log record is not applied within the wait (the log stalled, the database slow)', () => {
  let database: TestDatabase;
  const gateways: TestGateway[] = [];
  const prefix = testPrefix();

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    const env = { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, CACHE_INVALIDATION_WAIT_MS: '150' };
    // No relay applies anything: only the writer's own invalidation can make the write visible.
    for (let i = 0; i < 2; i++) gateways.push(await startTestGateway(database.db, env, { parts: { relay: (o) => new StalledRelay(o) } }));
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await database?.dispose();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('answers PENDING, and from then on no instance serves the old value', async () => {
    const [writer, other] = gateways;
    const token = await writer.token('writer');
    const created = await post(
      writer.url,
      { query: 'mutation { createDataset(name: "stalled", csv: "x\\n1\\n2") { id } }' },
      { authorization: `Bearer ${token}` },
    );
    const id = created.json.data.createDataset.id as string;
    // The writer treats its own pending changes as changed; the other instance caches them.
    await post(other.url, { query: READ, variables: { id } });
    expect((await post(other.url, { query: READ, variables: { id } })).headers.get('x-cache')).toBe('HIT');
    const appended = await post(
      writer.url,
      { query: `mutation { appendDatasetRows(id: "${id}", csv: "x\\n3") { rowCount } }` },
      { authorization: `Bearer ${token}` },
    );
    expect(appended.json.extensions?.invalidation).toEqual({ status: 'PENDING' });
    for (const gw of gateways) {
      const d = (await post(gw.url, { query: READ, variables: { id } })).json.data.dataset;
      expect([d.rowCount, d.statistics[0].count]).toEqual([3, 3]);
    }
  });
});
