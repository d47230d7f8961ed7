import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { print } from 'graphql';
import { Redis } from 'ioredis';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { signToken } from '../../src/server/auth';
import { createGateway } from '../../src/server/gateway';
import { CacheStatsDocument, type CacheStatsFieldsFragment, CreateDatasetDocument } from '../generated/graphql';
import { type DatabaseKind, openTestDatabase } from '../helpers/databases';
import { TEST_JWT_SECRET, type TestGateway } from '../helpers/gateway';
import { freePort } from '../helpers/redis';

/** A small CSV with a numeric column x, a numeric y and a label. */
export const csv = (rows: number, offset = 0) =>
  ['x,y,label', ...Array.from({ length: rows }, (_, i) => `${i + offset},${(i * 7) % 13},${i % 2 ? 'odd' : 'even'}`)].join('\n');

/** extensions.cache.fields of a CACHE_DEBUG response: hits and misses per coordinate in that request. */
export const cacheOf = (r: { extensions?: Record<string, any> }) => (r.extensions?.cache?.fields ?? {}) as Record<string, { hits: number; misses: number }>;

/** Field caching alone: whole-response caching (the fast path) off, so every read reaches the cached fields. */
export const FIELD_CACHING_ONLY = { CACHE_DEBUG: '1', CACHE_RESPONSES: '0' };

export async function createDataset(gw: TestGateway, token: string, name: string, rows = 40): Promise<string> {
  const r = await gw.gql(CreateDatasetDocument, { name, csv: csv(rows) }, { token });
  if (r.errors) throw new Error(`createDataset failed: ${JSON.stringify(r.errors)}`);
  return r.data!.createDataset.id;
}

export async function statsOf(gw: TestGateway, token: string): Promise<CacheStatsFieldsFragment> {
  const r = await gw.gql(CacheStatsDocument, {}, { token });
  if (r.errors) throw new Error(`cacheStats failed: ${JSON.stringify(r.errors)}`);
  return r.data!.cacheStats;
}

/** A pino destination that keeps every line, parsed. */
export class LogCapture extends Writable {
  readonly lines: Record<string, any>[] = [];
  readonly raw: string[] = [];
  _write(chunk: Buffer, _enc: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      this.raw.push(line);
      this.lines.push(JSON.parse(line));
    }
    done();
  }
  /** Lines whose msg equals (or matches) the given one. */
  find(msg: string | RegExp): Record<string, any>[] {
    return this.lines.filter((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(l.msg)));
  }
}

/**
 * Two gateway instances of one deployment: one database, the same settings (so one Redis and one
 * prefix when REDIS_URL is given). close() stops both, then drops the database.
 */
export async function startGatewayPair(kind: DatabaseKind, env: Record<string, string>): Promise<[TestGateway, TestGateway] & { close(): Promise<void> }> {
  const testDb = await openTestDatabase(kind);
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', ...env });
  const start = async (): Promise<TestGateway> => {
    const gateway = await createGateway({ config, logger: pino({ level: 'silent' }), db: testDb.db, seed: false });
    const url = `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`;
    return { gateway, url, config, gql: gqlOver(url), token: (user, role = 'user') => signToken(TEST_JWT_SECRET, { id: user, role }), close: () => gateway.close() };
  };
  // One after the other: the first runs the migrations.
  const a = await start();
  const b = await start();
  return Object.assign([a, b] as [TestGateway, TestGateway], {
    async close() {
      await Promise.all([a.close(), b.close()]);
      await testDb.dispose();
    },
  });
}

/** Sends a typed operation to the gateway at url, as startTestGateway's gql does. */
function gqlOver(url: string): TestGateway['gql'] {
  return async (doc, variables, opts = {}) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
      body: JSON.stringify({ query: print(doc), variables }),
    });
    return { ...((await res.json()) as any), status: res.status };
  };
}

/** Like startTestGateway, with the gateway's logs captured (at LOG_LEVEL, default debug) instead of discarded. */
export async function startLoggedGateway(kind: DatabaseKind, env: Record<string, string>): Promise<TestGateway & { logs: LogCapture }> {
  const testDb = await openTestDatabase(kind);
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'debug', ...env });
  const logs = new LogCapture();
  const logger = pino({ level: config.LOG_LEVEL }, logs);
  const gateway = await createGateway({ config, logger, db: testDb.db, seed: false });
  const port = await gateway.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    gateway,
    url,
    config,
    logs,
    gql: gqlOver(url),
    token: (user, role = 'user') => signToken(TEST_JWT_SECRET, { id: user, role }),
    async close() {
      await gateway.close();
      await testDb.dispose();
    },
  };
}

/**
 * A redis-server of the test's own that needs a user and password (ACL), for the masking of
 * REDIS_URL in health answers and logs. Killed and restarted by its PID only.
 */
export class PasswordRedis {
  private proc?: ChildProcess;
  private constructor(
    readonly port: number,
    readonly user: string,
    readonly password: string,
  ) {}

  static async start(user = 'cachegate', password = `pw-${randomBytes(8).toString('hex')}`): Promise<PasswordRedis> {
    const own = new PasswordRedis(await freePort(), user, password);
    await own.launch();
    return own;
  }

  get url(): string {
    return `redis://${this.user}:${this.password}@127.0.0.1:${this.port}`;
  }

  async launch(): Promise<void> {
    this.proc = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--user', 'default', 'off', '--user', this.user, 'on', `>${this.password}`, '~*', '&*', '+@all'],
      { stdio: 'ignore' },
    );
    // Wait for the port with plain TCP: an ioredis client that failed to connect keeps a 2 s timer after disconnect().
    const deadline = Date.now() + 10_000;
    while (!(await portOpen(this.port))) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const probe = new Redis(this.url, { maxRetriesPerRequest: 0 });
    try {
      await probe.ping();
    } finally {
      await probe.quit();
    }
  }

  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
