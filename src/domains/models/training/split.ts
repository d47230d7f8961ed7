import { seededRandom, shuffled } from './rng';

export const TEST_FRACTION = 0.2;

export interface Split {
  /** Positions into the labels array, ascending. */
  train: number[];
  test: number[];
}

/**
 * A seeded stratified split: each class keeps its share in both parts. Every class keeps at
 * least one training row, since the one-vs-all logistic regression needs each class to train.
 */
export function stratifiedSplit(labels: readonly number[], seed: number, testFraction = TEST_FRACTION): Split {
  const random = seededRandom(seed);
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const rows = byClass.get(label);
    if (rows) rows.push(i);
    else byClass.set(label, [i]);
  });

  const train: number[] = [];
  const test: number[] = [];
  // Classes in label order so the random stream is consumed the same way whatever the row order.
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = shuffled(byClass.get(label)!, random);
    const testCount = Math.min(Math.round(rows.length * testFraction), rows.length - 1);
    test.push(...rows.slice(0, testCount));
    train.push(...rows.slice(testCount));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

/**
 * A seeded stratified sample of at most `size` positions (ascending): each class keeps its
 * share, rounded by largest remainder so the total is exactly `size`, and every class keeps at
 * least one row. All positions when there are no more than `size`.
 */
export function stratifiedSample(labels: readonly number[], size: number, seed: number): number[] {
  if (labels.length <= size) return labels.map((_, i) => i);
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const rows = byClass.get(label);
    if (rows) rows.push(i);
    else byClass.set(label, [i]);
  });
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const target = Math.max(size, classes.length);
  const quotas = classes.map((label) => {
    const exact = (byClass.get(label)!.length * target) / labels.length;
    return { label, take: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = target - quotas.reduce((a, q) => a + q.take, 0);
  for (const q of [...quotas].sort((a, b) => b.remainder - a.remainder || a.label - b.label)) {
    if (left === 0) break;
    q.take++;
    left--;
  }
  for (const q of quotas) {
    if (q.take > 0) continue;
    const donor = quotas.reduce((a, b) => (b.take > a.take ? b : a));
    donor.take--;
    q.take = 1;
  }
  const random = seededRandom(seed);
  const out: number[] = [];
  for (const q of quotas) out.push(...shuffled(byClass.get(q.label)!, random).slice(0, q.take));
  return out.sort((a, b) => a - b);
}
