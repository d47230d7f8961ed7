import { Client } from 'pg';
import { signToken } from '../../src/server/auth';
import { sleep } from '../helpers/async';
import { openTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from '../helpers/databases';
import { TEST_JWT_SECRET } from '../helpers/gateway';
import { type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process';
import { csv } from '../helpers/datasets';
import { post } from '../helpers/http';
import { TcpProxy } from '../helpers/tcp-proxy';

// Small limits keep the test short; the defaults (2000 / 5000 ms) are the same code path.
const CONNECT_TIMEOUT_MS = 800;
const STATEMENT_TIMEOUT_MS = 1500;
// Read the database on every request: no-store neither reads nor writes the cache.
const UNCACHED = { 'cache-control': 'no-store' };
const READ = { query: 'query($id: ID!) { dataset(id: $id) { id rowCount } }' };

describe('a gateway process on PostgreSQL that fails', () => {
  let testDb: TestDatabase;
  let proxy: TcpProxy;
  let gateway: GatewayProcess;
  let exitCode: number | null | undefined;
  let datasetId: string;
  let killer: Client;

  beforeAll(async () => {
    testDb = await openTestDatabase('postgres');
    const target = new URL(TEST_POSTGRES_URL);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(testDb.url!);
    viaProxy.port = String(proxy.port);
    gateway = await startGatewayProcess({
      DATABASE_URL: viaProxy.toString(),
      DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    });
    gateway.exited.then((code) => (exitCode = code));
    const token = await signToken(TEST_JWT_SECRET, { id: 'alice', role: 'user' });
    const created = await post(
      gateway.url,
      { query: 'mutation($csv: String!) { createDataset(name: "faults", csv: $csv) { id } }', variables: { csv: csv(10) } },
      { authorization: `Bearer ${token}` },
    );
    datasetId = created.json.data.createDataset.id;
    killer = new Client({ connectionString: TEST_POSTGRES_URL });
    await killer.connect();
  });

  afterAll(async () => {
    await gateway?.stop();
    await proxy?.close();
    await killer?.end();
    await testDb?.dispose();
  });

  const read = () => post(gateway.url, { ...READ, variables: { id: datasetId } }, UNCACHED);
  const codesOf = (r: { json?: { errors?: { extensions?: { code?: string } }[] } }) => (r.json?.errors ?? []).map((e) => e.extensions?.code);

  it('survives its connections being terminated under load, and answers from new ones', async () => {
    const codes: (string | undefined)[] = [];
    let stop = false;
    const loops = Array.from({ length: 6 }, async () => {
      while (!stop) codes.push(...codesOf(await read()));
    });
    for (let i = 0; i < 8; i++) {
      await sleep(150);
      // Only the gateway's connections: PostgreSQL sees the proxy's side of each as client_port.
      await killer.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE client_port = ANY($1::int[])', [proxy.upstreamPorts()]);
    }
    // Terminated idle connections too, with no request in flight.
    stop = true;
    await Promise.all(loops);
    await killer.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE client_port = ANY($1::int[])', [proxy.upstreamPorts()]);
    await sleep(300);

    expect(exitCode).toBeUndefined();
    // A query cut off mid-flight is SERVICE_UNAVAILABLE, never an internal error.
    expect(codes.filter((c) => c !== 'SERVICE_UNAVAILABLE')).toEqual([]);
    const after = await read();
    expect(after.json).toMatchObject({ data: { dataset: { id: datasetId, rowCount: 10 } } });
    expect(after.json.errors).toBeUndefined();
  });

  it('answers SERVICE_UNAVAILABLE within the timeout while the database is blackholed, /readyz 503 within 1 s, and recovers', async () => {
    expect((await read()).json.errors).toBeUndefined();
    proxy.blackhole();
    try {
      let started = performance.now();
      const failed = await read();
      const failedMs = performance.now() - started;
      expect(codesOf(failed)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(failedMs).toBeLessThan(STATEMENT_TIMEOUT_MS + CONNECT_TIMEOUT_MS + 500);

      started = performance.now();
      const ready = await fetch(`${gateway.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(performance.now() - started).toBeLessThan(1000);

      // Errors are not cached: a request that may use the cache fails the same way, and works after.
      expect(codesOf(await post(gateway.url, { ...READ, variables: { id: datasetId } }))).toEqual(['SERVICE_UNAVAILABLE']);
    } finally {
      proxy.heal();
    }

    const deadline = Date.now() + 10_000;
    let last = await read();
    while (last.json.errors && Date.now() < deadline) {
      await sleep(100);
      last = await read();
    }
    expect(last.json).toMatchObject({ data: { dataset: { id: datasetId, rowCount: 10 } } });
    expect(last.json.errors).toBeUndefined();
    expect((await post(gateway.url, { ...READ, variables: { id: datasetId } })).json).toEqual(last.json);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    expect(exitCode).toBeUndefined();
  });
});
