import type { CellValue, ColumnType } from '../table';
import { normaliseDate } from './dates';

/** A value as it arrives: a CSV field (always a string) or a JSON scalar. */
export type RawCell = string | number | boolean | null | undefined;

// Plain decimal notation only: no hex ("0x1F"), no "Infinity", no digit separators.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** Empty and blank fields are missing values, whatever the column's type. */
export function isMissing(raw: RawCell): boolean {
  if (raw === null || raw === undefined) return true;
  if (typeof raw === 'number') return Number.isNaN(raw);
  return typeof raw === 'string' && raw.trim() === '';
}

export function toNumber(raw: RawCell): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim();
  if (!DECIMAL.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

export function toBoolean(raw: RawCell): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim().toLowerCase();
  return s === 'true' ? true : s === 'false' ? false : undefined;
}

export function toDate(raw: RawCell): string | undefined {
  return typeof raw === 'string' ? normaliseDate(raw) : undefined;
}

export function toText(raw: RawCell): string | undefined {
  return raw === null || raw === undefined ? undefined : String(raw);
}

const CONVERTERS: Record<ColumnType, (raw: RawCell) => CellValue | undefined> = {
  NUMBER: toNumber,
  BOOLEAN: toBoolean,
  DATE: toDate,
  STRING: toText,
};

/** The converter for a column type: the cell value, or undefined when the raw value does not fit the type. */
export function converterFor(type: ColumnType): (raw: RawCell) => CellValue | undefined {
  return CONVERTERS[type];
}

// Most specific first: "1" is a number before it is a string, "2012-01-01" a date before a string.
const INFERENCE_ORDER: ColumnType[] = ['NUMBER', 'BOOLEAN', 'DATE', 'STRING'];

/**
 * The most specific type every non-missing value fits, and the values converted to it.
 * A column with no values at all is STRING.
 */
export function inferColumn(raw: readonly RawCell[]): { type: ColumnType; cells: CellValue[] } {
  if (raw.every(isMissing)) return { type: 'STRING', cells: raw.map(() => null) };
  for (const type of INFERENCE_ORDER) {
    const cells = convertAll(raw, CONVERTERS[type]);
    if (cells) return { type, cells };
  }
  throw new Error('unreachable: every non-missing value converts to STRING');
}

function convertAll(raw: readonly RawCell[], convert: (raw: RawCell) => CellValue | undefined): CellValue[] | undefined {
  // Built by push, not new Array(n): a packed array is faster for every later pass over the column.
  const cells: CellValue[] = [];
  for (let i = 0; i < raw.length; i++) {
    const value = raw[i];
    if (isMissing(value)) {
      cells.push(null);
      continue;
    }
    const converted = convert(value);
    if (converted === undefined) return undefined;
    cells.push(converted);
  }
  return cells;
}
