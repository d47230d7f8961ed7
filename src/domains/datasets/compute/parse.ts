import { CsvError, parse } from 'csv-parse/sync';
import { InputError } from '../../../lib/errors';
import type { ColumnInfo, Table } from '../table';
import { inferColumn, isMissing, type RawCell } from './infer';

export const DEFAULT_MAX_CSV_BYTES = 50 * 1024 * 1024;
export const DEFAULT_MAX_COLUMNS = 1000;

// Enough text to tell a binary upload from a CSV without scanning all of a large one.
const BINARY_SAMPLE_CHARS = 64 * 1024;
const MAX_NON_PRINTABLE_SHARE = 0.1;

const CSV_OPTIONS = { bom: true, skip_empty_lines: true };

export interface ParseCsvOptions {
  /** Largest accepted CSV, in UTF-8 bytes. */
  maxBytes?: number;
  /** Most columns accepted; the header's commas are counted first, so a wider file is refused before anything is parsed. */
  maxColumns?: number;
  /**
   * false keeps every column STRING with the fields as written (blank fields still null), for
   * appending to an existing dataset, whose column types decide the conversion (see coerceRowsToColumns).
   */
  inferTypes?: boolean;
}

/** Parses CSV text with a header row into a Table, each column typed by inference. */
export function parseCsvTable(
  text: string,
  { maxBytes = DEFAULT_MAX_CSV_BYTES, maxColumns = DEFAULT_MAX_COLUMNS, inferTypes = true }: ParseCsvOptions = {},
): Table {
  rejectOversized(text, maxBytes);
  rejectBinary(text);
  if (text.trim() === '') throw new InputError('CSV is empty; expected a header row and at least one data row');
  rejectTooWide(text, maxColumns);

  const records = parseRecords(text);
  const names = columnNames(records[0]);
  const rows = records.slice(1);
  if (rows.length === 0) throw new InputError('CSV has no data rows, only a header');
  return tableFromRows(names, rows, inferTypes);
}

/**
 * Builds a Table from an array of flat objects (the vega-datasets JSON files): columns are the
 * union of keys in first-seen order, a key absent from a record is null, types are inferred.
 */
export function tableFromRecords(records: readonly unknown[]): Table {
  if (!Array.isArray(records)) throw new InputError('expected an array of records');
  if (records.length === 0) throw new InputError('there are no records');
  const index = new Map<string, number>();
  const raw: RawCell[][] = [];
  records.forEach((record, r) => {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new InputError(`record ${r + 1} is not an object`);
    }
    for (const [key, value] of Object.entries(record)) {
      if (value !== null && typeof value === 'object') {
        throw new InputError(`record ${r + 1}, key "${key}": nested objects and arrays are not supported`);
      }
      let c = index.get(key);
      if (c === undefined) {
        c = raw.length;
        index.set(key, c);
        raw.push(new Array<RawCell>(records.length).fill(null));
      }
      raw[c][r] = value as RawCell;
    }
  });
  const names = [...index.keys()];
  if (names.length === 0) throw new InputError('the records have no keys');
  if (names.some((n) => n.trim() === '')) throw new InputError('a record has an empty key; every column needs a name');
  return typedTable(names, raw);
}

function rejectOversized(text: string, maxBytes: number): void {
  // A UTF-16 code unit takes at most 3 bytes in UTF-8, so most texts are known to fit without counting.
  if (text.length <= maxBytes / 3) return;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return;
  let [size, limit] = [formatBytes(bytes), formatBytes(maxBytes)];
  // "50 MiB; the limit is 50 MiB" would read as a bug, so a near miss is told in bytes.
  if (size === limit) [size, limit] = [`${bytes} bytes`, `${maxBytes} bytes`];
  throw new InputError(`CSV is ${size}; the limit is ${limit}`, { bytes, maxBytes });
}

/** Throws BAD_USER_INPUT when the header has more than maxColumns fields. */
export function rejectTooWide(text: string, maxColumns: number): void {
  if (!Number.isFinite(maxColumns)) return;
  if (headerFieldCount(text, maxColumns) > maxColumns) throw new InputError(`CSV has more than ${maxColumns} columns (the limit)`, { maxColumns });
}

/**
 * The fields of the first non-empty line, counted only up to limit + 1: a scan of the header's
 * first commas, where csv-parse took a second to read a header of 100,000 fields. Quoted fields
 * may hold commas and line breaks ("" inside quotes toggles twice and changes nothing).
 */
function headerFieldCount(text: string, limit: number): number {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && (text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x0d)) i++;
  let fields = 1;
  let quoted = false;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (!quoted && c === 0x2c && ++fields > limit) return fields;
    else if (!quoted && (c === 0x0a || c === 0x0d)) return fields;
  }
  return fields;
}

function rejectBinary(text: string): void {
  const nul = text.indexOf('\0');
  if (nul >= 0) throw new InputError(`CSV looks like binary data: it contains a NUL byte at character ${nul + 1}`);
  const sample = text.slice(0, BINARY_SAMPLE_CHARS);
  let nonPrintable = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    // Control characters other than tab and line breaks, DEL, and U+FFFD, which bytes that are not UTF-8 decode to.
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f || c === 0xfffd) nonPrintable++;
  }
  if (sample.length > 0 && nonPrintable / sample.length > MAX_NON_PRINTABLE_SHARE) {
    const percent = Math.round((100 * nonPrintable) / sample.length);
    throw new InputError(`CSV looks like binary data: ${percent}% of its first ${sample.length} characters are not printable text`);
  }
}

function parseRecords(text: string): string[][] {
  try {
    return parse(text, CSV_OPTIONS);
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const line = typeof err.lines === 'number' ? err.lines : undefined;
    if (err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
      const fields = Array.isArray(err.record) ? err.record.length : undefined;
      // The error names the line but not the header's width; the first record alone parses cheaply.
      const expected = parse(text, { ...CSV_OPTIONS, to: 1 })[0]?.length;
      throw new InputError(`CSV line ${line} has ${fields} fields; the header has ${expected}`, { line });
    }
    throw new InputError(`CSV is malformed: ${err.message}`, { line });
  }
}

function columnNames(header: string[]): string[] {
  const names = header.map((n) => n.trim());
  const seen = new Map<string, number>();
  names.forEach((name, c) => {
    if (name === '') throw new InputError(`CSV header: column ${c + 1} has an empty name`);
    const first = seen.get(name);
    if (first !== undefined) throw new InputError(`CSV header: column name "${name}" appears twice (columns ${first + 1} and ${c + 1})`);
    seen.set(name, c);
  });
  return names;
}

function tableFromRows(names: string[], rows: string[][], inferTypes: boolean): Table {
  const raw = names.map((_, c) => rows.map((row) => row[c]));
  if (inferTypes) return typedTable(names, raw);
  return {
    columns: names.map((name) => ({ name, type: 'STRING' })),
    data: raw.map((column) => column.map((v) => (isMissing(v) ? null : v))),
    rowCount: rows.length,
  };
}

function typedTable(names: string[], raw: RawCell[][]): Table {
  const columns: ColumnInfo[] = [];
  const data = raw.map((values, c) => {
    const { type, cells } = inferColumn(values);
    columns.push({ name: names[c], type });
    return cells;
  });
  return { columns, data, rowCount: raw[0]?.length ?? 0 };
}

function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${Number(mib.toFixed(1))} MiB` : `${bytes} bytes`;
}
