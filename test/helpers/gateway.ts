import 'reflect-metadata';
import { print, type ExecutionResult } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config';
import type { Database } from '../../src/db/database';
import type { Role } from '../../src/identity';
import { createLogger } from '../../src/logger';
import { signToken } from '../../src/server/auth';
import { createGateway, type Gateway, type GatewayParts } from '../../src/server/gateway';
import { openTestDatabase, type DatabaseKind } from './databases';
import { LogCapture } from './log-capture';

/**
 * The one way tests start a gateway in process (test/helpers/gateway-process.ts starts the
 * compiled one as a child process): on a free port, over a fresh database or a given one.
 */

export const TEST_JWT_SECRET = 'test-secret-0123456789abcdef';

export interface TestGateway {
  gateway: Gateway;
  url: string;
  config: Config;
  /** The gateway's log lines when started with captureLogs; empty otherwise. */
  logs: LogCapture;
  /** Sends a typed operation over HTTP; token is a raw bearer token. */
  gql<R, V>(
    doc: TypedDocumentNode<R, V>,
    variables?: V,
    opts?: { token?: string; headers?: Record<string, string> },
  ): Promise<ExecutionResult<R> & { status: number }>;
  token(user: string, role?: Role): Promise<string>;
  /** Resolves once the cache has applied every write committed so far (services write behind the relay's back). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Runs the first-start seed (vega datasets, model runs, demo recordings). Default false. */
  seed?: boolean;
  /** Parts composed in place of the gateway's own: the planted bugs of test/helpers/planted-bugs.ts. */
  parts?: Partial<GatewayParts>;
  /** Keeps the gateway's log lines in `logs` at LOG_LEVEL (default debug) instead of discarding them. */
  captureLogs?: boolean;
}

/**
 * Starts a gateway. Given a database kind, over a fresh database of that kind which close()
 * drops; given a Database, over that one, which close() leaves open: two gateways started in
 * turn on one database are a gateway and its restart.
 */
export async function startTestGateway(
  database: DatabaseKind | Database,
  env: Record<string, string> = {},
  opts: StartOptions = {},
): Promise<TestGateway> {
  if (typeof database !== 'string') return startOver(database, env, opts);
  const testDb = await openTestDatabase(database);
  const gw = await startOver(testDb.db, env, opts);
  return {
    ...gw,
    async close() {
      await gw.close();
      await testDb.dispose();
    },
  };
}

/**
 * Two gateway instances of one deployment: one database, the same settings (so one Redis and one
 * prefix when REDIS_URL is given). close() stops both, then drops the database.
 */
export async function startGatewayPair(
  kind: DatabaseKind,
  env: Record<string, string>,
  opts: StartOptions = {},
): Promise<[TestGateway, TestGateway] & { close(): Promise<void> }> {
  const testDb = await openTestDatabase(kind);
  // One after the other: the first runs the migrations.
  const a = await startOver(testDb.db, env, opts);
  const b = await startOver(testDb.db, env, opts);
  return Object.assign([a, b] as [TestGateway, TestGateway], {
    async close() {
      await Promise.all([a.close(), b.close()]);
      await testDb.dispose();
    },
  });
}

/** A gateway over db; close() stops the gateway and leaves the database open. */
async function startOver(db: Database, env: Record<string, string>, opts: StartOptions): Promise<TestGateway> {
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: opts.captureLogs ? 'debug' : 'silent', ...env });
  const logs = new LogCapture();
  const logger = opts.captureLogs ? pino({ level: config.LOG_LEVEL }, logs) : createLogger(config.LOG_LEVEL);
  const gateway = await createGateway({ config, logger, db, seed: opts.seed ?? false, parts: opts.parts });
  const port = await gateway.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    gateway,
    url,
    config,
    logs,
    async gql(doc, variables, opts = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...opts.headers,
        },
        body: JSON.stringify({ query: print(doc), variables }),
      });
      return { ...((await res.json()) as ExecutionResult<any>), status: res.status };
    },
    token: (user, role = 'user') => signToken(TEST_JWT_SECRET, { id: user, role }),
    async settled() {
      if (!(await gateway.cache.invalidations.settle(10_000))) throw new Error('the relay did not apply the committed writes within 10 s');
    },
    close: () => gateway.close(),
  };
}

/** Field caching alone: whole-response caching (the fast path) off, so every read reaches the cached fields. */
export const FIELD_CACHING_ONLY = { CACHE_DEBUG: '1', CACHE_RESPONSES: '0' };

/** The error codes of a result, in order. */
export const codes = (r: ExecutionResult) => (r.errors ?? []).map((e) => e.extensions?.code);

/** extensions.cache.fields of a CACHE_DEBUG response: hits and misses per coordinate in that request. */
export const cacheOf = (r: { extensions?: Record<string, any> }) =>
  (r.extensions?.cache?.fields ?? {}) as Record<string, { hits: number; misses: number }>;
