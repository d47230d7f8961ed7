// Shared by the benchmarks: a gateway over embedded PGlite, its own redis-server, timing helpers.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../src/config';
import { openPglite } from '../src/db/pglite';
import type { Database } from '../src/db/database';
import { tableFromRecords } from '../src/domains/datasets/compute';
import { vegaDataPath } from '../src/domains/datasets/dataset.seed';
import { createLogger } from '../src/logger';
import { createGateway, type Gateway, type GatewayOptions } from '../src/server/gateway';

export { OwnRedis } from '../test/helpers/redis';
export { median, percentile } from './stats';

export async function openBenchDatabase(): Promise<Database> {
  return openPglite();
}

/** Loads a vega-datasets JSON file as a dataset and returns its id. */
export async function loadVega(gateway: Gateway, name: string, file: string): Promise<string> {
  const table = tableFromRecords(JSON.parse(readFileSync(vegaDataPath(file), 'utf8')));
  return (await gateway.services.datasets.insert(name, `vega-datasets/${file}`, table)).id;
}

export async function startBenchGateway(
  db: Database,
  env: Record<string, string>,
  parts?: GatewayOptions['parts'],
  port = 0,
): Promise<{ gateway: Gateway; url: string }> {
  // No rate limit unless env sets one: these benches measure the cache, from one client address.
  const config = loadConfig({
    NODE_ENV: 'production',
    JWT_SECRET: 'bench-secret-0123456789',
    LOG_LEVEL: 'warn',
    SEED: '0',
    RATE_LIMIT_POINTS: '0',
    ...env,
  });
  const gateway = await createGateway({ config, logger: createLogger(config.LOG_LEVEL), db, seed: false, parts });
  const bound = await gateway.listen(port, '127.0.0.1');
  return { gateway, url: `http://127.0.0.1:${bound}` };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ ms: number; text: string; cache: string | null }> {
  const started = performance.now();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  if (res.status !== 200 || text.includes('"errors"')) throw new Error(`request failed: ${res.status} ${text.slice(0, 300)}`);
  return { ms, text, cache: res.headers.get('x-cache') };
}

/** One line of progress on stderr, overwritten in place. */
export function progress(label: string, done: number, total: number): void {
  process.stderr.write(`\r${label}: ${done}/${total}${done === total ? '\n' : ''}`);
}

export const fmt = (n: number, digits = 2) => n.toFixed(digits);
