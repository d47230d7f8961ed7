import { InputError } from '../../../lib/errors';
import type { CellValue, ColumnInfo, ColumnType, Table } from '../table';
import { numbersWithGaps, presentNumbers } from './numeric';

export type VisualizationKind = 'HISTOGRAM' | 'SCATTER' | 'BAR';

export interface VisualizationRequest {
  kind: VisualizationKind;
  column: string;
  /** The y column of a SCATTER; ignored by the other kinds. */
  column2?: string | null;
  /** Number of HISTOGRAM bins, an integer 1..200; ignored by the other kinds. */
  bins?: number | null;
}

export interface HistogramBin {
  x0: number;
  x1: number;
  count: number;
}
export interface HistogramData {
  bins: HistogramBin[];
}
export interface ScatterData {
  points: { x: number; y: number }[];
  /** Rows where both columns have values, of which points is a sample. */
  total: number;
}
export interface BarData {
  bars: { category: string; count: number }[];
  /** Non-missing values outside the top categories. */
  otherCount: number;
}

export interface Visualization {
  kind: VisualizationKind;
  column: string;
  column2: string | null;
  data: HistogramData | ScatterData | BarData;
}

export const DEFAULT_HISTOGRAM_BINS = 20;
export const MAX_HISTOGRAM_BINS = 200;
export const MAX_SCATTER_POINTS = 2000;
export const MAX_BARS = 20;

/** Chart data for one or two columns; throws InputError when a column is unknown or does not fit the kind. */
export function visualize(table: Table, request: VisualizationRequest): Visualization {
  const { kind, column } = request;
  switch (kind) {
    case 'HISTOGRAM': {
      const c = findColumn(table, column, kind, ['NUMBER']);
      return { kind, column, column2: null, data: histogram(table.data[c], validBinCount(request.bins)) };
    }
    case 'SCATTER': {
      if (request.column2 === undefined || request.column2 === null) throw new InputError('SCATTER needs column2, the y column');
      const x = findColumn(table, column, kind, ['NUMBER']);
      const y = findColumn(table, request.column2, kind, ['NUMBER']);
      return { kind, column, column2: request.column2, data: scatter(table.data[x], table.data[y]) };
    }
    case 'BAR': {
      const c = findColumn(table, column, kind, ['STRING', 'BOOLEAN']);
      return { kind, column, column2: null, data: bars(table.data[c]) };
    }
    default:
      throw new InputError(`unknown visualization kind ${JSON.stringify(kind)}; expected HISTOGRAM, SCATTER or BAR`);
  }
}

function findColumn(table: Table, name: string, kind: VisualizationKind, types: ColumnType[]): number {
  const c = table.columns.findIndex((col) => col.name === name);
  if (c < 0) throw new InputError(`unknown column "${name}"; the dataset has ${describeColumns(table.columns)}`, { column: name });
  const { type } = table.columns[c];
  if (!types.includes(type)) {
    throw new InputError(`${kind} needs a ${types.join(' or ')} column; "${name}" is ${type}`, { column: name });
  }
  return c;
}

function describeColumns(columns: ColumnInfo[]): string {
  return columns.length === 0 ? 'no columns' : columns.map((c) => `"${c.name}"`).join(', ');
}

function validBinCount(bins: number | null | undefined): number {
  if (bins === undefined || bins === null) return DEFAULT_HISTOGRAM_BINS;
  if (!Number.isInteger(bins) || bins < 1 || bins > MAX_HISTOGRAM_BINS) {
    throw new InputError(`bins must be an integer from 1 to ${MAX_HISTOGRAM_BINS}, got ${bins}`);
  }
  return bins;
}

/** Equal-width bins from min to max; each bin holds x0 <= v < x1, the last one also its x1 (the max). */
function histogram(cells: readonly CellValue[], binCount: number): HistogramData {
  const values = presentNumbers(cells);
  if (values.length === 0) return { bins: [] };
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  // Like numpy, a single value gets a unit-wide range around it rather than zero-width bins.
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / binCount;
  const edges = Array.from({ length: binCount + 1 }, (_, i) => (i === binCount ? max : min + i * width));
  const counts = new Array<number>(binCount).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let b = Math.min(Math.floor((v - min) / width), binCount - 1);
    // The division can land a value on the wrong side of an edge as reported; the edges are the contract.
    if (b > 0 && v < edges[b]) b--;
    else if (b < binCount - 1 && v >= edges[b + 1]) b++;
    counts[b]++;
  }
  return { bins: counts.map((count, i) => ({ x0: edges[i], x1: edges[i + 1], count })) };
}

/** Points where both columns have values; above MAX_SCATTER_POINTS an evenly strided sample, so the same data gives the same points. */
function scatter(xCells: readonly CellValue[], yCells: readonly CellValue[]): ScatterData {
  const xs = numbersWithGaps(xCells);
  const ys = numbersWithGaps(yCells);
  const complete: number[] = [];
  for (let i = 0; i < xs.length; i++) if (!Number.isNaN(xs[i]) && !Number.isNaN(ys[i])) complete.push(i);
  const total = complete.length;
  const take = Math.min(total, MAX_SCATTER_POINTS);
  const points = new Array<{ x: number; y: number }>(take);
  for (let k = 0; k < take; k++) {
    const row = complete[Math.floor((k * total) / take)];
    points[k] = { x: xs[row], y: ys[row] };
  }
  return { points, total };
}

/** The MAX_BARS most frequent values, ties by name; booleans as "true"/"false". */
function bars(cells: readonly CellValue[]): BarData {
  const counts = new Map<string, number>();
  let present = 0;
  for (const v of cells) {
    if (v === null) continue;
    present++;
    const key = String(v);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const ranked = [...counts].sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0));
  const top = ranked.slice(0, MAX_BARS).map(([category, count]) => ({ category, count }));
  const shown = top.reduce((sum, bar) => sum + bar.count, 0);
  return { bars: top, otherCount: present - shown };
}
