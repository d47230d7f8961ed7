import 'reflect-metadata';
import { print, type ExecutionResult } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { signToken, type Role } from '../../src/server/auth';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/server/gateway';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './databases';

export const TEST_JWT_SECRET = 'test-secret-0123456789abcdef';

export interface TestGateway {
  gateway: Gateway;
  url: string;
  config: Config;
  /** Sends a typed operation over HTTP; token is a raw bearer token. */
  gql<R, V>(doc: TypedDocumentNode<R, V>, variables?: V, opts?: { token?: string; headers?: Record<string, string> }): Promise<ExecutionResult<R> & { status: number }>;
  token(user: string, role?: Role): Promise<string>;
  close(): Promise<void>;
}

/** Starts a gateway on a free port over a fresh database of the given kind, unseeded unless asked. */
export async function startTestGateway(
  kind: DatabaseKind,
  env: Record<string, string> = {},
  seed = false,
  parts?: GatewayOptions['parts'],
): Promise<TestGateway> {
  const testDb: TestDatabase = await openTestDatabase(kind);
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', ...env });
  const gateway = await createGateway({ config, logger: createLogger(config.LOG_LEVEL), db: testDb.db, seed, parts });
  const port = await gateway.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    gateway,
    url,
    config,
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
    async close() {
      await gateway.close();
      await testDb.dispose();
    },
  };
}

/** The error codes of a result, in order. */
export const codes = (r: ExecutionResult) => (r.errors ?? []).map((e) => e.extensions?.code);
