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

function parseChunk(text: string, columnCount: number, k: number): CellValue[][] {
  const chunk: unknown = JSON.parse(text);
  if (!Array.isArray(chunk) || chunk.length !== columnCount || !chunk.every((column) => Array.isArray(column))) {
    throw new Error(`dataset chunk ${k} is not an array of ${columnCount} column arrays`);
  }
  const rows = (chunk[0] as unknown[] | undefined)?.length ?? 0;
  if (chunk.some((column: unknown[]) => column.length !== rows)) throw new Error(`dataset chunk ${k} has columns of different lengths`);
  return chunk as CellValue[][];
}
