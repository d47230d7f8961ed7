import type { CellValue, ColumnInfo, Table } from '../table';

/**
 * Joins a dataset's stored chunks, in order, into one Table. Each chunk is the JSON text of a
 * column-major CellValue[][] holding some rows of every column. The chunks come from our own
 * database, so a malformed one is our bug and throws a plain Error, not an InputError.
 */
export function tableFromChunks(columns: readonly ColumnInfo[], chunks: readonly string[]): Table {
  const data: CellValue[][] = columns.map(() => []);
  let rowCount = 0;
  chunks.forEach((text, k) => {
    const chunk = parseChunk(text, columns.length, k);
    const rows = chunk[0]?.length ?? 0;
    for (let c = 0; c < columns.length; c++) {
      const target = data[c];
      const source = chunk[c];
      // A loop, not push(...source): spreading 50,000 arguments can overflow the stack.
      for (let r = 0; r < rows; r++) target.push(source[r]);
    }
    rowCount += rows;
  });
  return { columns: columns.map(({ name, type }) => ({ name, type })), data, rowCount };
}

/**
 * A stored dataset's columns for statistics, built in one pass over the chunks without a Table:
 * a NUMBER column becomes only its numbers (a typed array, nulls left out, row order kept) and its
 * missing count; any other column becomes its cells. Statistics read nothing else, and skipping the
 * 200,000-element CellValue arrays of a Table is most of what a statistics miss used to spend
 * after parsing.
 */
export type StatisticsColumn = { kind: 'numbers'; values: Float64Array; missing: number } | { kind: 'cells'; cells: CellValue[] };

export function statisticsColumnsFromChunks(columns: readonly ColumnInfo[], chunks: readonly string[]): StatisticsColumn[] {
  const parsed = chunks.map((text, k) => parseChunk(text, columns.length, k));
  let rowCount = 0;
  for (const chunk of parsed) rowCount += chunk[0]?.length ?? 0;
  return columns.map((column, c) => {
    if (column.type !== 'NUMBER') {
      const cells: CellValue[] = [];
      for (const chunk of parsed) {
        const source = chunk[c];
        for (let r = 0; r < source.length; r++) cells.push(source[r]);
      }
      return { kind: 'cells', cells };
    }
    // Sized for every row, then cut to the numbers found: subarray shares the buffer, no copy.
    const values = new Float64Array(rowCount);
    let n = 0;
    for (const chunk of parsed) {
      const source = chunk[c];
      for (let r = 0; r < source.length; r++) {
        const v = source[r];
        if (typeof v === 'number') values[n++] = v;
      }
    }
    return { kind: 'numbers', values: values.subarray(0, n), missing: rowCount - n };
  });
}

function parseChunk(text: string, columnCount: number, k: number): CellValue[][] {
  const chunk: unknown = JSON.parse(text);
  if (!Array.isArray(chunk) || chunk.length !== columnCount || !chunk.every((column) => Array.isArray(column))) {
    throw new Error(`dataset chunk ${k} is not an array of ${columnCount} column arrays`);
  }
  const rows = (chunk[0] as unknown[] | undefined)?.length ?? 0;
  if (chunk.some((column: unknown[]) => column.length !== rows)) throw new Error(`dataset chunk ${k} has columns of different lengths`);
  return chunk as CellValue[][];
}
