/** The in-memory shape of a dataset: column-major, one array of cells per column. */
export type ColumnType = 'NUMBER' | 'STRING' | 'DATE' | 'BOOLEAN';

export interface ColumnInfo {
  name: string;
  type: ColumnType;
}

/** A cell: numbers as numbers, dates as ISO-8601 strings, booleans as booleans, missing as null. */
export type CellValue = number | string | boolean | null;

export interface Table {
  columns: ColumnInfo[];
  /** data[c][r] is the cell of column c in row r; every column has rowCount cells. */
  data: CellValue[][];
  rowCount: number;
}
