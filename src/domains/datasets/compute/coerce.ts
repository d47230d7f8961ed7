import { InputError } from '../../../lib/errors';
import type { CellValue, ColumnInfo, Table } from '../table';
import { converterFor, isMissing } from './infer';

/**
 * Fits parsed CSV rows to an existing dataset's columns for appending: the same column names
 * (in any order) and every value convertible to its column's type. Returns the rows in the
 * dataset's column order and types. Parse with `inferTypes: false` so that a STRING column
 * receives its fields as written ("007", not 7).
 */
export function coerceRowsToColumns(columns: readonly ColumnInfo[], parsed: Table): Table {
  const source = matchColumns(columns, parsed.columns);
  const data = columns.map((column, c) => coerceColumn(column, parsed.data[source[c]]));
  return { columns: columns.map(({ name, type }) => ({ name, type })), data, rowCount: parsed.rowCount };
}

/** For each dataset column, the index of the parsed column with its name. */
function matchColumns(columns: readonly ColumnInfo[], parsed: readonly ColumnInfo[]): number[] {
  const parsedIndex = new Map(parsed.map((c, i) => [c.name, i]));
  const expected = new Set(columns.map((c) => c.name));
  const missing = columns.filter((c) => !parsedIndex.has(c.name)).map((c) => c.name);
  const extra = parsed.filter((c) => !expected.has(c.name)).map((c) => c.name);
  if (missing.length > 0 || extra.length > 0) {
    const problems = [
      missing.length > 0 ? `missing ${quoteAll(missing)}` : '',
      extra.length > 0 ? `not in the dataset ${quoteAll(extra)}` : '',
    ].filter(Boolean);
    throw new InputError(`CSV columns do not match the dataset's columns: ${problems.join('; ')}`, { missing, extra });
  }
  return columns.map((c) => parsedIndex.get(c.name)!);
}

function coerceColumn(column: ColumnInfo, values: readonly CellValue[]): CellValue[] {
  const convert = converterFor(column.type);
  return values.map((value, r) => {
    if (isMissing(value)) return null;
    const cell = convert(value);
    if (cell === undefined) {
      throw new InputError(`data row ${r + 1}, column "${column.name}": ${JSON.stringify(value)} is not a ${column.type}`, {
        row: r + 1,
        column: column.name,
      });
    }
    return cell;
  });
}

function quoteAll(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}
