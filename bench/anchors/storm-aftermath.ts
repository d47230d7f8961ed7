// Hits per second of cachegate (memory + Redis) on instances whose first traffic was a storm of
// 200 identical misses, against instances that never had one, with V8's allocation-site
// pretenuring off (the default) and on: four instances measured side by side.
// Why it matters: src/server/v8-tuning.ts.
// Rerun: npm run bench:storm-aftermath   (BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=50 BENCH_WARMUP_SECONDS=3)
import { median } from '../stats';
import { BODY, CONNECTIONS, gql, hammer, missStorm, runWithServers, STORM } from './harness';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const L1_BYTES = String(64 * 1024 * 1024);

const SETTINGS = ['0', '1'];
const label = (pretenuring: string) => `V8_PRETENURING=${pretenuring}${pretenuring === '0' ? ' (default)' : ''}`;
// Each instance has a prefix of its own, so every one starts on a cold cache.
const VARIANTS = SETTINGS.flatMap((p) => [
  {
    name: `${label(p)}, stormed`,
    pretenuring: p,
    storm: true,
    script: 'cachegate.ts',
    env: { PREFIX: `sa-${p}-storm`, L1_BYTES, V8_PRETENURING: p },
  },
  { name: `${label(p)}, calm`, pretenuring: p, storm: false, script: 'cachegate.ts', env: { PREFIX: `sa-${p}-calm`, L1_BYTES, V8_PRETENURING: p } },
]);

runWithServers(VARIANTS, async (running) => {
  for (const s of running) {
    if (s.spec.storm) {
      const computations = await missStorm(s);
      process.stderr.write(`storm: ${s.spec.name}: ${STORM} concurrent identical requests on a cold instance, ${computations} computation(s)\n`);
    } else await gql(s.url, BODY);
    process.stderr.write(`warm-up: ${s.spec.name} (${WARMUP_SECONDS} s, not measured)\n`);
    await hammer(s, WARMUP_SECONDS);
  }
  const rps: number[][] = running.map(() => []);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [i, s] of running.entries()) {
      const result = await hammer(s, SECONDS);
      if (result.non2xx || result.errors) throw new Error(`${s.spec.name}: ${result.non2xx} non-2xx, ${result.errors} errors under load`);
      rps[i].push(result.requests.average);
      process.stderr.write(`round ${round}/${ROUNDS}: ${s.spec.name}: ${Math.round(result.requests.average)} req/s\n`);
    }
  }
  const rate = (pretenuring: string, storm: boolean) => median(rps[VARIANTS.findIndex((v) => v.pretenuring === pretenuring && v.storm === storm)]);

  console.log(
    `\nWhole-response hits per second, median of ${ROUNDS} interleaved ${SECONDS} s rounds, ${CONNECTIONS} connections; "stormed" instances first answered ${STORM} concurrent identical misses:\n`,
  );
  console.log('| setting | calm instance | stormed instance | stormed / calm |');
  console.log('|---|---:|---:|---:|');
  for (const p of SETTINGS) {
    const calm = rate(p, false);
    const stormed = rate(p, true);
    console.log(`| ${label(p)} | ${Math.round(calm)} | ${Math.round(stormed)} | ${(stormed / calm).toFixed(2)}× |`);
  }
  console.log(`\nStormed instances, pretenuring off / on: ${(rate('0', true) / rate('1', true)).toFixed(2)}×`);
  console.log('Rerun: npm run bench:storm-aftermath');
});
