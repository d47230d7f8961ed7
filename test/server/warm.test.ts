import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ConfigError } from '../../src/config';
import { SqlInvalidationLog } from '../../src/db/invalidation-log';
import { loadWarmFile } from '../../src/server/warm/warm-file';
import { sleep, waitFor } from '../helpers/async';
import { openTestDatabase, type TestDatabase } from '../helpers/databases';
import { startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../helpers/gateway';
import { post } from '../helpers/http';
import { deletePrefix, keysUnder, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

/**
 * CACHE_WARM_FILE against real PostgreSQL and Redis: the gateway runs the file's queries itself
 * (in process, through the same path as a request), in priority order at startup, again when
 * the cache moves to a new generation, and on a timer for entries with a refresh interval.
 */
const STATS = 'query WarmStats($id: ID!) { dataset(id: $id) { name statistics { column count mean } } }';
const VIS = 'query WarmVis($id: ID!) { dataset(id: $id) { visualization(kind: HISTOGRAM, column: "x", bins: 5) { kind } } }';
const HEALTH = '{ cacheHealth { invalidation { generation } } }';

describe('warming from CACHE_WARM_FILE', () => {
  const prefix = testPrefix();
  const dir = mkdtempSync(path.join(tmpdir(), 'cachegate-warm-'));
  let database: TestDatabase;
  const ids: string[] = [];
  // Redis alone (no in-process tier): what the warm runs stored is what a request finds.
  const env = () => ({ REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, CACHE_L1_MAX_BYTES: '0', CACHE_TTL_JITTER: '0', CACHE_DEBUG: '1' });

  const warmFile = (name: string, entries: unknown): string => {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(entries));
    return file;
  };
  const entries = () => [
    { name: 'low', query: STATS, variables: { id: ids[0] }, priority: 1 },
    { name: 'high', query: STATS, variables: { id: ids[1] }, priority: 10 },
    { name: 'middle', query: VIS, variables: { id: ids[2] }, priority: 5 },
  ];

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    // The data exists before the warming gateway starts, as the demo data does at a restart.
    const seeder = await startTestGateway(database.db, env());
    for (const n of [0, 1, 2]) ids.push((await seeder.gateway.services.datasets.create(`warm${n}`, `x,y\n${n},2\n3,${n}\n5,6`)).id);
    await seeder.settled();
    await seeder.close();
  });
  afterAll(async () => {
    await database?.dispose();
    await deletePrefix(SHARED_REDIS_URL, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('at startup and on a new generation', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway(database.db, { ...env(), CACHE_WARM_FILE: warmFile('warm.json', entries()) }, { captureLogs: true });
      await gw.gateway.warmer!.idle();
    });
    afterAll(() => gw?.close());

    it('runs the entries in priority order, logging n/total, key, result and ms for each', async () => {
      expect(gw.gateway.warmer!.passes[0]).toMatchObject({ reason: 'startup', order: ['high', 'middle', 'low'], misses: 3, hits: 0, errors: 0 });
      const lines = gw.logs.lines.filter((l) => l.component === 'warm' && l.n !== undefined);
      expect(lines.map((l) => [l.n, l.total, l.entry, l.result])).toEqual([
        [1, 3, 'high', 'miss'],
        [2, 3, 'middle', 'miss'],
        [3, 3, 'low', 'miss'],
      ]);
      for (const l of lines) {
        expect(l.key).toMatch(/^[0-9a-f]{12}$/);
        expect(typeof l.ms).toBe('number');
      }
    });

    it('leaves every entry cached: the same requests afterwards are hits and compute nothing', async () => {
      for (const [query, id] of [
        [STATS, ids[0]],
        [STATS, ids[1]],
        [VIS, ids[2]],
      ]) {
        const r = await post(gw.url, { query, variables: { id } });
        expect(r.json.errors).toBeUndefined();
        expect(r.headers.get('x-cache')).toBe('HIT');
        expect(r.json.extensions.cache).toMatchObject({ response: 'HIT', fields: {} });
      }
    });

    it('warms again when the cache moves to a new generation, and the requests hit in the new one', async () => {
      const before = gw.gateway.warmer!.passes.length;
      const log = new SqlInvalidationLog(database.db);
      // What another gateway does on finding Redis older than the log keeps: this relay follows it.
      const generation = await log.nextGeneration(await log.generation());
      await waitFor(() => gw.gateway.warmer!.passes.length > before, 'no warm pass after the new generation');
      await gw.gateway.warmer!.idle();
      const pass = gw.gateway.warmer!.passes[before];
      // Every entry of the old generation is a miss: the pass computed all three again.
      expect(pass).toMatchObject({ reason: 'generation', order: ['high', 'middle', 'low'], misses: 3, errors: 0 });
      expect((await post(gw.url, { query: HEALTH })).json.data.cacheHealth.invalidation.generation).toBe(generation);
      const r = await post(gw.url, { query: STATS, variables: { id: ids[0] } });
      expect(r.headers.get('x-cache')).toBe('HIT');
      expect((await keysUnder(SHARED_REDIS_URL, prefix)).some((k) => new RegExp(`^${prefix}:s\\w+\\.g${generation}:r:`).test(k))).toBe(true);
    });
  });

  describe('an entry with a refresh interval', () => {
    let gw: TestGateway;
    let closed = false;
    beforeAll(async () => {
      const file = warmFile('refresh.json', [{ name: 'refreshed', query: STATS, variables: { id: ids[0] }, refreshIntervalMs: 200 }]);
      gw = await startTestGateway(database.db, { ...env(), REDIS_CACHE_PREFIX: `${prefix}-r`, CACHE_WARM_FILE: file }, { captureLogs: true });
      await gw.gateway.warmer!.idle();
    });
    afterAll(async () => {
      if (!closed) await gw?.close();
      await deletePrefix(SHARED_REDIS_URL, `${prefix}-r`);
    });

    it('is computed and stored again before it expires: its entry’s remaining TTL goes back up', async () => {
      const [key] = (await keysUnder(SHARED_REDIS_URL, `${prefix}-r`)).filter((k) => k.split(':')[2] === 'r');
      expect(key).toBeDefined();
      const redis = new Redis(SHARED_REDIS_URL);
      try {
        const before = await redis.pttl(key);
        await sleep(1200);
        const refreshes = () => gw.logs.lines.filter((l) => l.warm === 'refresh' && l.result === 'miss').length;
        const seen = refreshes();
        await waitFor(() => refreshes() > seen, 'no refresh ran');
        const after = await redis.pttl(key);
        // Untouched, the entry would have 1200 ms less to live than before; rewritten, it has more.
        expect(after).toBeGreaterThan(before - 1200);
        expect(seen).toBeGreaterThan(0);
      } finally {
        redis.disconnect();
      }
    });

    it('stops refreshing when the gateway closes', async () => {
      await gw.close();
      closed = true;
      const count = gw.logs.lines.filter((l) => l.warm === 'refresh').length;
      await sleep(600);
      expect(gw.logs.lines.filter((l) => l.warm === 'refresh').length).toBe(count);
    });
  });

  describe('a bad warm file', () => {
    let gw: TestGateway;
    beforeAll(async () => (gw = await startTestGateway(database.db, env())));
    afterAll(() => gw?.close());

    const problem = (entries: unknown, raw?: string) => {
      const file = path.join(dir, 'bad.json');
      writeFileSync(file, raw ?? JSON.stringify(entries));
      try {
        loadWarmFile(file, gw.gateway.schema);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('the file was accepted');
    };
    const ok = { name: 'fine', query: STATS, variables: { id: '1' } };

    it('names the entry and what is wrong with it', () => {
      expect(problem([ok, { name: 'broken', query: '{ dataset(id: "1") { nope } }' }])).toMatch(
        /CACHE_WARM_FILE .*bad\.json, entry 2 \("broken"\): the query is not valid against the schema: .*nope/,
      );
      expect(problem([ok, ok, { query: STATS }])).toMatch(/entry 3: variables: .*\$id/);
      expect(problem([{ name: 'writes', query: 'mutation { resetProgress { id } }' }])).toMatch(
        /entry 1 \("writes"\): .* is a mutation: only queries are warmed/,
      );
      expect(problem([{ name: 'both', query: STATS, file: 'x.graphql' }])).toMatch(/entry 1 \("both"\): give exactly one of "query" and "file"/);
      expect(problem([{ name: 'typo', query: STATS, variables: { id: '1' }, priorty: 3 }])).toMatch(/entry 1 \("typo"\): .*priorty/);
      expect(problem([{ name: 'fast', query: STATS, variables: { id: '1' }, refreshIntervalMs: 5 }])).toMatch(/refreshIntervalMs/);
      expect(problem([{ name: 'missing', file: 'none.graphql', operation: 'X' }])).toMatch(
        /entry 1 \("missing"\): cannot read "file" .*none\.graphql: no such file/,
      );
      expect(problem(undefined, '[{"query": ')).toMatch(/not JSON/);
      expect(problem({ query: STATS })).toMatch(/must be a JSON list/);
    });

    it('stops the gateway at startup, before it caches anything', async () => {
      const file = warmFile('bad-start.json', [ok, { name: 'broken', query: '{ nope }' }]);
      await expect(startTestGateway(database.db, { ...env(), REDIS_CACHE_PREFIX: `${prefix}-bad`, CACHE_WARM_FILE: file })).rejects.toThrow(
        /entry 2 \("broken"\)/,
      );
      expect(await keysUnder(SHARED_REDIS_URL, `${prefix}-bad`)).toEqual([]);
    });

    it('makes the compiled gateway exit 78 (EX_CONFIG) with the message on stderr', async () => {
      const file = warmFile('bad-process.json', [ok, { name: 'broken', query: '{ nope }' }]);
      const child = spawn(process.execPath, [path.join(__dirname, '../../dist/src/main.js')], {
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          JWT_SECRET: TEST_JWT_SECRET,
          PORT: '0',
          SEED: '0',
          DATABASE_URL: database.url!,
          CACHE_WARM_FILE: file,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const [code] = await once(child, 'close');
      expect(code).toBe(78);
      expect(stderr).toMatch(
        /^cachegate: CACHE_WARM_FILE .*bad-process\.json, entry 2 \("broken"\): the query is not valid against the schema: .*nope/,
      );
    }, 60_000);

    it('accepts the example shipped in examples/warm.json', () => {
      const loaded = loadWarmFile(path.join(__dirname, '../../examples/warm.json'), gw.gateway.schema);
      expect(loaded.length).toBeGreaterThan(3);
      expect(loaded.some((e) => e.refreshIntervalMs !== undefined)).toBe(true);
      expect(loaded.some((e) => e.user !== undefined)).toBe(true);
    });
  });
});
