import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CellValue, ColumnType, Table } from '../../src/domains/datasets/table';

const DATA_DIR = path.join(__dirname, '../../node_modules/vega-datasets/data');
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Reads a vega-datasets JSON array of records into a Table, typing each column by its non-null values. */
export function loadVegaTable(file: string): Table {
  const records = JSON.parse(readFileSync(path.join(DATA_DIR, file), 'utf8')) as Record<string, unknown>[];
  const names = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const data = names.map((name) => records.map((r) => (r[name] ?? null) as CellValue));
  return { columns: names.map((name, c) => ({ name, type: columnType(data[c]) })), data, rowCount: records.length };
}

function columnType(cells: CellValue[]): ColumnType {
  const present = cells.filter((v) => v !== null);
  if (present.every((v) => typeof v === 'number')) return 'NUMBER';
  if (present.every((v) => typeof v === 'boolean')) return 'BOOLEAN';
  if (present.every((v) => typeof v === 'string' && ISO_DATE.test(v))) return 'DATE';
  return 'STRING';
}

/** cars: target Origin, its numeric columns as features. */
export const CARS_FEATURES = ['Miles_per_Gallon', 'Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration'];

/** A copy of the table with one more column. */
export function withColumn(table: Table, name: string, type: ColumnType, cells: CellValue[]): Table {
  return { columns: [...table.columns, { name, type }], data: [...table.data, cells], rowCount: table.rowCount };
}
