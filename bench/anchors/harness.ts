// What the anchor benches share: starting a server of bench/anchors/servers as its own process,
// loading it with autocannon, and storming it with identical misses from another process.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { signToken } from '../../src/server/auth';
import { freePort, OwnRedis } from '../../test/helpers/redis';
import { QUERY } from './common';

export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
export const STORM = 200;
export const BODY = JSON.stringify({ query: QUERY, variables: { id: '1' } });

export interface ServerSpec {
  name: string;
  script: string;
  env?: Record<string, string>;
}

export interface Running<S extends ServerSpec = ServerSpec> {
  spec: S;
  url: string;
  counterUrl: string;
  proc: ChildProcess;
}

/** Starts spec's script on free ports, in production mode, and waits for its "ready" line. */
export async function start<S extends ServerSpec>(spec: S, redisUrl: string): Promise<Running<S>> {
  const port = await freePort();
  const counterPort = await freePort();
  const proc = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'servers', spec.script)], {
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), COUNTER_PORT: String(counterPort), REDIS_URL: redisUrl, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  createInterface({ input: proc.stderr! }).on('line', (l) => errors.push(l));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${spec.name} did not start: ${errors.join('\n')}`)), 120_000);
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      if (l.trim() === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => reject(new Error(`${spec.name} exited with ${code}: ${errors.join('\n')}`)));
  });
  return { spec, url: `http://127.0.0.1:${port}`, counterUrl: `http://127.0.0.1:${counterPort}`, proc };
}

/**
 * Starts the bench's own redis-server and every spec's server, runs body with them, and stops
 * them all, whether body succeeds or not; a failure is printed and exits with 1.
 */
export function runWithServers<S extends ServerSpec>(specs: S[], body: (running: Running<S>[], redis: OwnRedis) => Promise<void>): void {
  const run = async () => {
    const redis = await OwnRedis.start();
    const running: Running<S>[] = [];
    try {
      for (const spec of specs) {
        process.stderr.write(`starting ${spec.name}…\n`);
        running.push(await start(spec, redis.url));
      }
      await body(running, redis);
    } finally {
      for (const s of running) s.proc.kill('SIGTERM');
      await redis.stop();
    }
  };
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

/** How many times the server computed the answer since its counter was last reset. */
export const computations = async (s: Running) => Number(await (await fetch(`${s.counterUrl}/`)).text());

/** STORM concurrent identical requests, sent from a child process; resolves with the computations they caused. */
export async function missStorm(s: Running): Promise<number> {
  await fetch(`${s.counterUrl}/reset`);
  const out = await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'storm.ts')], {
    env: { ...process.env, URL: s.url, BODY, STORM: String(STORM) },
  });
  const failed = Number(out.stdout);
  if (failed) throw new Error(`${s.spec.name}: ${failed} of the storm's requests failed`);
  return computations(s);
}

/** CONNECTIONS connections posting BODY for seconds. */
export const hammer = (s: Running, seconds: number) =>
  autocannon({
    url: `${s.url}/graphql`,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
  });

export const gql = async (url: string, body: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, text: await res.text() };
};

const CARS_COLUMNS = 'Name,Miles_per_Gallon,Cylinders,Displacement,Horsepower,Weight_in_lbs,Acceleration,Year,Origin';

/** Adds one car with Horsepower 999 to cachegate's dataset 1, the way its users would. */
export async function appendCarsRow(url: string): Promise<void> {
  const token = await signToken('bench-secret-0123456789', { id: 'bench', role: 'user' });
  const csv = `${CARS_COLUMNS}\\n,,,,999,,,,`;
  const r = await gql(url, JSON.stringify({ query: `mutation { appendDatasetRows(id: "1", csv: "${csv}") { rowCount } }` }), {
    authorization: `Bearer ${token}`,
  });
  if (!r.text.includes('rowCount')) throw new Error(`cachegate mutation failed: ${r.text}`);
}
