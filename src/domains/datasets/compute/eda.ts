import type { Table } from '../table';
import { numbersWithGaps, quantileSorted, sortedNumbers } from './numeric';

export interface Correlation {
  a: string;
  b: string;
  /** Pearson r over the rows where both columns have values; null below two such rows or when either is constant there. */
  r: number | null;
}

export interface MissingValues {
  column: string;
  count: number;
}

/** Values outside [lower, upper], the 1.5·IQR fences: lower = p25 − 1.5·IQR, upper = p75 + 1.5·IQR. */
export interface OutlierSummary {
  column: string;
  count: number;
  lower: number;
  upper: number;
}

export interface EdaReport {
  correlations: Correlation[];
  missing: MissingValues[];
  outliers: OutlierSummary[];
}

/**
 * Correlations are computed among the first this many NUMBER columns (in column order) only: the
 * pairs grow with the square of the columns, so a wide table would otherwise cost minutes and a
 * report of millions of pairs. Missing values and outliers cover every column (linear).
 */
export const MAX_CORRELATED_COLUMNS = 50;

export function computeEda(table: Table): EdaReport {
  return { correlations: correlations(table), missing: missingValues(table), outliers: outliers(table) };
}

/** Pearson r for every pair of the first MAX_CORRELATED_COLUMNS NUMBER columns, a before b in column order. */
export function correlations(table: Table, maxColumns = MAX_CORRELATED_COLUMNS): Correlation[] {
  const numeric = numberColumnIndexes(table)
    .slice(0, maxColumns)
    .map((c) => ({ name: table.columns[c].name, values: numbersWithGaps(table.data[c]) }));
  const result: Correlation[] = [];
  for (let i = 0; i < numeric.length; i++) {
    for (let j = i + 1; j < numeric.length; j++) {
      result.push({ a: numeric[i].name, b: numeric[j].name, r: pearson(numeric[i].values, numeric[j].values) });
    }
  }
  return result;
}

/** Missing cells per column, every column included. */
export function missingValues(table: Table): MissingValues[] {
  return table.columns.map((column, c) => {
    let count = 0;
    for (const v of table.data[c]) if (v === null) count++;
    return { column: column.name, count };
  });
}

/** 1.5·IQR outliers per NUMBER column; a column without values has no fences and is left out. */
export function outliers(table: Table): OutlierSummary[] {
  const result: OutlierSummary[] = [];
  for (const c of numberColumnIndexes(table)) {
    const sorted = sortedNumbers(table.data[c]);
    if (sorted.length === 0) continue;
    const p25 = quantileSorted(sorted, 0.25);
    const p75 = quantileSorted(sorted, 0.75);
    const iqr = p75 - p25;
    const lower = p25 - 1.5 * iqr;
    const upper = p75 + 1.5 * iqr;
    let count = 0;
    for (let i = 0; i < sorted.length; i++) if (sorted[i] < lower || sorted[i] > upper) count++;
    result.push({ column: table.columns[c].name, count, lower, upper });
  }
  return result;
}

function numberColumnIndexes(table: Table): number[] {
  return table.columns.flatMap((column, c) => (column.type === 'NUMBER' ? [c] : []));
}

/** Pearson r over the pairwise-complete rows (neither value NaN), two-pass for accuracy. */
function pearson(x: Float64Array, y: Float64Array): number | null {
  let n = 0;
  let sumX = 0;
  let sumY = 0;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const yi = y[i];
    if (Number.isNaN(xi) || Number.isNaN(yi)) continue;
    n++;
    sumX += xi;
    sumY += yi;
    if (xi < minX) minX = xi;
    if (xi > maxX) maxX = xi;
    if (yi < minY) minY = yi;
    if (yi > maxY) maxY = yi;
  }
  // Tested on the range, not the computed variance, which rounding leaves a hair above 0 for a constant column.
  if (n < 2 || minX === maxX || minY === maxY) return null;
  const meanX = sumX / n;
  const meanY = sumY / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const yi = y[i];
    if (Number.isNaN(xi) || Number.isNaN(yi)) continue;
    const dx = xi - meanX;
    const dy = yi - meanY;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}
