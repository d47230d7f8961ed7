import { readFileSync } from 'node:fs';
import { parseCsvTable } from '../../../../src/domains/datasets/compute';
import { vegaDataPath } from '../../../../src/domains/datasets/dataset.seed';
import { expectInputError } from '../../../helpers/input-error';

describe('parseCsvTable', () => {
  it('builds a column-major table with a type inferred per column', () => {
    const table = parseCsvTable('name,price,active,since\nann,1.5,true,2020-01-02\nbob,2,FALSE,2021-03-04\n');
    expect(table.columns).toEqual([
      { name: 'name', type: 'STRING' },
      { name: 'price', type: 'NUMBER' },
      { name: 'active', type: 'BOOLEAN' },
      { name: 'since', type: 'DATE' },
    ]);
    expect(table.rowCount).toBe(2);
    expect(table.data).toEqual([
      ['ann', 'bob'],
      [1.5, 2],
      [true, false],
      ['2020-01-02', '2021-03-04'],
    ]);
  });

  it('reads empty and blank fields as null, whatever the column type', () => {
    const table = parseCsvTable('a,b,c\n1,,x\n, ,\n3,true,y\n');
    expect(table.columns.map((c) => c.type)).toEqual(['NUMBER', 'BOOLEAN', 'STRING']);
    expect(table.data).toEqual([
      [1, null, 3],
      [null, null, true],
      ['x', null, 'y'],
    ]);
  });

  it('types a column of only nulls as STRING', () => {
    const table = parseCsvTable('a,b\n1,\n2,\n');
    expect(table.columns[1]).toEqual({ name: 'b', type: 'STRING' });
    expect(table.data[1]).toEqual([null, null]);
  });

  it('accepts numbers with surrounding spaces, exponents and signs, but not hex or other notations', () => {
    expect(parseCsvTable('n\n 1 \n-2.5\n+3e2\n.5\n').data[0]).toEqual([1, -2.5, 300, 0.5]);
    for (const notNumber of ['0x1F', 'Infinity', 'NaN', '1,000', '1_000', '12abc']) {
      const table = parseCsvTable(`n\n1\n"${notNumber}"\n`);
      expect([notNumber, table.columns[0].type]).toEqual([notNumber, 'STRING']);
    }
  });

  it('reads true/false in any case as BOOLEAN', () => {
    const table = parseCsvTable('flag\nTrue\nfalse\nTRUE\n');
    expect(table.columns[0].type).toBe('BOOLEAN');
    expect(table.data[0]).toEqual([true, false, true]);
  });

  it('normalises ISO and month-name dates to ISO-8601, date-only values as YYYY-MM-DD', () => {
    const table = parseCsvTable('d\n2012-01-31\nJun 12 1998\n"June 3, 2001"\n7 Aug 1999\n2000/02/29\n');
    expect(table.columns[0].type).toBe('DATE');
    expect(table.data[0]).toEqual(['2012-01-31', '1998-06-12', '2001-06-03', '1999-08-07', '2000-02-29']);
  });

  it('normalises dates with a time to UTC, reading a time without a zone as UTC', () => {
    const table = parseCsvTable('t\n2015-01-01 01:00\n2015-01-01T02:30:15Z\n2015-01-01T03:00:00+02:00\n2015-01-01T04:00:00.5\n');
    expect(table.data[0]).toEqual(['2015-01-01T01:00:00.000Z', '2015-01-01T02:30:15.000Z', '2015-01-01T01:00:00.000Z', '2015-01-01T04:00:00.500Z']);
  });

  it('keeps a column as STRING when one value is not a real date', () => {
    expect(parseCsvTable('d\n2012-01-31\n2012-02-30\n').columns[0].type).toBe('STRING');
    expect(parseCsvTable('d\nJun 12 1998\nFoo 12 1998\n').columns[0].type).toBe('STRING');
  });

  it('keeps strings as written, including quoted commas and line breaks', () => {
    const table = parseCsvTable('name,note\n" ann ","a, b"\nbob,"line 1\nline 2"\n');
    expect(table.data).toEqual([
      [' ann ', 'bob'],
      ['a, b', 'line 1\nline 2'],
    ]);
  });

  it('trims header names, strips a byte-order mark, accepts CRLF and skips empty lines', () => {
    const table = parseCsvTable('\ufeff a , b\r\n1,2\r\n\r\n3,4\r\n');
    expect(table.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(table.data).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });

  it('keeps every field as a STRING with inferTypes: false', () => {
    const table = parseCsvTable('a,b\n007,true\n,x\n', { inferTypes: false });
    expect(table.columns).toEqual([
      { name: 'a', type: 'STRING' },
      { name: 'b', type: 'STRING' },
    ]);
    expect(table.data).toEqual([
      ['007', null],
      ['true', 'x'],
    ]);
  });

  it('parses the seattle-weather CSV from vega-datasets', () => {
    const table = parseCsvTable(readFileSync(vegaDataPath('seattle-weather.csv'), 'utf8'));
    expect(table.rowCount).toBe(1461);
    expect(table.columns).toEqual([
      { name: 'date', type: 'DATE' },
      { name: 'precipitation', type: 'NUMBER' },
      { name: 'temp_max', type: 'NUMBER' },
      { name: 'temp_min', type: 'NUMBER' },
      { name: 'wind', type: 'NUMBER' },
      { name: 'weather', type: 'STRING' },
    ]);
    expect(table.data.map((column) => column[0])).toEqual(['2012-01-01', 0, 12.8, 5, 4.7, 'drizzle']);
  });

  describe('rejects bad input with an InputError', () => {
    it('an empty text', () => {
      expectInputError(() => parseCsvTable(''), /CSV is empty/);
      expectInputError(() => parseCsvTable(' \n\n '), /CSV is empty/);
    });

    it('a header without data rows', () => {
      expectInputError(() => parseCsvTable('a,b\n'), /no data rows/);
    });

    it('a ragged row, naming its line and both field counts', () => {
      const err = expectInputError(() => parseCsvTable('a,b,c\n1,2,3\n4,5\n6,7,8\n'), 'CSV line 3 has 2 fields; the header has 3');
      expect(err.details).toEqual({ line: 3 });
    });

    it('a row with too many fields', () => {
      expectInputError(() => parseCsvTable('a,b\n1,2,3\n'), 'CSV line 2 has 3 fields; the header has 2');
    });

    it('an unclosed quote', () => {
      expectInputError(() => parseCsvTable('a,b\n1,"2\n'), /CSV is malformed: Quote Not Closed/);
    });

    it('text with a NUL byte', () => {
      expectInputError(() => parseCsvTable('a,b\n1,2\0\n'), /binary data: it contains a NUL byte at character 8/);
    });

    it('text that is mostly not printable', () => {
      const garbage = Buffer.from(Array.from({ length: 400 }, (_, i) => (i * 37) % 256).filter((b) => b !== 0)).toString('utf8');
      expectInputError(() => parseCsvTable(garbage), /binary data: \d+% of its first \d+ characters are not printable/);
    });

    it('an empty column name, naming its position', () => {
      expectInputError(() => parseCsvTable('a,,c\n1,2,3\n'), 'CSV header: column 2 has an empty name');
    });

    it('a duplicate column name, naming both positions', () => {
      expectInputError(() => parseCsvTable('a,b,a\n1,2,3\n'), 'CSV header: column name "a" appears twice (columns 1 and 3)');
      expectInputError(() => parseCsvTable('a, b,b \n1,2,3\n'), /"b" appears twice \(columns 2 and 3\)/);
    });

    it('a text over maxBytes, counted in UTF-8 bytes', () => {
      expectInputError(() => parseCsvTable('a\n1234\n', { maxBytes: 6 }), 'CSV is 7 bytes; the limit is 6 bytes');
      // Two characters, four bytes each.
      expectInputError(() => parseCsvTable('a\n😀😀\n', { maxBytes: 10 }), 'CSV is 11 bytes; the limit is 10 bytes');
      expect(parseCsvTable('a\n😀😀\n', { maxBytes: 11 }).rowCount).toBe(1);
    });

    it('a text over the default limit of 50 MiB', () => {
      const big = 'a\n' + 'x'.repeat(50 * 1024 * 1024);
      expectInputError(() => parseCsvTable(big + 'x'.repeat(200_000)), 'CSV is 50.2 MiB; the limit is 50 MiB');
      expectInputError(() => parseCsvTable(big), 'CSV is 52428802 bytes; the limit is 52428800 bytes');
    });
  });
});
