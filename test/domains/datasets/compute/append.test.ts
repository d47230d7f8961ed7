import { expectInputError } from '../../../helpers/input-error';
import { coerceRowsToColumns, parseCsvTable } from '../../../../src/domains/datasets/compute';
import type { ColumnInfo } from '../../../../src/domains/datasets/table';

const COLUMNS: ColumnInfo[] = [
  { name: 'id', type: 'STRING' },
  { name: 'price', type: 'NUMBER' },
  { name: 'sold', type: 'BOOLEAN' },
  { name: 'on', type: 'DATE' },
];

const rowsFor = (csv: string) => coerceRowsToColumns(COLUMNS, parseCsvTable(csv, { inferTypes: false }));

describe('coerceRowsToColumns (appending CSV rows to a dataset)', () => {
  it("returns the rows in the dataset's column order and types, whatever the CSV's order", () => {
    const table = rowsFor('sold,on,price,id\ntrue,Jun 12 1998, 3.5 ,007\n,2020-01-01,,x\n');
    expect(table.columns).toEqual(COLUMNS);
    expect(table.rowCount).toBe(2);
    expect(table.data).toEqual([
      ['007', 'x'],
      [3.5, null],
      [true, null],
      ['1998-06-12', '2020-01-01'],
    ]);
  });

  it('also accepts a table whose types were inferred, converting numbers and booleans for a STRING column', () => {
    const table = coerceRowsToColumns(COLUMNS, parseCsvTable('id,price,sold,on\n12,1,false,2020-01-01\n'));
    expect(table.data).toEqual([['12'], [1], [false], ['2020-01-01']]);
  });

  describe('rejects bad input with an InputError', () => {
    it('missing and extra columns, naming each', () => {
      const error = expectInputError(
        () => rowsFor('id,price,colour\nx,1,red\n'),
        `CSV columns do not match the dataset's columns: missing "sold", "on"; not in the dataset "colour"`,
      );
      expect(error.details).toEqual({ missing: ['sold', 'on'], extra: ['colour'] });
    });

    it('only an extra column', () => {
      expectInputError(
        () => rowsFor('id,price,sold,on,more\nx,1,true,2020-01-01,y\n'),
        `CSV columns do not match the dataset's columns: not in the dataset "more"`,
      );
    });

    it('a value that does not fit its column, naming the data row and column', () => {
      expectInputError(
        () => rowsFor('id,price,sold,on\na,1,true,2020-01-01\nb,cheap,true,2020-01-01\n'),
        'data row 2, column "price": "cheap" is not a NUMBER',
      );
      expectInputError(() => rowsFor('id,price,sold,on\na,1,yes,2020-01-01\n'), 'data row 1, column "sold": "yes" is not a BOOLEAN');
      expectInputError(() => rowsFor('id,price,sold,on\na,1,true,2020-02-30\n'), 'data row 1, column "on": "2020-02-30" is not a DATE');
    });
  });
});
