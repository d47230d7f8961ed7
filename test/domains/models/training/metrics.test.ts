import { ALGORITHMS, type ModelMetrics } from '../../../../src/domains/models/training';
import { classificationScores } from '../../../../src/domains/models/training/metrics';
import { completeRows, DATASETS, trainedOn } from '../helpers';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The scores recomputed from the confusion matrix alone, by their textbook definitions. */
function scoresFrom(m: ModelMetrics) {
  const k = m.classes.length;
  const cm = m.confusionMatrix;
  const rowSum = cm.map(sum);
  const colSum = cm[0].map((_, j) => sum(cm.map((row) => row[j])));
  const present = [...Array(k).keys()].filter((c) => rowSum[c] + colSum[c] > 0);
  const precision = present.map((c) => (colSum[c] ? cm[c][c] / colSum[c] : 0));
  const recall = present.map((c) => (rowSum[c] ? cm[c][c] / rowSum[c] : 0));
  const f1 = present.map((_, i) => (precision[i] + recall[i] ? (2 * precision[i] * recall[i]) / (precision[i] + recall[i]) : 0));
  const mean = (xs: number[]) => sum(xs) / xs.length;
  return {
    accuracy: sum(cm.map((row, c) => row[c])) / sum(rowSum),
    precision: mean(precision),
    recall: mean(recall),
    f1: mean(f1),
  };
}

describe('model metrics', () => {
  describe.each(DATASETS)('on $name', (dataset) => {
    it.each(ALGORITHMS)('%s: accuracy, macro precision, recall and F1 follow from the confusion matrix', (algorithm) => {
      const { metrics } = trainedOn(dataset, algorithm);
      const expected = scoresFrom(metrics);
      expect(metrics.accuracy).toBeCloseTo(expected.accuracy, 10);
      expect(metrics.precision).toBeCloseTo(expected.precision, 10);
      expect(metrics.recall).toBeCloseTo(expected.recall, 10);
      expect(metrics.f1).toBeCloseTo(expected.f1, 10);
    });

    it.each(ALGORITHMS)('%s: the confusion matrix is classes × classes and counts every test row once', (algorithm) => {
      const { metrics } = trainedOn(dataset, algorithm);
      expect(metrics.confusionMatrix).toHaveLength(metrics.classes.length);
      for (const row of metrics.confusionMatrix) expect(row).toHaveLength(metrics.classes.length);
      expect(sum(metrics.confusionMatrix.map(sum))).toBe(metrics.testRows);
      expect(Number.isInteger(metrics.trainingMs)).toBe(true);
    });
  });

  it('holds out a stratified 20 % of the complete rows and counts the dropped ones', () => {
    for (const dataset of DATASETS) {
      const table = dataset.table();
      const { metrics, droppedRows } = trainedOn(dataset, 'DECISION_TREE');
      const complete = completeRows(table, [dataset.target, ...dataset.features]);
      expect(droppedRows).toBe(table.rowCount - complete.length);
      expect(droppedRows).toBeGreaterThan(0); // both datasets have gaps; the test would be vacuous otherwise
      expect(metrics.trainRows + metrics.testRows).toBe(complete.length);

      const target = table.data[table.columns.findIndex((c) => c.name === dataset.target)];
      metrics.classes.forEach((label, c) => {
        const classRows = complete.filter((r) => String(target[r]) === label).length;
        // Row c of the confusion matrix holds the test rows whose actual class is c.
        expect(sum(metrics.confusionMatrix[c])).toBe(Math.round(classRows * 0.2));
      });
    }
  });

  it('lists the classes the target takes, sorted', () => {
    expect(trainedOn(DATASETS[0], 'DECISION_TREE').metrics.classes).toEqual(['Europe', 'Japan', 'USA']);
    expect(trainedOn(DATASETS[1], 'DECISION_TREE').metrics.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
  });

  describe('macro averages', () => {
    it('average per-class precision, recall and F1, not F1 of the averages', () => {
      // actual rows, predicted columns: class 0 recall 8/10, precision 8/9; class 1 recall 4/5, precision 4/6.
      const scores = classificationScores([
        [8, 2],
        [1, 4],
      ]);
      const f1 = (p: number, r: number) => (2 * p * r) / (p + r);
      expect(scores.accuracy).toBeCloseTo(12 / 15);
      expect(scores.precision).toBeCloseTo((8 / 9 + 4 / 6) / 2);
      expect(scores.recall).toBeCloseTo((8 / 10 + 4 / 5) / 2);
      expect(scores.f1).toBeCloseTo((f1(8 / 9, 8 / 10) + f1(4 / 6, 4 / 5)) / 2);
    });

    it('leave out a class absent from the test set, and score a class never predicted as 0', () => {
      const scores = classificationScores([
        [5, 0, 0],
        [0, 0, 0],
        [3, 0, 0],
      ]);
      // Class 1 never occurs; class 2 occurs but is never predicted.
      expect(scores.precision).toBeCloseTo((5 / 8 + 0) / 2);
      expect(scores.recall).toBeCloseTo((1 + 0) / 2);
    });
  });
});
