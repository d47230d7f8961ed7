/**
 * Training and prediction timings of the models domain on real data sets.
 *
 *   npx tsx bench/models.bench.ts [--runs 5] [--predicts 2000]
 *
 * Per algorithm and data set: the median over `runs` trainings of the fit alone
 * (metrics.trainingMs) and of the whole trainModel call (validation, encoding, split, fit,
 * scoring, permutation importance, serialization); the serialized model size; and the median
 * latency of predict() over `predicts` calls with the model already loaded (warm) and over
 * 20 calls that must parse the model first (cold).
 */
import { performance } from 'node:perf_hooks';
import { ALGORITHMS, predict, trainModel, type TrainedModel } from '../src/domains/models/training';
import { CARS_FEATURES } from '../test/domains/models/helpers';
import { vegaTable } from '../test/helpers/datasets';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = option('runs', 5);
const PREDICTS = option('predicts', 2000);
const COLD_PREDICTS = 20;

const DATASETS = [
  { name: 'cars', file: 'cars.json', target: 'Origin', features: CARS_FEATURES },
  {
    name: 'penguins',
    file: 'penguins.json',
    target: 'Species',
    features: ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'],
  },
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const progress = (text: string) => process.stderr.write(`\r\x1b[K${text}`);

interface Row {
  dataset: string;
  algorithm: string;
  rows: number;
  fitMs: number;
  trainMs: number;
  accuracy: number;
  modelKb: number;
  predictWarmMs: number;
  predictColdMs: number;
}

const results: Row[] = [];
for (const dataset of DATASETS) {
  const table = vegaTable(dataset.file);
  const firstRow = Object.fromEntries(dataset.features.map((f) => [f, table.data[table.columns.findIndex((c) => c.name === f)][0]]));
  for (const algorithm of ALGORITHMS) {
    const fit: number[] = [];
    const total: number[] = [];
    let trained: TrainedModel | undefined;
    for (let run = 0; run < RUNS; run++) {
      progress(`${dataset.name} ${algorithm}: training ${run + 1}/${RUNS}`);
      const started = performance.now();
      trained = trainModel(table, { target: dataset.target, features: dataset.features, algorithm, seed: run + 1 });
      total.push(performance.now() - started);
      fit.push(trained.metrics.trainingMs);
    }
    const model = trained!.model;

    const warm: number[] = [];
    predict(model, firstRow);
    for (let i = 0; i < PREDICTS; i++) {
      if (i % 500 === 0) progress(`${dataset.name} ${algorithm}: predicting ${i}/${PREDICTS}`);
      const started = performance.now();
      predict(model, firstRow);
      warm.push(performance.now() - started);
    }
    const cold: number[] = [];
    for (let i = 1; i <= COLD_PREDICTS; i++) {
      // Trailing spaces keep the JSON valid but make a new string, which misses the loaded-model cache.
      const unseen = model + ' '.repeat(i);
      const started = performance.now();
      predict(unseen, firstRow);
      cold.push(performance.now() - started);
    }

    results.push({
      dataset: dataset.name,
      algorithm,
      rows: table.rowCount,
      fitMs: median(fit),
      trainMs: median(total),
      accuracy: trained!.metrics.accuracy,
      modelKb: Buffer.byteLength(model) / 1024,
      predictWarmMs: median(warm),
      predictColdMs: median(cold),
    });
  }
}
progress('');

const header = ['dataset', 'algorithm', 'rows', 'fit ms', 'trainModel ms', 'accuracy*', 'model KB', 'predict warm ms', 'predict cold ms'];
const table = results.map((r) => [
  r.dataset,
  r.algorithm,
  String(r.rows),
  r.fitMs.toFixed(0),
  r.trainMs.toFixed(0),
  r.accuracy.toFixed(3),
  r.modelKb.toFixed(1),
  r.predictWarmMs.toFixed(3),
  r.predictColdMs.toFixed(2),
]);
const widths = header.map((h, c) => Math.max(h.length, ...table.map((row) => row[c].length)));
const line = (cells: string[]) => cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
console.log(`\nmodels: medians over ${RUNS} trainings and ${PREDICTS} warm / ${COLD_PREDICTS} cold predictions (node ${process.version})\n`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));
console.log(`
fit ms: the classifier's fit alone (metrics.trainingMs); trainModel ms: the whole call, permutation importance included.
* accuracy on the held-out 20 % of the last run (seed ${RUNS}).
predict warm: model already loaded (predict keeps recently used models loaded); cold: JSON.parse and load included.
Rerun: npx tsx bench/models.bench.ts [--runs ${RUNS}] [--predicts ${PREDICTS}]`);
