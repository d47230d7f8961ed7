import { readFileSync } from 'node:fs';
import { tableFromRecords, visualize, type BarData, type HistogramData, type ScatterData } from '../../../../src/domains/datasets/compute';
import { vegaDataPath } from '../../../../src/domains/datasets/dataset.seed';
import type { CellValue } from '../../../../src/domains/datasets/table';
import { expectInputError } from '../../../helpers/input-error';
import { tableOf } from '../helpers';

const load = (file: string) => tableFromRecords(JSON.parse(readFileSync(vegaDataPath(file), 'utf8')));

describe('HISTOGRAM', () => {
  it('splits min..max into equal-width bins, the max going into the last bin', () => {
    const table = tableOf({ x: ['NUMBER', [0, 1, 2, 2.5, 3, 4, null]] });
    const result = visualize(table, { kind: 'HISTOGRAM', column: 'x', bins: 4 });
    expect(result).toEqual({
      kind: 'HISTOGRAM',
      column: 'x',
      column2: null,
      data: {
        bins: [
          { x0: 0, x1: 1, count: 1 },
          { x0: 1, x1: 2, count: 1 },
          { x0: 2, x1: 3, count: 2 },
          { x0: 3, x1: 4, count: 2 },
        ],
      },
    });
  });

  it('uses 20 bins by default, whose counts sum to the non-null count', () => {
    const cars = load('cars.json');
    const { bins } = visualize(cars, { kind: 'HISTOGRAM', column: 'Horsepower' }).data as HistogramData;
    expect(bins).toHaveLength(20);
    expect(bins.reduce((sum, b) => sum + b.count, 0)).toBe(400);
    expect(bins[0].x0).toBe(46);
    expect(bins[19].x1).toBe(230);
  });

  it("agrees with numpy.histogram on cars.json's Horsepower with 5 bins", () => {
    const { bins } = visualize(load('cars.json'), { kind: 'HISTOGRAM', column: 'Horsepower', bins: 5 }).data as HistogramData;
    // numpy 2.4: np.histogram(hp, bins=5) -> [123, 166, 68, 30, 13], edges 46, 82.8, 119.6, 156.4, 193.2, 230.
    expect(bins.map((b) => b.count)).toEqual([123, 166, 68, 30, 13]);
    expect(bins.map((b) => b.x0)).toEqual([46, 82.8, 119.6, 156.4, 193.2].map((e) => expect.closeTo(e, 10)));
  });

  it('sums to the non-null count on flights-200k with any bin count', () => {
    const flights = load('flights-200k.json');
    for (const bins of [1, 7, 200]) {
      const data = visualize(flights, { kind: 'HISTOGRAM', column: 'delay', bins }).data as HistogramData;
      expect(data.bins).toHaveLength(bins);
      expect(data.bins.reduce((sum, b) => sum + b.count, 0)).toBe(200_000);
    }
  });

  it('centres a unit-wide range on a single distinct value, as numpy does', () => {
    const { bins } = visualize(tableOf({ x: ['NUMBER', [5, 5, 5]] }), { kind: 'HISTOGRAM', column: 'x', bins: 2 }).data as HistogramData;
    expect(bins).toEqual([
      { x0: 4.5, x1: 5, count: 0 },
      { x0: 5, x1: 5.5, count: 3 },
    ]);
  });

  it('gives no bins for a column without values', () => {
    expect(visualize(tableOf({ x: ['NUMBER', [null]] }), { kind: 'HISTOGRAM', column: 'x' }).data).toEqual({ bins: [] });
  });

  it('rejects bins that are not an integer from 1 to 200', () => {
    const table = tableOf({ x: ['NUMBER', [1, 2]] });
    for (const bins of [0, 201, 2.5, -1, NaN]) {
      expectInputError(() => visualize(table, { kind: 'HISTOGRAM', column: 'x', bins }), `bins must be an integer from 1 to 200, got ${bins}`);
    }
  });
});

describe('SCATTER', () => {
  it('pairs x and y over the rows where both have values', () => {
    const table = tableOf({ x: ['NUMBER', [1, null, 3, 4]], y: ['NUMBER', [10, 20, null, 40]] });
    expect(visualize(table, { kind: 'SCATTER', column: 'x', column2: 'y' })).toEqual({
      kind: 'SCATTER',
      column: 'x',
      column2: 'y',
      data: {
        points: [
          { x: 1, y: 10 },
          { x: 4, y: 40 },
        ],
        total: 2,
      },
    });
  });

  it('samples at most 2,000 points, the same ones every time', () => {
    const flights = load('flights-200k.json');
    const request = { kind: 'SCATTER', column: 'distance', column2: 'delay' } as const;
    const first = visualize(flights, request).data as ScatterData;
    const second = visualize(load('flights-200k.json'), request).data as ScatterData;
    expect(first.total).toBe(200_000);
    expect(first.points).toHaveLength(2000);
    expect(second).toEqual(first);
    // The sample spreads over the whole data set rather than taking its first rows.
    expect(first.points[1999]).toEqual({ x: flights.data[1][199_900], y: flights.data[0][199_900] });
  });

  describe('rejects', () => {
    const table = tableOf({ x: ['NUMBER', [1]], s: ['STRING', ['a']] });
    it('a missing column2', () => {
      expectInputError(() => visualize(table, { kind: 'SCATTER', column: 'x' }), 'SCATTER needs column2, the y column');
      expectInputError(() => visualize(table, { kind: 'SCATTER', column: 'x', column2: null }), 'SCATTER needs column2, the y column');
    });
    it('a non-numeric column or column2, naming it', () => {
      expectInputError(() => visualize(table, { kind: 'SCATTER', column: 'x', column2: 's' }), 'SCATTER needs a NUMBER column; "s" is STRING');
      expectInputError(() => visualize(table, { kind: 'SCATTER', column: 's', column2: 'x' }), 'SCATTER needs a NUMBER column; "s" is STRING');
    });
    it('an unknown column2', () => {
      expectInputError(() => visualize(table, { kind: 'SCATTER', column: 'x', column2: 'nope' }), 'unknown column "nope"; the dataset has "x", "s"');
    });
  });
});

describe('BAR', () => {
  it('counts the 20 most frequent categories, ties broken by name, the rest in otherCount', () => {
    // 19 clear leaders (c00 30 times … c18 12 times), then three categories tied at 5 for the 20th place.
    const cells: CellValue[] = [];
    for (let i = 0; i < 19; i++) for (let k = 0; k < 30 - i; k++) cells.push(`c${String(i).padStart(2, '0')}`);
    for (const tied of ['zeta', 'alpha', 'beta']) for (let k = 0; k < 5; k++) cells.push(tied);
    cells.push('tiny', null, null);
    const data = visualize(tableOf({ s: ['STRING', cells] }), { kind: 'BAR', column: 's' }).data as BarData;
    expect(data.bars).toHaveLength(20);
    expect(data.bars.slice(0, 2)).toEqual([
      { category: 'c00', count: 30 },
      { category: 'c01', count: 29 },
    ]);
    expect(data.bars.slice(18)).toEqual([
      { category: 'c18', count: 12 },
      { category: 'alpha', count: 5 },
    ]);
    // beta and zeta (5 each) and tiny (1).
    expect(data.otherCount).toBe(11);
    const nonNull = cells.filter((c) => c !== null).length;
    expect(data.bars.reduce((sum, b) => sum + b.count, 0) + data.otherCount).toBe(nonNull);
  });

  it('breaks equal counts by name', () => {
    const data = visualize(tableOf({ s: ['STRING', ['b', 'a', 'c', 'a', 'c', 'b']] }), { kind: 'BAR', column: 's' }).data;
    expect(data).toEqual({
      bars: [
        { category: 'a', count: 2 },
        { category: 'b', count: 2 },
        { category: 'c', count: 2 },
      ],
      otherCount: 0,
    });
  });

  it('accepts a BOOLEAN column, with "true" and "false" as categories', () => {
    const data = visualize(tableOf({ b: ['BOOLEAN', [true, false, true, null]] }), { kind: 'BAR', column: 'b' }).data;
    expect(data).toEqual({
      bars: [
        { category: 'true', count: 2 },
        { category: 'false', count: 1 },
      ],
      otherCount: 0,
    });
  });

  it('counts the origins of cars.json', () => {
    const data = visualize(load('cars.json'), { kind: 'BAR', column: 'Origin' }).data;
    expect(data).toEqual({
      bars: [
        { category: 'USA', count: 254 },
        { category: 'Japan', count: 79 },
        { category: 'Europe', count: 73 },
      ],
      otherCount: 0,
    });
  });
});

describe('visualize rejects a request that does not fit the data', () => {
  const table = tableOf({ n: ['NUMBER', [1]], s: ['STRING', ['a']], d: ['DATE', ['2020-01-01']] });

  it('an unknown column, naming it and the columns there are', () => {
    const error = expectInputError(
      () => visualize(table, { kind: 'HISTOGRAM', column: 'nope' }),
      'unknown column "nope"; the dataset has "n", "s", "d"',
    );
    expect(error.details).toEqual({ column: 'nope' });
  });

  it('a HISTOGRAM of a non-numeric column', () => {
    expectInputError(() => visualize(table, { kind: 'HISTOGRAM', column: 's' }), 'HISTOGRAM needs a NUMBER column; "s" is STRING');
    expectInputError(() => visualize(table, { kind: 'HISTOGRAM', column: 'd' }), 'HISTOGRAM needs a NUMBER column; "d" is DATE');
  });

  it('a BAR of a numeric or date column', () => {
    expectInputError(() => visualize(table, { kind: 'BAR', column: 'n' }), 'BAR needs a STRING or BOOLEAN column; "n" is NUMBER');
    expectInputError(() => visualize(table, { kind: 'BAR', column: 'd' }), 'BAR needs a STRING or BOOLEAN column; "d" is DATE');
  });

  it('an unknown kind', () => {
    expectInputError(
      () => visualize(table, { kind: 'PIE' as 'BAR', column: 's' }),
      'unknown visualization kind "PIE"; expected HISTOGRAM, SCATTER or BAR',
    );
  });
});
