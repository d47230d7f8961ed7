import { argmax, type Classifier } from './algorithms';
import type { EncodedGroup } from './encode';
import { accuracy } from './metrics';
import { deriveSeed, seededRandom, shuffled } from './rng';
import type { FeatureImportance } from './types';

export const IMPORTANCE_REPEATS = 5;

/**
 * Permutation importance on held-out rows: how much accuracy drops, on average over `repeats`
 * seeded shuffles, when one feature's values are shuffled across rows. The columns of a
 * one-hot group move together, so a category feature is judged as one feature. Unlike the
 * forest's impurity importance this works for every algorithm and does not favour features
 * with many distinct values. Sorted highest first.
 */
export function permutationImportance(
  classifier: Classifier,
  rows: number[][],
  labels: number[],
  groups: EncodedGroup[],
  seed: number,
  repeats = IMPORTANCE_REPEATS,
): FeatureImportance[] {
  const baseline = accuracy(labels, predictLabels(classifier, rows));
  const importance = groups.map((group) => {
    const random = seededRandom(deriveSeed(seed, `importance:${group.feature}`));
    const permutedRows: number[][] = [];
    for (let r = 0; r < repeats; r++) {
      const order = shuffled(
        rows.map((_, i) => i),
        random,
      );
      rows.forEach((row, i) => {
        const permuted = row.slice();
        for (let c = group.start; c < group.end; c++) permuted[c] = rows[order[i]][c];
        permutedRows.push(permuted);
      });
    }
    // One prediction call for all repeats: the libraries have a per-call overhead.
    const predicted = predictLabels(classifier, permutedRows);
    let drop = 0;
    for (let r = 0; r < repeats; r++) {
      drop += baseline - accuracy(labels, predicted.slice(r * rows.length, (r + 1) * rows.length));
    }
    return { feature: group.feature, importance: drop / repeats };
  });
  return importance.sort((a, b) => b.importance - a.importance);
}

export function predictLabels(classifier: Classifier, rows: number[][]): number[] {
  return rows.length === 0 ? [] : classifier.predictProba(rows).map(argmax);
}
