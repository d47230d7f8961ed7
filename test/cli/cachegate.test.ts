import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CacheStatsDocument, DatasetStatisticsDocument } from '../generated/graphql';
import { createDataset } from '../helpers/datasets';
import { cacheOf, FIELD_CACHING_ONLY, startTestGateway, type TestGateway } from '../helpers/gateway';
import { deletePrefix, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

const BIN = path.join(__dirname, '..', '..', 'bin', 'cachegate.js');

/** Runs `cachegate …` as a user would (node bin/cachegate.js), with only the environment given. */
function cachegate(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const OPERATIONS = `
query CliWarmStatistics($id: ID!) { dataset(id: $id) { id statistics { column count } } }
query CliWarmEda($id: ID!) { dataset(id: $id) { id eda { missing { column count } } visualization(kind: HISTOGRAM, column: "x") { data } } }
query CliWarmNeedsVariables($other: ID!) { dataset(id: $other) { id } }
mutation CliWarmNotAQuery { resetProgress { userId } }
`;

describe('the cachegate command line against a running gateway', () => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let admin: string;
  let id: string;
  let dir: string;
  let url: string;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, ...FIELD_CACHING_ONLY });
    admin = await gw.token('root', 'admin');
    id = await createDataset(gw, await gw.token('alice'), 'numbers');
    url = `${gw.url}/graphql`;
    dir = mkdtempSync(path.join(tmpdir(), 'cachegate-cli-'));
    writeFileSync(path.join(dir, 'ops.graphql'), OPERATIONS);
    writeFileSync(path.join(dir, 'vars.json'), JSON.stringify({ CliWarmStatistics: { id }, CliWarmEda: [{ id }] }));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await gw?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('warm runs every query of a file with its variables, reporting misses the first time and hits the second', async () => {
    const args = ['warm', path.join(dir, 'ops.graphql'), '--variables', path.join(dir, 'vars.json'), '--url', url];
    const first = await cachegate(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('skipped CliWarmNotAQuery (a mutation)');
    expect(first.stdout).toContain('skipped CliWarmNeedsVariables (needs $other');
    expect(first.stdout).toContain('warmed 2/2 operation(s): 0 hit(s), 3 miss(es) — from extensions.cache');

    const second = await cachegate([...args, '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ operations: 2, failed: 0, hits: 3, misses: 0 });
    expect(cacheOf(await gw.gql(DatasetStatisticsDocument, { id }))['Dataset.statistics']).toEqual({ hits: 1, misses: 0 });
  });

  it('stats prints the deployment-wide counters (token from CACHEGATE_TOKEN), as text or JSON', async () => {
    const expected = (await gw.gql(CacheStatsDocument, {}, { token: admin })).data!.cacheStats;
    const json = await cachegate(['stats', '--json', '--url', url], { CACHEGATE_TOKEN: admin });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ hits: expected.hits, misses: expected.misses, scope: 'deployment', backend: 'redis' });

    const text = await cachegate(['stats', '--url', url, '--token', admin]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/hit rate\s+\d+\.\d %/);
    expect(text.stdout).toMatch(/Dataset\.statistics\s+\d+\s+\d+/);
    expect(text.stdout).toContain('backend        redis — counts for every instance');

    const reset = await cachegate(['reset-stats', '--url', url, '--token', admin]);
    expect(reset).toMatchObject({ code: 0, stdout: 'cache stats reset for the whole deployment\n' });
  });

  it('invalidate --tag, --pattern (dry run, then for real) and --dataset change what the next read gets', async () => {
    const r1 = await cachegate(['invalidate', '--tag', `Dataset:${id}`, '--url', url, '--token', admin]);
    expect(r1).toMatchObject({ code: 0, stdout: `invalidated 1 (tags: Dataset:${id})\n` });
    expect(cacheOf(await gw.gql(DatasetStatisticsDocument, { id }))['Dataset.statistics']).toEqual({ hits: 0, misses: 1 });

    const dry = await cachegate(['invalidate', '--pattern', '*:f:Dataset.statistics:*', '--dry-run', '--url', url, '--token', admin]);
    expect(dry).toMatchObject({ code: 0, stdout: 'would invalidate 1, would delete 1 key(s) (dry run: nothing changed)\n' });
    expect(cacheOf(await gw.gql(DatasetStatisticsDocument, { id }))['Dataset.statistics']).toEqual({ hits: 1, misses: 0 });
    const real = await cachegate(['invalidate', '--pattern', '*:f:Dataset.statistics:*', '--url', url, '--token', admin]);
    expect(real).toMatchObject({ code: 0, stdout: 'invalidated 1, 1 key(s) deleted\n' });
    expect(cacheOf(await gw.gql(DatasetStatisticsDocument, { id }))['Dataset.statistics']).toEqual({ hits: 0, misses: 1 });

    const dataset = await cachegate(['invalidate', '--dataset', id, '--url', url, '--token', admin]);
    expect(dataset).toMatchObject({ code: 0, stdout: `invalidated 1 (tags: Dataset:${id})\n` });
    expect(cacheOf(await gw.gql(DatasetStatisticsDocument, { id }))['Dataset.statistics']).toEqual({ hits: 0, misses: 1 });
  });

  it('health needs no token', async () => {
    const r = await cachegate(['health', '--url', url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^healthy: redis \+ in-process tier, circuit closed\n {2}Redis up, PING \d+\.\d\d ms at redis:\/\/127\.0\.0\.1:6379\n {2}hit rate \d+\.\d % \(this instance\) {4}in-process \d+\/67108864 bytes {4}Redis memory \d+/,
    );
  });

  it('fails with the gateway’s error code and a hint without an admin token, and with status 2 on a usage error', async () => {
    const user = await gw.token('alice');
    const refused = await cachegate(['stats', '--url', url, '--token', user]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('(FORBIDDEN)');
    expect(refused.stderr).toContain('hint: pass an admin token');

    const usage = await cachegate(['invalidate', '--tag', 'A', '--pattern', '*', '--url', url]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('exactly one of');
    expect((await cachegate(['frobnicate'])).code).toBe(2);
    const unreachable = await cachegate(['health', '--url', 'http://127.0.0.1:9/graphql']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach http://127.0.0.1:9/graphql');
  });
});

describe('cachegate warm without CACHE_DEBUG', () => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let dir: string;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, CACHE_RESPONSES: '0' });
    const id = await createDataset(gw, await gw.token('alice'), 'numbers');
    dir = mkdtempSync(path.join(tmpdir(), 'cachegate-cli-'));
    writeFileSync(path.join(dir, 'ops.graphql'), `query Stats { dataset(id: "${id}") { statistics { column } } }`);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await gw?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('compares cacheStats before and after when given an admin token, and says so', async () => {
    const token = await gw.token('root', 'admin');
    const args = ['warm', path.join(dir, 'ops.graphql'), '--url', `${gw.url}/graphql`, '--token', token];
    expect((await cachegate(args)).stdout).toContain('warmed 1/1 operation(s): 0 hit(s), 1 miss(es) — from cacheStats before and after');
    expect((await cachegate(args)).stdout).toContain('warmed 1/1 operation(s): 1 hit(s), 0 miss(es) — from cacheStats before and after');
  });

  it('exits 2, a usage error, when a named file is missing', async () => {
    const missing = await cachegate(['warm', path.join(dir, 'nope.graphql'), '--url', `${gw.url}/graphql`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the operations file');
    const vars = await cachegate(['warm', path.join(dir, 'ops.graphql'), '--variables', path.join(dir, 'nope.json'), '--url', `${gw.url}/graphql`]);
    expect(vars.code).toBe(2);
    expect(vars.stderr).toContain('cannot read the variables file');
  });

  it('says the counts are unknown without a token', async () => {
    const r = await cachegate(['warm', path.join(dir, 'ops.graphql'), '--url', `${gw.url}/graphql`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('from unknown: turn CACHE_DEBUG on, or pass an admin --token');
  });
});

describe('cachegate wording without Redis', () => {
  let gw: TestGateway;
  let admin: string;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { CACHE_RESPONSES: '0' });
    admin = await gw.token('root', 'admin');
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('stats says the cache is in process only, not that Redis is unavailable; reset-stats claims only the answering instance', async () => {
    const stats = await cachegate(['stats', '--url', `${gw.url}/graphql`, '--token', admin]);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toContain('backend        in-process only (no REDIS_URL) — counts for this instance only');
    expect(stats.stdout).not.toContain('unavailable');

    const reset = await cachegate(['reset-stats', '--url', `${gw.url}/graphql`, '--token', admin]);
    expect(reset).toMatchObject({
      code: 0,
      stdout: 'cache stats reset for the answering instance only (its counts are its own: no Redis to share them)\n',
    });
  });
});

describe('cachegate warm with whole responses and without CACHE_DEBUG', () => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let dir: string;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix });
    const id = await createDataset(gw, await gw.token('alice'), 'numbers');
    dir = mkdtempSync(path.join(tmpdir(), 'cachegate-cli-'));
    writeFileSync(path.join(dir, 'ops.graphql'), `query Stats { dataset(id: "${id}") { statistics { column } } }`);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await gw?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('counts the x-cache verdicts, says so, and does not claim extensions.cache', async () => {
    const args = ['warm', path.join(dir, 'ops.graphql'), '--url', `${gw.url}/graphql`];
    const first = await cachegate(args);
    expect(first.stdout).toContain('warmed 1/1 operation(s): 0 hit(s), 1 miss(es) — from x-cache headers');
    expect(first.stdout).not.toContain('extensions.cache —');
    expect((await cachegate(args)).stdout).toContain('warmed 1/1 operation(s): 1 hit(s), 0 miss(es) — from x-cache headers');
  });

  it('the shipped example variables give every query of schema/operations/datasets.graphql what it needs', async () => {
    const root = path.join(__dirname, '..', '..');
    const r = await cachegate([
      'warm',
      path.join(root, 'schema/operations/datasets.graphql'),
      '--variables',
      path.join(root, 'examples/warm-variables.json'),
      '--url',
      `${gw.url}/graphql`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('needs $');
    expect(r.stdout).toMatch(/warmed \d+\/11 operation\(s\)/);
  });
});
