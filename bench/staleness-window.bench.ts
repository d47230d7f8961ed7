// How long after a write on gateway B can gateway A (in-process tier in front of Redis) still
// serve the old response? Two gateway processes, one PostgreSQL schema, one redis-server.
// Each trial: warm A's memory, write through B, then ask A as fast as it answers until it is
// fresh; the window is from B's answer to A's first fresh answer (an upper bound: it includes
// one request's latency). Rerun: npm run bench:staleness [trials]
import { signToken } from '../src/server/auth';
import { openTestDatabase } from '../test/helpers/databases';
import { TEST_JWT_SECRET } from '../test/helpers/gateway';
import { startGatewayProcess } from '../test/helpers/gateway-process';
import { fmt, median, OwnRedis, percentile, postJson, progress } from './support';

const TRIALS = Number(process.argv[2] ?? 100);
const QUERY = 'query S($id: ID!) { dataset(id: $id) { rowCount } }';

async function main(): Promise<void> {
  const redis = await OwnRedis.start();
  const database = await openTestDatabase('postgres');
  const env = { DATABASE_URL: database.url!, REDIS_URL: redis.url, REDIS_CACHE_PREFIX: 'stale', CACHE_L1_MAX_BYTES: String(32 * 1024 * 1024) };
  const a = await startGatewayProcess(env);
  const b = await startGatewayProcess(env);
  const auth = { authorization: `Bearer ${await signToken(TEST_JWT_SECRET, { id: 'bench', role: 'user' })}` };
  try {
    const created = await postJson(b.url, { query: 'mutation { createDataset(name: "w", csv: "x\\n1") { id } }' }, auth);
    const id = JSON.parse(created.text).data.createDataset.id;
    const windows: number[] = [];
    const staleReads: number[] = [];
    for (let trial = 1; trial <= TRIALS; trial++) {
      await postJson(a.url, { query: QUERY, variables: { id } });
      const warm = await postJson(a.url, { query: QUERY, variables: { id } });
      if (warm.cache !== 'HIT') throw new Error(`A should hit from memory, got ${warm.cache}`);
      const expected = trial + 1;
      await postJson(b.url, { query: `mutation { appendDatasetRows(id: "${id}", csv: "x\\n${trial}") { rowCount } }` }, auth);
      const answered = performance.now();
      let stale = 0;
      for (;;) {
        const r = await postJson(a.url, { query: QUERY, variables: { id } });
        if (JSON.parse(r.text).data.dataset.rowCount === expected) break;
        stale++;
      }
      windows.push(performance.now() - answered);
      staleReads.push(stale);
      if (trial % 10 === 0) progress('trials', trial, TRIALS);
    }
    const staleTrials = staleReads.filter((n) => n > 0).length;
    console.log(`\nStaleness window between two gateway processes (memory + Redis tiers), ${TRIALS} writes`);
    console.log('| measure | value |');
    console.log('|---|---:|');
    console.log(`| writes after which A's next read was already fresh | ${TRIALS - staleTrials} of ${TRIALS} |`);
    console.log(`| stale reads seen in all (max in one trial) | ${staleReads.reduce((x, y) => x + y, 0)} (${Math.max(...staleReads)}) |`);
    console.log(`| time from B's answer to A's first fresh answer: median | ${fmt(median(windows), 3)} ms |`);
    console.log(`| p99 | ${fmt(percentile(windows, 99), 3)} ms |`);
    console.log(`| max | ${fmt(Math.max(...windows), 3)} ms |`);
    console.log('\nrerun: npm run bench:staleness [trials]');
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await database.dispose();
    await redis.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
