import type { CellValue, ColumnType, Table } from '../../../src/domains/datasets/table';

/** A table from columns given by name: [type, cells]. */
export function tableOf(columns: Record<string, [ColumnType, CellValue[]]>): Table {
  const entries = Object.entries(columns);
  return {
    columns: entries.map(([name, [type]]) => ({ name, type })),
    data: entries.map(([, [, cells]]) => cells),
    rowCount: entries[0][1][1].length,
  };
}
