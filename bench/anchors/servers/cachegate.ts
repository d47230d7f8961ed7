// cachegate itself, over embedded PGlite with cars loaded as dataset 1. L1_BYTES picks the tiers (0: Redis only),
// RATE_LIMIT_POINTS the rate limit (0, off, unless set); V8_PRETENURING, when set, is passed on.
import { loadVega, openBenchDatabase, startBenchGateway } from '../../support';
import { env, MISS_DELAY_MS, serveCounter, sleep } from '../common';

async function main(): Promise<void> {
  const db = await openBenchDatabase();
  const { gateway } = await startBenchGateway(
    db,
    {
      REDIS_URL: env('REDIS_URL'),
      REDIS_CACHE_PREFIX: env('PREFIX'),
      CACHE_L1_MAX_BYTES: env('L1_BYTES'),
      V8_PRETENURING: process.env.V8_PRETENURING ?? '',
      RATE_LIMIT_POINTS: process.env.RATE_LIMIT_POINTS ?? '0',
    },
    undefined,
    Number(env('PORT')),
  );
  const id = await loadVega(gateway, 'cars', 'cars.json');
  if (id !== '1') throw new Error(`cars got id ${id}, expected 1`);
  // Count computations, and give a miss the same simulated cost as the other servers'.
  let computations = 0;
  const datasets = gateway.services.datasets;
  const statistics = datasets.statistics.bind(datasets);
  datasets.statistics = async (dataset) => {
    computations++;
    await sleep(MISS_DELAY_MS);
    return statistics(dataset);
  };
  // Exit cleanly on SIGTERM so `node --cpu-prof` writes its profile.
  process.on('SIGTERM', () => process.exit(0));
  process.stdout.write('ready\n');
  serveCounter(
    Number(env('COUNTER_PORT')),
    () => computations,
    () => (computations = 0),
  );
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
