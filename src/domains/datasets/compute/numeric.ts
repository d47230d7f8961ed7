import type { CellValue } from '../table';

/** The numbers of a column without its missing cells, in row order. */
export function presentNumbers(cells: readonly CellValue[]): Float64Array {
  let n = 0;
  for (const v of cells) if (typeof v === 'number') n++;
  const values = new Float64Array(n);
  let i = 0;
  for (const v of cells) if (typeof v === 'number') values[i++] = v;
  return values;
}

/** A column's numbers with NaN for missing cells, so that row i stays at index i. */
export function numbersWithGaps(cells: readonly CellValue[]): Float64Array {
  const values = new Float64Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    values[i] = typeof v === 'number' ? v : NaN;
  }
  return values;
}

/** The numbers of a column sorted ascending (a typed-array sort: numeric, and fast). */
export function sortedNumbers(cells: readonly CellValue[]): Float64Array {
  return presentNumbers(cells).sort();
}

/** The q-quantile of ascending values by linear interpolation between closest ranks (numpy's default). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Sample standard deviation (n − 1), two-pass for accuracy; null below two values. */
export function sampleStd(values: Float64Array, valuesMean: number): number | null {
  if (values.length < 2) return null;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - valuesMean;
    squares += d * d;
  }
  return Math.sqrt(squares / (values.length - 1));
}
