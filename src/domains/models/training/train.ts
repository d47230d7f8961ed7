import { performance } from 'node:perf_hooks';
import { InputError } from '../../../lib/errors';
import type { CellValue, Table } from '../../datasets/table';
import { fitClassifier, MAX_TRAINING_ROWS, needsStandardising } from './algorithms';
import { encodeCells, encodedGroups, fitEncoder, isUsableCell } from './encode';
import { permutationImportance, predictLabels } from './importance';
import { classificationScores, confusionMatrix } from './metrics';
import { serializeModel } from './model-format';
import { deriveSeed } from './rng';
import { stratifiedSample, stratifiedSplit } from './split';
import type { TrainedModel, TrainOptions } from './types';
import { classLabel, columnIndex, MAX_CLASSES, validateTrainingRequest } from './validate';

/**
 * Trains a classifier of `target` on the table: validates the request, drops rows with a null
 * (or unparseable) cell in a used column, keeps a seeded stratified sample of at most
 * `maxRows` of the rest (MAX_TRAINING_ROWS of the algorithm by default), holds out a seeded
 * stratified 20 %, fits on the rest and scores on the held-out part. Deterministic for a
 * given table, request and seed, except `metrics.trainingMs`.
 */
export function trainModel(table: Table, options: TrainOptions): TrainedModel {
  const { target, algorithm, seed } = options;
  if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 32) {
    throw new InputError(`seed must be a 32-bit integer, got ${String(seed)}`, { seed });
  }
  const maxRows = options.maxRows ?? MAX_TRAINING_ROWS[algorithm];
  if (!Number.isInteger(maxRows) || maxRows < MAX_CLASSES) {
    throw new InputError(`maxRows must be an integer of at least ${MAX_CLASSES}, got ${String(options.maxRows)}`, { maxRows: options.maxRows });
  }
  const features = validateTrainingRequest(table, options);
  const targetColumn = columnIndex(table, target);
  const featureColumns = features.map((f) => columnIndex(table, f));
  const featureInfo = featureColumns.map((c) => table.columns[c]);

  let cells: CellValue[][] = [];
  let labelNames: string[] = [];
  for (let r = 0; r < table.rowCount; r++) {
    const label = classLabel(table.data[targetColumn][r]);
    const row = featureColumns.map((c) => table.data[c][r]);
    if (label === null || row.some((cell, f) => !isUsableCell(featureInfo[f].type, cell))) continue;
    cells.push(row);
    labelNames.push(label);
  }
  const droppedRows = table.rowCount - cells.length;

  const classes = sortClasses([...new Set(labelNames)], table.columns[targetColumn].type === 'NUMBER');
  if (classes.length < 2) {
    throw new InputError(
      `after dropping ${droppedRows} rows with missing values, target "${target}" has ${classes.length} distinct value${classes.length === 1 ? '' : 's'}; at least 2 are needed`,
      { target, classCount: classes.length, droppedRows },
    );
  }
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const usableRows = cells.length;
  if (usableRows > maxRows) {
    // Sampled before the split, so the cap bounds training and scoring alike.
    const kept = stratifiedSample(
      labelNames.map((l) => classIndex.get(l)!),
      maxRows,
      deriveSeed(seed, 'sample'),
    );
    cells = kept.map((i) => cells[i]);
    labelNames = kept.map((i) => labelNames[i]);
  }
  const labels = labelNames.map((l) => classIndex.get(l)!);

  const split = stratifiedSplit(labels, deriveSeed(seed, 'split'));
  if (split.test.length === 0) {
    throw new InputError(`only ${cells.length} usable rows: too few to hold out a test set`, { usableRows: cells.length, droppedRows });
  }
  const encoder = fitEncoder(
    featureInfo,
    split.train.map((i) => cells[i]),
    needsStandardising(algorithm),
  );
  const encode = (positions: number[]) => positions.map((i) => encodeCells(encoder, cells[i]));
  const trainRows = encode(split.train);
  const testRows = encode(split.test);
  const trainLabels = split.train.map((i) => labels[i]);
  const testLabels = split.test.map((i) => labels[i]);

  const started = performance.now();
  const classifier = fitClassifier(algorithm, trainRows, trainLabels, classes.length, deriveSeed(seed, 'fit'));
  const trainingMs = Math.round(performance.now() - started);

  const confusion = confusionMatrix(testLabels, predictLabels(classifier, testRows), classes.length);
  const featureImportance = permutationImportance(classifier, testRows, testLabels, encodedGroups(encoder), deriveSeed(seed, 'importance'));

  return {
    features,
    metrics: {
      ...classificationScores(confusion),
      classes,
      confusionMatrix: confusion,
      trainRows: trainRows.length,
      testRows: testRows.length,
      trainingMs,
    },
    featureImportance,
    droppedRows,
    usableRows,
    model: serializeModel({ algorithm, target, classes, encoder, estimator: classifier.toJSON() }),
  };
}

/** Numeric targets sort as numbers ("4" before "10"), others by code unit, independent of locale. */
function sortClasses(labels: string[], numeric: boolean): string[] {
  return numeric ? labels.sort((a, b) => Number(a) - Number(b)) : labels.sort();
}
