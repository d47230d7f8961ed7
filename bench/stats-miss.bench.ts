// A statistics miss on flights-200k beside DuckDB computing the same statistics on the same rows.
// Rerun: npm run bench:stats-miss  (or node -r @swc-node/register bench/stats-miss.bench.ts [rounds])
//
// Three timings, medians over the rounds, interleaved so that a busy neighbour on a shared
// machine slows all of them alike:
//   - HTTP miss: Dataset.statistics over loopback with cache-control: no-cache (computed afresh);
//   - service miss: DatasetService.statistics in-process (load the chunks, worker, compute);
//   - DuckDB: one SQL query over the same rows held in DuckDB's own in-memory table, so DuckDB
//     is timed without any loading (the harder side to match).
// The DuckDB results are checked against ours before any timing is reported.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { tableFromRecords } from '../src/domains/datasets/compute';
import { vegaDataPath } from '../src/domains/datasets/dataset.seed';
import type { ColumnStatistics } from '../src/domains/datasets/dataset.type';
import { fmt, median, openBenchDatabase, OwnRedis, postJson, progress, startBenchGateway } from './support';

const ROUNDS = Number(process.argv[2] ?? 15);
const QUERY = 'query Stats($id: ID!) { dataset(id: $id) { statistics { column count nullCount distinct mean std min max p25 p50 p75 } } }';

async function main(): Promise<void> {
  const records: Record<string, number | null>[] = JSON.parse(readFileSync(vegaDataPath('flights-200k.json'), 'utf8'));
  const table = tableFromRecords(records);
  const names = table.columns.map((c) => c.name);

  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  await duck.run(`CREATE TABLE flights (${names.map((n) => `"${n}" DOUBLE`).join(', ')})`);
  const appender = await duck.createAppender('flights');
  for (let r = 0; r < table.rowCount; r++) {
    for (let c = 0; c < names.length; c++) {
      const v = table.data[c][r];
      if (typeof v === 'number') appender.appendDouble(v);
      else appender.appendNull();
    }
    appender.endRow();
  }
  appender.closeSync();
  const duckSql = names
    .map(
      (n) =>
        `SELECT '${n}' AS "column", count("${n}") AS count, count(*) - count("${n}") AS nullCount, count(DISTINCT "${n}") AS distinct,
          avg("${n}") AS mean, stddev_samp("${n}") AS std, min("${n}") AS min, max("${n}") AS max,
          quantile_cont("${n}", 0.25) AS p25, quantile_cont("${n}", 0.5) AS p50, quantile_cont("${n}", 0.75) AS p75 FROM flights`,
    )
    .join('\nUNION ALL\n');
  const duckStats = async () => (await duck.runAndReadAll(duckSql)).getRowObjectsJson() as unknown as ColumnStatistics[];

  const redis = await OwnRedis.start();
  const db = await openBenchDatabase();
  const { gateway, url } = await startBenchGateway(db, {
    REDIS_URL: redis.url,
    REDIS_CACHE_PREFIX: 'bench-stats',
    CACHE_L1_MAX_BYTES: '0',
    CACHE_RESPONSES: '0',
    // Every round reads the rows from the database, as the first miss after a write does (a new
    // version): rows kept from the round before would time a miss no user meets after a write.
    DATASET_ROWS_MEMORY_BYTES: '0',
  });
  try {
    process.stderr.write('loading flights-200k…\n');
    const datasets = gateway.services.datasets;
    const dataset = await datasets.insert('flights-200k', 'vega-datasets/flights-200k.json', table);
    const body = { query: QUERY, variables: { id: dataset.id } };

    // Same statistics: DuckDB's and ours agree (floating-point sums differ in the last digits).
    const ours = await datasets.statistics(dataset);
    const theirs = await duckStats();
    for (const mine of ours) {
      const other = theirs.find((s) => s.column === mine.column)!;
      for (const key of ['count', 'nullCount', 'distinct', 'mean', 'std', 'min', 'max', 'p25', 'p50', 'p75'] as const) {
        const a = Number(mine[key]);
        const b = Number(other[key]);
        if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a))) throw new Error(`${mine.column}.${key}: ours ${a}, DuckDB ${b}`);
      }
    }

    const http: number[] = [];
    const service: number[] = [];
    const serviceCpu: number[] = [];
    const duckMs: number[] = [];
    const duckCpu: number[] = [];
    // CPU time of the whole process (every thread: the worker, PGlite, DuckDB's threads) is what a
    // loaded shared machine leaves comparable; wall time there includes waiting for a core.
    const cpuMs = (since: NodeJS.CpuUsage) => {
      const d = process.cpuUsage(since);
      return (d.user + d.system) / 1000;
    };
    await postJson(url, body, { 'cache-control': 'no-cache' });
    for (let i = 0; i < ROUNDS; i++) {
      http.push((await postJson(url, body, { 'cache-control': 'no-cache' })).ms);
      let t = performance.now();
      let c = process.cpuUsage();
      await datasets.statistics(dataset);
      service.push(performance.now() - t);
      serviceCpu.push(cpuMs(c));
      t = performance.now();
      c = process.cpuUsage();
      await duckStats();
      duckMs.push(performance.now() - t);
      duckCpu.push(cpuMs(c));
      progress('rounds', i + 1, ROUNDS);
    }
    const d = median(duckMs);
    const dc = median(duckCpu);
    console.log(
      `\nDataset.statistics on flights-200k (${table.rowCount.toLocaleString('en')} rows × ${names.length} columns), ${ROUNDS} rounds, medians`,
    );
    console.log(`database: ${db.kind}; machine load at the time matters, read the medians side by side\n`);
    console.log('| path | median ms | x DuckDB | CPU ms (all threads) | x DuckDB CPU |');
    console.log('|---|---:|---:|---:|---:|');
    for (const [label, ms, cpu] of [
      ['miss over HTTP (no-cache)', median(http), undefined],
      ['miss in-process (DatasetService.statistics)', median(service), median(serviceCpu)],
      ['DuckDB, same statistics, in-memory table', d, dc],
    ] as const) {
      const cpuCells = cpu === undefined ? '| |' : `| ${fmt(cpu, 1)} | ${fmt(cpu / dc, 2)} |`;
      console.log(`| ${label} | ${fmt(ms, 1)} | ${fmt(ms / d, 2)} ${cpuCells}`);
    }
    console.log('\nrerun: npm run bench:stats-miss (argument: rounds)');
  } finally {
    await gateway.close();
    await db.close();
    await redis.stop();
    duck.closeSync();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
