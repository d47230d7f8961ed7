import type { CellValue, ColumnInfo, Table } from '../table';
import { statisticsColumnsFromChunks } from './chunks';
import { mean, quantileSorted, sampleStd, sortedNumbers } from './numeric';

/** Summary of one column. The numeric fields are set for NUMBER columns with values, null otherwise. */
export interface ColumnStatistics {
  column: string;
  /** Non-missing cells. */
  count: number;
  nullCount: number;
  /** Distinct non-missing values. */
  distinct: number;
  mean: number | null;
  /** Sample standard deviation (n − 1); null below two values. */
  std: number | null;
  min: number | null;
  max: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
}

/** Statistics of every column, in column order. */
export function computeStatistics(table: Table): ColumnStatistics[] {
  return table.columns.map((column, c) => columnStatistics(column, table.data[c]));
}

/**
 * The same statistics as computeStatistics(tableFromChunks(columns, chunks)), straight from a
 * stored dataset's chunks: the path of a Dataset.statistics miss. Equal by construction: the
 * sorted numbers are the same values, and every figure is computed from them by the same code.
 */
export function statisticsFromChunks(columns: readonly ColumnInfo[], chunks: readonly string[]): ColumnStatistics[] {
  return statisticsColumnsFromChunks(columns, chunks).map((data, c) =>
    data.kind === 'numbers' ? statisticsOfSorted(columns[c].name, data.values.sort(), data.missing) : columnStatistics(columns[c], data.cells),
  );
}

export function columnStatistics(column: ColumnInfo, cells: readonly CellValue[]): ColumnStatistics {
  // DATE columns get no min/max: as epoch milliseconds they would read as nonsense next to the other numbers.
  if (column.type === 'NUMBER') return numberStatistics(column.name, cells);
  let count = 0;
  const distinct = new Set<CellValue>();
  for (const v of cells) {
    if (v === null) continue;
    count++;
    distinct.add(v);
  }
  return { column: column.name, count, nullCount: cells.length - count, distinct: distinct.size, ...NO_NUMBERS };
}

const NO_NUMBERS = { mean: null, std: null, min: null, max: null, p25: null, p50: null, p75: null } as const;

function numberStatistics(name: string, cells: readonly CellValue[]): ColumnStatistics {
  const sorted = sortedNumbers(cells);
  return statisticsOfSorted(name, sorted, cells.length - sorted.length);
}

function statisticsOfSorted(name: string, sorted: Float64Array, missing: number): ColumnStatistics {
  const n = sorted.length;
  const base = { column: name, count: n, nullCount: missing, distinct: countDistinctSorted(sorted) };
  if (n === 0) return { ...base, ...NO_NUMBERS };
  const min = sorted[0];
  const max = sorted[n - 1];
  const constant = min === max;
  // Rounding can put the mean of equal values a hair off them; a constant column's spread is exactly 0.
  const m = constant ? min : mean(sorted);
  return {
    ...base,
    mean: m,
    std: constant && n >= 2 ? 0 : sampleStd(sorted, m),
    min,
    max,
    p25: quantileSorted(sorted, 0.25),
    p50: quantileSorted(sorted, 0.5),
    p75: quantileSorted(sorted, 0.75),
  };
}

function countDistinctSorted(sorted: Float64Array): number {
  if (sorted.length === 0) return 0;
  let distinct = 1;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  return distinct;
}
