// A query over the statistics of 20 datasets: one MGET per level (the loader) versus one read per field.
// Rerun: npm run bench:mget  (or node -r @swc-node/register bench/mget-vs-get.bench.ts [requests])
import { fmt, median, openBenchDatabase, OwnRedis, postJson, progress, startBenchGateway } from './support';
import { RequestCache } from '../src/graphql/request-cache';

const REQUESTS = Number(process.argv[2] ?? 300);
const QUERY = '{ datasets(limit: 20) { id statistics { column count mean } } }';

async function main(): Promise<void> {
  const redis = await OwnRedis.start();
  const db = await openBenchDatabase();
  const env = { REDIS_URL: redis.url, REDIS_CACHE_PREFIX: 'bench', CACHE_L1_MAX_BYTES: '0', CACHE_RESPONSES: '0' };
  const batched = await startBenchGateway(db, env);
  const unbatched = await startBenchGateway(db, env, { requestCache: (values, mode) => new RequestCache(values, mode, false) });
  try {
    for (let i = 0; i < 20; i++) {
      const csv = ['a,b', ...Array.from({ length: 500 }, (_, r) => `${r * i},${r % 7}`)].join('\n');
      await batched.gateway.services.datasets.create(`d${i}`, csv);
    }
    const run = async (label: string, url: string) => {
      await postJson(url, { query: QUERY });
      await redis.resetStats();
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        times.push((await postJson(url, { query: QUERY })).ms);
        if ((i + 1) % 50 === 0) progress(label, i + 1, REQUESTS);
      }
      const calls = await redis.commandCalls();
      const reads = (calls.mget ?? 0) + (calls.get ?? 0);
      return { ms: median(times), readsPerRequest: reads / REQUESTS };
    };
    const one = await run('one MGET per level', batched.url);
    const many = await run('one read per field', unbatched.url);
    console.log(`\nQuery: ${QUERY} (all 20 statistics cached; whole-response cache off)`);
    console.log(`${REQUESTS} sequential requests each; medians; Redis reads counted by INFO commandstats on the bench's own redis-server\n`);
    console.log('| loader | Redis reads per request | median ms |');
    console.log('|---|---:|---:|');
    console.log(`| batched: one MGET per level | ${fmt(one.readsPerRequest, 1)} | ${fmt(one.ms, 3)} |`);
    console.log(`| unbatched: one read per field | ${fmt(many.readsPerRequest, 1)} | ${fmt(many.ms, 3)} |`);
    console.log(
      `\nround trips saved: ${fmt(many.readsPerRequest / one.readsPerRequest, 0)}×; latency ratio unbatched / batched: ${fmt(many.ms / one.ms, 2)}×`,
    );
    console.log('rerun: npm run bench:mget');
  } finally {
    await Promise.all([batched.gateway.close(), unbatched.gateway.close()]);
    await db.close();
    await redis.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
