// What the anchor benches share: starting a server of bench/anchors/servers as its own process,
// loading it with autocannon, and storming it with identical misses from another process.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { signToken } from '../../src/server/auth';
import { freePorts, OwnRedis } from '../../test/helpers/redis';
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
  const [port, counterPort] = await freePorts(2);
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

/** Adds one car with Horsepower 999 to cachegate's dataset 1, the way an admin would (a seeded dataset is the system's). */
export async function appendCarsRow(url: string): Promise<void> {
  const token = await signToken('bench-secret-0123456789', { id: 'bench', role: 'admin' });
  const csv = `${CARS_COLUMNS}\\n,,,,999,,,,`;
  const r = await gql(url, JSON.stringify({ query: `mutation { appendDatasetRows(id: "1", csv: "${csv}") { rowCount } }` }), {
    authorization: `Bearer ${token}`,
  });
  if (!r.text.includes('rowCount')) throw new Error(`cachegate mutation failed: ${r.text}`);
}

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ); 100 on every Linux we run on. */
const USER_HZ = 100;

/**
 * User + system CPU seconds a process has used so far, all its threads included, from
 * /proc/PID/stat. Per request it is what a shared, loaded machine leaves comparable: req/s there
 * also measures the neighbours and the load generator competing for the same cores.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/**
 * System calls per request: strace -c -f attached to the server while it answers a fixed number
 * of requests. Run apart from the timed rounds, since strace slows every call it counts. Returns
 * undefined where strace is missing or may not attach (no ptrace permission).
 */
export async function syscallsPerRequest(s: Running, requests: number): Promise<{ calls: number; top: string } | undefined> {
  const out = path.join(tmpdir(), `cachegate-strace-${s.proc.pid}-${Date.now()}.txt`);
  const strace = spawn('strace', ['-c', '-f', '-o', out, '-p', String(s.proc.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const failed = new Promise<undefined>((resolve) => strace.once('error', () => resolve(undefined)));
  // strace says "Process N attached" on stderr once it is tracing.
  const attached = new Promise<boolean>((resolve) => {
    createInterface({ input: strace.stderr! }).on('line', (l) => {
      if (/attached/.test(l)) resolve(true);
    });
    strace.once('exit', () => resolve(false));
  });
  if (!(await Promise.race([attached, failed]))) return undefined;
  const result = await autocannon({
    url: `${s.url}/graphql`,
    connections: CONNECTIONS,
    amount: requests,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
  });
  const exited = new Promise((resolve) => strace.once('exit', resolve));
  strace.kill('SIGINT');
  await exited;
  try {
    const summary = readFileSync(out, 'utf8');
    const rows = summary.split('\n').filter((l) => /^\s*\d/.test(l) && !/\btotal$/.test(l.trim()));
    const total = summary.split('\n').find((l) => /\btotal$/.test(l.trim()));
    if (!total) return undefined;
    // Columns: % time, seconds, usecs/call, calls, [errors], syscall; "total" has the same first four.
    const calls = Number(total.trim().split(/\s+/)[3]);
    const top = rows
      .map((l) => l.trim().split(/\s+/))
      .map((f) => ({ name: f[f.length - 1], calls: Number(f[3]) }))
      .sort((a, b) => b.calls - a.calls)
      .slice(0, 3)
      .map((r) => `${r.name} ${(r.calls / result.requests.total).toFixed(2)}`)
      .join(', ');
    return { calls: calls / result.requests.total, top };
  } finally {
    rmSync(out, { force: true });
  }
}

/**
 * Reads Redis has processed since its last CONFIG RESETSTAT (INFO stats total_reads_processed):
 * one per batch of commands a client wrote together, so per request it counts round trips, which
 * commands per request cannot tell apart from pipelined or MGET-batched ones.
 */
export async function redisReads(redisUrl: string): Promise<number> {
  const client = new Redis(redisUrl);
  try {
    const info = await client.info('stats');
    return Number(/^total_reads_processed:(\d+)/m.exec(info)?.[1] ?? NaN);
  } finally {
    client.disconnect();
  }
}
