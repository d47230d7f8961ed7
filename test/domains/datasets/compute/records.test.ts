import { readFileSync } from 'node:fs';
import { expectInputError } from '../../../helpers/input-error';
import { tableFromRecords } from '../../../../src/domains/datasets/compute';
import { vegaDataPath } from '../../../../src/domains/datasets/dataset.seed';

const load = (file: string) => JSON.parse(readFileSync(vegaDataPath(file), 'utf8'));

describe('tableFromRecords', () => {
  it('takes the union of keys in first-seen order, a missing key being null', () => {
    const table = tableFromRecords([{ a: 1, b: 'x' }, { c: true }, { b: 'y', a: 2 }]);
    expect(table.columns).toEqual([
      { name: 'a', type: 'NUMBER' },
      { name: 'b', type: 'STRING' },
      { name: 'c', type: 'BOOLEAN' },
    ]);
    expect(table.rowCount).toBe(3);
    expect(table.data).toEqual([
      [1, null, 2],
      ['x', null, 'y'],
      [null, true, null],
    ]);
  });

  it('infers types as for CSV: numeric strings with numbers are NUMBER, mixed scalars are STRING', () => {
    const table = tableFromRecords([
      { n: 1, s: 1, d: 'Jun 12 1998' },
      { n: '2.5', s: 'two', d: null },
    ]);
    expect(table.columns.map((c) => c.type)).toEqual(['NUMBER', 'STRING', 'DATE']);
    expect(table.data).toEqual([
      [1, 2.5],
      ['1', 'two'],
      ['1998-06-12', null],
    ]);
  });

  it('loads cars.json with its dates normalised and its missing horsepower as null', () => {
    const cars = load('cars.json');
    const table = tableFromRecords(cars);
    expect(table.rowCount).toBe(cars.length);
    expect(table.columns).toEqual([
      { name: 'Name', type: 'STRING' },
      { name: 'Miles_per_Gallon', type: 'NUMBER' },
      { name: 'Cylinders', type: 'NUMBER' },
      { name: 'Displacement', type: 'NUMBER' },
      { name: 'Horsepower', type: 'NUMBER' },
      { name: 'Weight_in_lbs', type: 'NUMBER' },
      { name: 'Acceleration', type: 'NUMBER' },
      { name: 'Year', type: 'DATE' },
      { name: 'Origin', type: 'STRING' },
    ]);
    const horsepower = table.data[4];
    expect(horsepower.filter((v) => v === null)).toHaveLength(cars.filter((c: { Horsepower: unknown }) => c.Horsepower === null).length);
  });

  it('reads the month-name release dates of movies.json as DATE', () => {
    const table = tableFromRecords(load('movies.json'));
    const c = table.columns.findIndex((col) => col.name === 'Release Date');
    expect(table.columns[c].type).toBe('DATE');
    expect(table.data[c][0]).toBe('1998-06-12');
  });

  describe('rejects bad input with an InputError', () => {
    it('a nested object or array, naming the record and key', () => {
      expectInputError(() => tableFromRecords([{ a: 1 }, { a: { b: 2 } }]), 'record 2, key "a": nested objects and arrays are not supported');
      expectInputError(() => tableFromRecords([{ a: [1] }]), /^record 1, key "a"/);
    });

    it('a record that is not an object', () => {
      expectInputError(() => tableFromRecords([{ a: 1 }, 5]), 'record 2 is not an object');
      expectInputError(() => tableFromRecords([null]), 'record 1 is not an object');
    });

    it('no records, or records without keys', () => {
      expectInputError(() => tableFromRecords([]), 'there are no records');
      expectInputError(() => tableFromRecords([{}, {}]), 'the records have no keys');
    });

    it('something other than an array', () => {
      expectInputError(() => tableFromRecords({ a: 1 } as unknown as unknown[]), 'expected an array of records');
    });
  });
});
