/**
 * The models domain through the gateway (HTTP, GraphQL), over embedded PGlite and the
 * in-process cache:
 *
 * 1. trainModel: how long the mutation takes to answer QUEUED (validation in a worker), and
 *    how long from QUEUED to COMPLETED, per algorithm on cars, penguins, seattle-weather and
 *    movies (the last two above the row cap: 1,000 rows for forests, 2,000 for the others).
 * 2. The API while a forest trains: latency of a small uncached query sent meanwhile, against
 *    the same query with the trainer idle (training runs in a worker thread).
 * 3. predict and compareModels: a miss (Cache-Control: no-cache) against a hit, medians.
 *
 *   npx tsx bench/models-api.bench.ts [--repeats 50]
 */
import { readFileSync } from 'node:fs';
import { parseCsvTable } from '../src/domains/datasets/compute';
import { vegaDataPath } from '../src/domains/datasets/dataset.seed';
import { signToken } from '../src/server/auth';
import { fmt, loadVega, median, openBenchDatabase, percentile, postJson, startBenchGateway } from './support';

const args = process.argv.slice(2);
const REPEATS = Number(args[args.indexOf('--repeats') + 1] || 50);
const SECRET = 'bench-secret-0123456789';

const TRAIN = `mutation Train($datasetId: ID!, $target: String!, $features: [String!], $algorithm: Algorithm!) {
  trainModel(datasetId: $datasetId, target: $target, features: $features, algorithm: $algorithm) { id status }
}`;
const STATUS = 'query Status($id: ID!) { modelRun(id: $id) { status error metrics { trainRows testRows accuracy } } }';
const LIST = 'query List { modelRuns(limit: 5) { id status } }';
const PREDICT = 'query Predict($id: ID!, $input: JSONObject!) { predict(modelRunId: $id, input: $input) { label probabilities { label p } } }';
const COMPARE = 'query Compare($ids: [ID!]!) { compareModels(ids: $ids) { entries { modelRun { id } value rank } best { id } } }';

const NO_CACHE = { 'cache-control': 'no-cache' };

async function main(): Promise<void> {
  const db = await openBenchDatabase();
  const { gateway, url } = await startBenchGateway(db, { CACHE_RESPONSES: '0' });
  const auth = { authorization: `Bearer ${await signToken(SECRET, { id: 'bench', role: 'user' })}` };
  try {
    const cars = await loadVega(gateway, 'cars', 'cars.json');
    const penguins = await loadVega(gateway, 'penguins', 'penguins.json');
    const movies = await loadVega(gateway, 'movies', 'movies.json');
    const weatherTable = parseCsvTable(readFileSync(vegaDataPath('seattle-weather.csv'), 'utf8'), { maxBytes: Infinity });
    const weather = (await gateway.services.datasets.insert('seattle-weather', 'vega-datasets/seattle-weather.csv', weatherTable)).id;

    const train = async (datasetId: string, target: string, algorithm: string, features: string[] | null = null) => {
      const { ms, text } = await postJson(url, { query: TRAIN, variables: { datasetId, target, algorithm, features } }, auth);
      return { id: JSON.parse(text).data.trainModel.id as string, queuedMs: ms };
    };
    const status = async (id: string, headers: Record<string, string> = NO_CACHE) =>
      JSON.parse((await postJson(url, { query: STATUS, variables: { id } }, headers)).text).data.modelRun;
    const finish = async (id: string) => {
      for (;;) {
        const run = await status(id);
        if (run.status === 'COMPLETED' || run.status === 'FAILED') return run;
        await new Promise((r) => setTimeout(r, 10));
      }
    };

    console.log('1. trainModel: answer (QUEUED) and queue → COMPLETED');
    console.log('   dataset          algorithm            queued ms   trained ms   train+test rows   accuracy');
    const cases: Array<[string, string, string, string[] | null]> = [
      ['penguins', penguins, 'Species', null],
      ['cars', cars, 'Origin', ['Miles_per_Gallon', 'Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration']],
      ['seattle-weather', weather, 'weather', null],
      ['movies', movies, 'Major Genre', ['Running Time min', 'IMDB Rating', 'IMDB Votes', 'Production Budget']],
    ];
    const completed: string[] = [];
    let forestOnMovies = '';
    for (const [name, datasetId, target, features] of cases) {
      for (const algorithm of ['DECISION_TREE', 'KNN', 'LOGISTIC_REGRESSION', 'RANDOM_FOREST']) {
        const started = performance.now();
        const { id, queuedMs } = await train(datasetId, target, algorithm, features);
        const run = await finish(id);
        const m = run.metrics;
        console.log(
          `   ${name.padEnd(16)} ${algorithm.padEnd(20)} ${fmt(queuedMs, 1).padStart(9)} ${fmt(performance.now() - started, 0).padStart(12)}` +
            `   ${m ? `${m.trainRows} + ${m.testRows}`.padStart(15) : run.error}   ${m ? fmt(m.accuracy, 3) : ''}`,
        );
        if (run.status === 'COMPLETED') completed.push(id);
        if (name === 'movies' && algorithm === 'RANDOM_FOREST') forestOnMovies = id;
      }
    }

    console.log('\n2. an uncached query while a forest trains, against the trainer idle');
    const idle: number[] = [];
    for (let i = 0; i < REPEATS; i++) idle.push((await postJson(url, { query: LIST }, NO_CACHE)).ms);
    const { id: busyRun } = await train(movies, 'Major Genre', 'RANDOM_FOREST', ['Running Time min', 'IMDB Rating', 'IMDB Votes']);
    const busy: number[] = [];
    while ((await status(busyRun)).status !== 'COMPLETED') busy.push((await postJson(url, { query: LIST }, NO_CACHE)).ms);
    console.log(`   idle:     median ${fmt(median(idle))} ms, p99 ${fmt(percentile(idle, 99))} ms (${idle.length} requests)`);
    console.log(`   training: median ${fmt(median(busy))} ms, p99 ${fmt(percentile(busy, 99))} ms (${busy.length} requests)`);

    console.log('\n3. cache misses against hits, medians');
    const row = Object.fromEntries(
      ['Running Time min', 'IMDB Rating', 'IMDB Votes', 'Production Budget'].map((f, i) => [f, [118, 7.1, 52_000, 40_000_000][i]]),
    );
    const predictBody = { query: PREDICT, variables: { id: forestOnMovies, input: row } };
    const compareBody = { query: COMPARE, variables: { ids: completed } };
    for (const [label, body] of [
      ['predict (forest on movies)', predictBody],
      [`compareModels (${completed.length} runs)`, compareBody],
    ] as const) {
      const miss: number[] = [];
      const hit: number[] = [];
      for (let i = 0; i < REPEATS; i++) miss.push((await postJson(url, body, NO_CACHE)).ms);
      for (let i = 0; i < REPEATS; i++) hit.push((await postJson(url, body)).ms);
      console.log(`   ${label.padEnd(30)} miss ${fmt(median(miss))} ms   hit ${fmt(median(hit))} ms`);
    }
  } finally {
    await gateway.close();
    await db.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
