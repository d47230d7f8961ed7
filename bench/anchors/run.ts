// The anchor benchmark: cachegate side by side with Apollo, Yoga and Mercurius response caches
// on Redis, and a bare node:http server, all answering the same Dataset.statistics query.
// Rerun: npm run bench:anchors   (BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=50 BENCH_WARMUP_SECONDS=3)
import { cpus } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OwnRedis } from '../../test/helpers/redis';
import { median } from '../stats';
import { QUERY } from './common';
import {
  appendCarsRow,
  BODY,
  CONNECTIONS,
  cpuSeconds,
  gql,
  hammer,
  redisReads,
  missStorm,
  type Running as RunningServer,
  runWithServers,
  type ServerSpec as BaseSpec,
  STORM,
  syscallsPerRequest,
} from './harness';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Every server first answers this long unmeasured, so no round measures a JIT still warming up. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
/** Requests answered under strace per server for the system-call count (0 skips it). */
const STRACE_REQUESTS = Number(process.env.BENCH_STRACE_REQUESTS ?? 5000);

interface ServerSpec extends BaseSpec {
  /** Changes the data (one more Horsepower value) the way this server's users would. */
  mutate(url: string): Promise<void>;
}

const appendValue = async (url: string) => {
  await gql(url, JSON.stringify({ query: 'mutation { appendValue(id: "1", value: 999) { id } }' }));
};

const SERVERS: ServerSpec[] = [
  { name: 'bare node:http (fixed JSON)', script: 'bare.ts', mutate: async () => undefined },
  {
    // What any response cache must do on a hit, and no more: the gap between the two bare rows is
    // the price of a hit's work, the rest of cachegate's gap is its own.
    name: "bare node:http shaped like a hit (reads the body, a hit's headers)",
    script: 'bare.ts',
    env: { HIT_SHAPED: '1' },
    mutate: async () => undefined,
  },
  {
    name: 'cachegate, Redis only',
    script: 'cachegate.ts',
    env: { PREFIX: 'cg-redis', L1_BYTES: '0', RATE_LIMIT_POINTS: '0' },
    mutate: appendCarsRow,
  },
  {
    name: 'cachegate, memory + Redis',
    script: 'cachegate.ts',
    env: { PREFIX: 'cg-tiered', L1_BYTES: String(64 * 1024 * 1024), RATE_LIMIT_POINTS: '0' },
    mutate: appendCarsRow,
  },
  {
    // What production runs by default: a hit is admitted against the identity's points and carries the RateLimit headers.
    name: 'cachegate, memory + Redis, rate limits on (the default)',
    script: 'cachegate.ts',
    env: { PREFIX: 'cg-limited', L1_BYTES: String(64 * 1024 * 1024), RATE_LIMIT_POINTS: '100000' },
    mutate: appendCarsRow,
  },
  { name: 'Apollo Server 5 + response-cache (Keyv Redis)', script: 'apollo.ts', mutate: appendValue },
  { name: 'graphql-yoga + envelop response-cache-redis', script: 'yoga.ts', mutate: appendValue },
  { name: 'mercurius + mercurius-cache (Redis)', script: 'mercurius.ts', mutate: appendValue },
];

type Running = RunningServer<ServerSpec>;

async function load(s: Running, redis: OwnRedis) {
  await redis.resetStats();
  const cpuBefore = cpuSeconds(s.proc.pid!);
  const result = await hammer(s, SECONDS);
  const cpuMicros = ((cpuSeconds(s.proc.pid!) - cpuBefore) * 1e6) / result.requests.total;
  const calls = Object.values(await redis.commandCalls()).reduce((a, b) => a + b, 0);
  const reads = await redisReads(redis.url);
  if (result.non2xx || result.errors) throw new Error(`${s.spec.name}: ${result.non2xx} non-2xx, ${result.errors} errors under load`);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    commandsPerRequest: calls / result.requests.total,
    roundTripsPerRequest: reads / result.requests.total,
    cpuMicros,
  };
}

async function freshness(s: Running): Promise<'fresh' | 'stale' | 'n/a'> {
  if (s.spec.script === 'bare.ts') return 'n/a';
  const count = (text: string) => JSON.parse(text).data.dataset.statistics.find((c: { column: string }) => c.column === 'Horsepower').count as number;
  const before = count((await gql(s.url, BODY)).text);
  await s.spec.mutate(s.url);
  const after = count((await gql(s.url, BODY)).text);
  return after === before + 1 ? 'fresh' : 'stale';
}

const versionOf = (pkg: string) =>
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'node_modules', pkg, 'package.json'), 'utf8')).version as string;

runWithServers(SERVERS, async (running, redis) => {
  process.stderr.write(`miss storm: ${STORM} concurrent identical requests on a cold cache\n`);
  const storms = new Map<string, number>();
  for (const s of running.filter((r) => r.spec.script !== 'bare.ts')) storms.set(s.spec.name, await missStorm(s));

  const bodies = await Promise.all(running.map(async (s) => (await gql(s.url, BODY)).text));
  // The data must be the same; extensions (cachegate reports each operation's cost) may differ.
  const reference = JSON.parse(bodies[0]).data;
  bodies.forEach((b, i) => {
    if (JSON.stringify(JSON.parse(b).data) !== JSON.stringify(reference))
      throw new Error(`${running[i].spec.name} answers differently: ${b.slice(0, 200)}`);
    if (Math.abs(b.length - bodies[0].length) / bodies[0].length > 0.1)
      throw new Error(`${running[i].spec.name}'s body differs in size by more than 10 %`);
  });

  for (const s of running) {
    process.stderr.write(`warm-up: ${s.spec.name} (${WARMUP_SECONDS} s, not measured)\n`);
    await hammer(s, WARMUP_SECONDS);
  }

  const results = new Map<string, ReturnType<typeof load> extends Promise<infer R> ? R[] : never>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const s of running) {
      process.stderr.write(`round ${round}/${ROUNDS}: ${s.spec.name} (${CONNECTIONS} connections, ${SECONDS} s)\n`);
      const r = await load(s, redis);
      process.stderr.write(`  ${Math.round(r.rps)} req/s, p99 ${r.p99} ms\n`);
      results.set(s.spec.name, [...(results.get(s.spec.name) ?? []), r]);
    }
  }

  const syscalls = new Map<string, Awaited<ReturnType<typeof syscallsPerRequest>>>();
  if (STRACE_REQUESTS > 0) {
    for (const s of running) {
      process.stderr.write(`system calls: ${s.spec.name} (${STRACE_REQUESTS} requests under strace -c -f)\n`);
      syscalls.set(s.spec.name, await syscallsPerRequest(s, STRACE_REQUESTS));
    }
  }

  process.stderr.write('freshness after a mutation\n');
  const fresh = new Map<string, string>();
  for (const s of running) fresh.set(s.spec.name, await freshness(s));

  const summary = running.map((s) => {
    const rs = results.get(s.spec.name)!;
    return {
      name: s.spec.name,
      rps: median(rs.map((r) => r.rps)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      commands: median(rs.map((r) => r.commandsPerRequest)),
      roundTrips: median(rs.map((r) => r.roundTripsPerRequest)),
      cpuMicros: median(rs.map((r) => r.cpuMicros)),
      syscalls: syscalls.get(s.spec.name),
      storm: storms.get(s.spec.name),
      fresh: fresh.get(s.spec.name)!,
    };
  });
  const lines: string[] = [];
  lines.push(
    `| server | req/s (median of ${ROUNDS}) | p50 ms | p99 ms | CPU µs per request | system calls per request (most frequent) | Redis commands per request | Redis round trips per request | computations in a ${STORM}-miss storm | fresh after a mutation |`,
  );
  lines.push('|---|---:|---:|---:|---:|---|---:|---:|---:|---|');
  for (const r of summary) {
    const sys = r.syscalls ? `${r.syscalls.calls.toFixed(2)} (${r.syscalls.top})` : 'n/a';
    lines.push(
      `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.cpuMicros.toFixed(1)} | ${sys} | ${r.commands.toFixed(2)} | ${r.roundTrips.toFixed(2)} | ${r.storm ?? 'n/a'} | ${r.fresh} |`,
    );
  }
  const byName = new Map(summary.map((r) => [r.name, r]));
  const cgRedis = byName.get('cachegate, Redis only')!;
  const cgTiered = byName.get('cachegate, memory + Redis')!;
  const ratios: string[] = [];
  for (const r of summary) {
    if (r.name.startsWith('cachegate')) continue;
    ratios.push(`| ${r.name} | ${(cgRedis.rps / r.rps).toFixed(2)}× | ${(cgTiered.rps / r.rps).toFixed(2)}× |`);
  }
  const report = [
    `# Anchor benchmark results`,
    '',
    `Measured ${new Date().toISOString()} on ${cpus().length} cores (${cpus()[0].model}), Node ${process.version}.`,
    `Query: \`${QUERY}\` on vega-datasets cars, warm cache, Redis ${'7'} on loopback (the bench's own redis-server).`,
    `autocannon, ${CONNECTIONS} connections, ${SECONDS} s, ${ROUNDS} interleaved rounds per server after a ${WARMUP_SECONDS} s unmeasured warm-up of each; medians. Each miss costs ${200} ms of simulated work on every server. The storm runs first, on cold servers, so the rounds measure each server as a storm left it (the bare servers have none). The second bare server does what any response cache must on a hit and nothing more: it reads the POST body, looks its text up in a Map, and answers with a hit's headers (Cache-Control, Vary, ETag, X-Cache, Age).`,
    '',
    ...lines,
    '',
    `CPU µs per request: user + system time of the server process (all its threads) from /proc/PID/stat over each round, divided by the requests it answered; on a shared or small machine this, not req/s, is what compares servers, since autocannon and any neighbours compete for the same cores. System calls: \`strace -c -f\` attached to each server over ${STRACE_REQUESTS} requests, apart from the timed rounds. Redis round trips: the reads Redis processed (INFO stats total_reads_processed) per request, so commands that share a write (a pipeline, ioredis auto-pipelining) count once.`,
    '',
    '## Ratios (req/s of cachegate / req/s of the other)',
    '',
    '| against | cachegate, Redis only | cachegate, memory + Redis |',
    '|---|---:|---:|',
    ...ratios,
    '',
    `Versions: @apollo/server ${versionOf('@apollo/server')}, @apollo/server-plugin-response-cache ${versionOf('@apollo/server-plugin-response-cache')}, graphql-yoga ${versionOf('graphql-yoga')}, @envelop/response-cache ${versionOf('@envelop/response-cache')}, @envelop/response-cache-redis ${versionOf('@envelop/response-cache-redis')}, mercurius ${versionOf('mercurius')}, mercurius-cache ${versionOf('mercurius-cache')}, fastify ${versionOf('fastify')}, ioredis ${versionOf('ioredis')}, autocannon ${versionOf('autocannon')}.`,
    '',
    'Rerun: `npm run bench:anchors` (BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_WARMUP_SECONDS override the defaults). It installs nothing and starts its own redis-server on a free port.',
    '',
  ].join('\n');
  console.log(`\n${report}`);
  writeFileSync(path.join(__dirname, '..', 'RESULTS.md'), report);
});
