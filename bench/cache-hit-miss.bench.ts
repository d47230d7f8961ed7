// Hit versus miss latency of Dataset.statistics on flights-200k (200,000 rows), medians.
// Rerun: npm run bench:cache  (or node -r @swc-node/register bench/cache-hit-miss.bench.ts [misses] [hits])
import { fmt, loadVega, median, openBenchDatabase, OwnRedis, postJson, progress, startBenchGateway } from './support';

const MISSES = Number(process.argv[2] ?? 15);
const HITS = Number(process.argv[3] ?? 300);
const QUERY = 'query Stats($id: ID!) { dataset(id: $id) { statistics { column count mean std min max p25 p50 p75 } } }';

async function main(): Promise<void> {
  const redis = await OwnRedis.start();
  const db = await openBenchDatabase();
  const fieldOnly = await startBenchGateway(db, { REDIS_URL: redis.url, REDIS_CACHE_PREFIX: 'bench', CACHE_L1_MAX_BYTES: '0', CACHE_RESPONSES: '0' });
  const whole = await startBenchGateway(db, { REDIS_URL: redis.url, REDIS_CACHE_PREFIX: 'bench', CACHE_L1_MAX_BYTES: '0' });
  const tiered = await startBenchGateway(db, { REDIS_URL: redis.url, REDIS_CACHE_PREFIX: 'bench' });
  try {
    process.stderr.write('loading flights-200k…\n');
    const id = await loadVega(fieldOnly.gateway, 'flights-200k', 'flights-200k.json');
    const body = { query: QUERY, variables: { id } };

    const miss: number[] = [];
    for (let i = 0; i < MISSES; i++) {
      // no-cache computes afresh (and refreshes the entry): a miss every time.
      miss.push((await postJson(fieldOnly.url, body, { 'cache-control': 'no-cache' })).ms);
      progress('misses', i + 1, MISSES);
    }
    const measure = async (label: string, url: string, expect: string | null) => {
      await postJson(url, body);
      const out: number[] = [];
      for (let i = 0; i < HITS; i++) {
        const r = await postJson(url, body);
        if (expect && r.cache !== expect) throw new Error(`${label}: expected x-cache ${expect}, got ${r.cache}`);
        out.push(r.ms);
        if ((i + 1) % 50 === 0) progress(label, i + 1, HITS);
      }
      return out;
    };
    const fieldHits = await measure('field hits', fieldOnly.url, 'BYPASS');
    const wholeHits = await measure('whole-response hits (Redis)', whole.url, 'HIT');
    const tieredHits = await measure('whole-response hits (memory + Redis)', tiered.url, 'HIT');

    const m = median(miss);
    const rows = [
      ['miss (statistics computed in a worker)', m],
      ['hit: field cache, Redis', median(fieldHits)],
      ['hit: whole response, Redis', median(wholeHits)],
      ['hit: whole response, in-process tier', median(tieredHits)],
    ] as const;
    console.log(`\nDataset.statistics on flights-200k (200,000 rows × 3 columns), sequential requests over HTTP on loopback`);
    console.log(`${MISSES} misses, ${HITS} hits per row; medians\n`);
    console.log('| path | median ms | miss / this |');
    console.log('|---|---:|---:|');
    for (const [label, ms] of rows) console.log(`| ${label} | ${fmt(ms, 3)} | ${fmt(m / ms, 1)}× |`);
    console.log(`\nrerun: npm run bench:cache (arguments: misses hits)`);
  } finally {
    await Promise.all([fieldOnly.gateway.close(), whole.gateway.close(), tiered.gateway.close()]);
    await db.close();
    await redis.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
