// A 3-master Redis Cluster against one Redis, side by side in one run: hit throughput (whole
// responses and field-level), Redis commands per hit (INFO commandstats deltas), and the miss
// storm of 200 concurrent requests over 3 gateway processes (computations counted by the processes).
// Rerun: npm run bench:cluster  (or npm run build && node -r @swc-node/register bench/cluster.bench.ts [rounds] [requests] [concurrency])
// Starts its own redis-servers (one, and 6 cluster nodes) and stops them by PID; the storm needs the
// machine's PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
import { loadavg } from 'node:os';
import { signToken } from '../src/server/auth';
import { openTestDatabase } from '../test/helpers/databases';
import { TEST_JWT_SECRET } from '../test/helpers/gateway';
import { type GatewayProcess, startGatewayProcess } from '../test/helpers/gateway-process';
import { OwnRedisCluster } from '../test/helpers/redis-cluster';
import { fmt, median, openBenchDatabase, OwnRedis, postJson, progress, startBenchGateway } from './support';

// A round of a few hundred requests lasts a tenth of a second, too short to outlast a neighbour's burst on a small machine.
const ROUNDS = Number(process.argv[2] ?? 7);
const REQUESTS = Number(process.argv[3] ?? 3000);
const CONCURRENCY = Number(process.argv[4] ?? 16);
const STORM = 200;
const QUERY = '{ datasets(limit: 20) { id statistics { column count mean } } }';

interface Target {
  label: string;
  url: string;
  commands(): Promise<Record<string, number>>;
  resetStats(): Promise<void>;
}

/** Requests per second of REQUESTS reads sent CONCURRENCY at a time, and how many were not hits (a Redis read past its deadline is a miss). */
async function throughput(url: string, expectCache: string): Promise<{ rps: number; notHits: number }> {
  let sent = 0;
  let notHits = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < REQUESTS) {
        sent++;
        const r = await postJson(url, { query: QUERY });
        if (r.cache !== expectCache) notHits++;
      }
    }),
  );
  return { rps: REQUESTS / ((performance.now() - started) / 1000), notHits };
}

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

async function computations(gateways: GatewayProcess[]): Promise<number> {
  const counts = await Promise.all(
    gateways.map(async (g) => Number(/^cachegate_cache_computations_total (\d+)/m.exec(await (await fetch(`${g.url}/metrics`)).text())?.[1] ?? NaN)),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** 3 gateway processes on one topology; each round a new dataset, 200 concurrent reads of its statistics spread over them. */
async function storm(label: string, topologyEnv: Record<string, string>): Promise<number[]> {
  const database = await openTestDatabase('postgres');
  const env = { DATABASE_URL: database.url!, REDIS_CACHE_PREFIX: `bench-storm-${process.pid}`, ...topologyEnv };
  const gateways: GatewayProcess[] = [];
  try {
    // The first migrates the fresh database.
    gateways.push(await startGatewayProcess(env));
    gateways.push(...(await Promise.all([startGatewayProcess(env), startGatewayProcess(env)])));
    const admin = { authorization: `Bearer ${await signToken(TEST_JWT_SECRET, { id: 'bench', role: 'admin' })}` };
    const out: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const csv = `x,y\n${Array.from({ length: 2000 }, (_, i) => `${i},${(i * 7 + round) % 13}`).join('\n')}`;
      const created = await postJson(
        gateways[round % 3].url,
        { query: 'mutation M($csv: String!) { createDataset(name: "storm", csv: $csv) { id } }', variables: { csv } },
        admin,
      );
      const id = JSON.parse(created.text).data.createDataset.id;
      const before = await computations(gateways);
      await Promise.all(
        Array.from({ length: STORM }, (_, i) =>
          postJson(gateways[i % 3].url, { query: 'query S($id: ID!) { dataset(id: $id) { statistics { count } } }', variables: { id } }),
        ),
      );
      out.push((await computations(gateways)) - before);
      progress(`storm, ${label}`, round + 1, ROUNDS);
    }
    return out;
  } finally {
    await Promise.all(gateways.map((g) => g.stop()));
    await database.dispose();
  }
}

async function main(): Promise<void> {
  const load = loadavg()[0];
  process.stderr.write('starting a redis-server and a 3-master cluster…\n');
  const single = await OwnRedis.start();
  const cluster = await OwnRedisCluster.start();
  // A database for each Redis: gateways of one database share its invalidation log, whose watermark lives in their Redis.
  const db = await openBenchDatabase();
  const dbCluster = await openBenchDatabase();
  const common = { CACHE_L1_MAX_BYTES: '0', CACHE_STATS_FLUSH_MS: '0', REDIS_CACHE_PREFIX: 'bench' };
  const onSingle = { ...common, REDIS_URL: single.url };
  const onCluster = { ...common, REDIS_CLUSTER_NODES: cluster.seedList };
  const gateways = {
    wholeSingle: await startBenchGateway(db, onSingle),
    wholeCluster: await startBenchGateway(dbCluster, onCluster),
    fieldSingle: await startBenchGateway(db, { ...onSingle, CACHE_RESPONSES: '0' }),
    fieldCluster: await startBenchGateway(dbCluster, { ...onCluster, CACHE_RESPONSES: '0' }),
  };
  try {
    for (let i = 0; i < 20; i++) {
      const csv = ['a,b', ...Array.from({ length: 500 }, (_, r) => `${r * i},${r % 7}`)].join('\n');
      await gateways.wholeSingle.gateway.services.datasets.create(`d${i}`, csv);
      await gateways.wholeCluster.gateway.services.datasets.create(`d${i}`, csv);
    }
    const redisOf = (url: string, onCluster: boolean): Target => ({
      label: onCluster ? 'cluster' : 'single',
      url,
      commands: () => (onCluster ? cluster.commandCalls() : single.commandCalls()),
      resetStats: () => (onCluster ? cluster.resetStats() : single.resetStats()),
    });
    const rows: { mode: string; expect: string; single: Target; cluster: Target }[] = [
      { mode: 'whole response', expect: 'HIT', single: redisOf(gateways.wholeSingle.url, false), cluster: redisOf(gateways.wholeCluster.url, true) },
      {
        mode: 'field-level (20 fields)',
        expect: 'BYPASS',
        single: redisOf(gateways.fieldSingle.url, false),
        cluster: redisOf(gateways.fieldCluster.url, true),
      },
    ];
    // Warm every entry and the code that serves it (one unmeasured round each: the first measured
    // round ran up to 1.7x faster on the cluster, its turn coming second), then measure each pair
    // in turns so both see the same machine.
    for (const row of rows) for (const t of [row.single, row.cluster]) await throughput(t.url, row.expect);
    const rps = new Map<Target, number[]>();
    const perHit = new Map<Target, number>();
    const notHits = new Map<Target, number>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const row of rows) {
        for (const t of round % 2 ? [row.cluster, row.single] : [row.single, row.cluster]) {
          await t.resetStats();
          const r = await throughput(t.url, row.expect);
          const calls = await t.commands();
          rps.set(t, [...(rps.get(t) ?? []), r.rps]);
          notHits.set(t, (notHits.get(t) ?? 0) + r.notHits);
          perHit.set(t, total(calls) / REQUESTS);
        }
      }
      progress('hit throughput rounds', round + 1, ROUNDS);
    }
    const stormSingle = await storm('one Redis', { REDIS_URL: single.url });
    const stormCluster = await storm('cluster', { REDIS_CLUSTER_NODES: cluster.seedList });

    console.log(`\nHits over HTTP on loopback: ${QUERY}`);
    console.log(
      `${ROUNDS} rounds × ${REQUESTS} requests at concurrency ${CONCURRENCY} per cell, the two topologies in turns; medians of the rounds; in-process tier off (every hit reads Redis)`,
    );
    console.log(
      `cluster: 3 masters + 3 replicas (redis-server ${cluster.nodes.length} processes); load average at start ${fmt(load, 1)} on this machine\n`,
    );
    console.log(
      '| hits | one Redis req/s | cluster req/s | cluster / one | each round (cluster / one) | Redis commands per hit: one | cluster | not hits: one | cluster |',
    );
    console.log('|---|---:|---:|---:|---|---:|---:|---:|---:|');
    for (const row of rows) {
      const singles = rps.get(row.single)!;
      const clusters = rps.get(row.cluster)!;
      const s = median(singles);
      const c = median(clusters);
      const perRound = clusters.map((r, i) => `${fmt(r / singles[i], 2)}×`).join(', ');
      console.log(
        `| ${row.mode} | ${fmt(s, 0)} | ${fmt(c, 0)} | ${fmt(c / s, 2)}× | ${perRound} | ${fmt(perHit.get(row.single)!, 1)} | ${fmt(perHit.get(row.cluster)!, 1)} | ${notHits.get(row.single)} | ${notHits.get(row.cluster)} |`,
      );
    }
    console.log(
      `\nMiss storm: ${STORM} concurrent reads of a new dataset's statistics over 3 gateway processes (default settings), computations summed over the processes`,
    );
    console.log('| topology | computations per storm (each round) | median | target |');
    console.log('|---|---|---:|---:|');
    console.log(`| one Redis | ${stormSingle.join(', ')} | ${median(stormSingle)} | 1 |`);
    console.log(`| cluster | ${stormCluster.join(', ')} | ${median(stormCluster)} | 1 |`);
    console.log(
      '\nCommands per hit: the reads of one event-loop turn (the concurrent hits it handles) share their MGETs, one per hash slot they touch on a cluster. Every tag version sits in one slot, so a turn of whole-response hits reads their keys plus one MGET of their tags, and a turn of field-level reads one MGET per slot their entries fall in plus one for their tags.',
    );
    console.log('\nrerun: npm run bench:cluster (arguments: rounds requests concurrency)');
  } finally {
    await Promise.all(Object.values(gateways).map((g) => g.gateway.close()));
    await db.close();
    await dbCluster.close();
    await cluster.stop();
    await single.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
