/** confusion[actual][predicted] over class indices 0..classCount-1. */
export function confusionMatrix(actual: readonly number[], predicted: readonly number[], classCount: number): number[][] {
  const matrix = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  actual.forEach((a, i) => matrix[a][predicted[i]]++);
  return matrix;
}

export function accuracy(actual: readonly number[], predicted: readonly number[]): number {
  if (actual.length === 0) return 0;
  let right = 0;
  actual.forEach((a, i) => {
    if (a === predicted[i]) right++;
  });
  return right / actual.length;
}

/**
 * Accuracy and macro precision, recall and F1 from a confusion matrix. Macro averages run over
 * the classes that occur in the test set as actual or predicted (scikit-learn's default), so a
 * class too rare to reach the test set does not count as a failure. A class never predicted has
 * precision 0.
 */
export function classificationScores(confusion: number[][]): { accuracy: number; precision: number; recall: number; f1: number } {
  const k = confusion.length;
  const rowSum = confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const colSum = confusion[0]?.map((_, j) => confusion.reduce((a, row) => a + row[j], 0)) ?? [];
  const total = rowSum.reduce((a, b) => a + b, 0);
  let trace = 0;
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  let counted = 0;
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    trace += tp;
    if (rowSum[c] + colSum[c] === 0) continue;
    const p = colSum[c] > 0 ? tp / colSum[c] : 0;
    const r = rowSum[c] > 0 ? tp / rowSum[c] : 0;
    precision += p;
    recall += r;
    f1 += p + r > 0 ? (2 * p * r) / (p + r) : 0;
    counted++;
  }
  const n = Math.max(counted, 1);
  return { accuracy: total > 0 ? trace / total : 0, precision: precision / n, recall: recall / n, f1: f1 / n };
}
