import { readFileSync } from 'node:fs';
import { computeStatistics, statisticsFromChunks, tableFromChunks, tableFromRecords } from '../../../../src/domains/datasets/compute';
import type { CellValue, ColumnInfo, ColumnType, Table } from '../../../../src/domains/datasets/table';
import { vegaDataPath } from '../../../../src/domains/datasets/dataset.seed';
import { tableOf } from '../helpers';
import { seededRandom } from '../../../../src/lib/random';

describe('computeStatistics', () => {
  it('matches hand-checked values for [1, 2, 3, 4]: quartiles 1.75, 2.5, 3.25 and sample std 1.2910', () => {
    const [stats] = computeStatistics(tableOf({ x: ['NUMBER', [4, 1, 3, 2]] }));
    expect(stats).toEqual({
      column: 'x',
      count: 4,
      nullCount: 0,
      distinct: 4,
      mean: 2.5,
      std: expect.closeTo(1.2909944, 6),
      min: 1,
      max: 4,
      p25: 1.75,
      p50: 2.5,
      p75: 3.25,
    });
  });

  it("matches an independent computation of cars.json's Horsepower, and numpy's values for it", () => {
    const cars: { Horsepower: number | null }[] = JSON.parse(readFileSync(vegaDataPath('cars.json'), 'utf8'));

    // Independent of the code under test: plain arrays, plain formulas.
    const values = cars.map((car) => car.Horsepower).filter((hp): hp is number => hp !== null);
    values.sort((a, b) => a - b);
    const n = values.length;
    let sum = 0;
    for (const v of values) sum += v;
    const expectedMean = sum / n;
    let squaredDeviations = 0;
    for (const v of values) squaredDeviations += (v - expectedMean) ** 2;
    const expectedStd = Math.sqrt(squaredDeviations / (n - 1));
    // numpy.percentile's default ("linear"): position (n - 1) * q, interpolated between its neighbours.
    const percentile = (q: number) => {
      const position = (n - 1) * q;
      const below = Math.floor(position);
      const above = Math.ceil(position);
      return values[below] + (values[above] - values[below]) * (position - below);
    };

    const table = tableFromRecords(cars);
    const stats = computeStatistics(table).find((s) => s.column === 'Horsepower')!;

    expect(stats.count).toBe(n);
    expect(stats.nullCount).toBe(cars.length - n);
    expect(stats.distinct).toBe(new Set(values).size);
    expect(stats.min).toBe(values[0]);
    expect(stats.max).toBe(values[n - 1]);
    expect(stats.mean).toBeCloseTo(expectedMean, 10);
    expect(stats.std).toBeCloseTo(expectedStd, 10);
    expect(stats.p25).toBeCloseTo(percentile(0.25), 10);
    expect(stats.p50).toBeCloseTo(percentile(0.5), 10);
    expect(stats.p75).toBeCloseTo(percentile(0.75), 10);

    // numpy 2.4: h.mean(), h.std(ddof=1), np.percentile(h, [25, 50, 75]) over the 400 non-null values.
    expect([stats.count, stats.nullCount]).toEqual([400, 6]);
    expect(stats.mean).toBeCloseTo(105.0825, 10);
    expect(stats.std).toBeCloseTo(38.768779183105195, 10);
    expect([stats.p25, stats.p50, stats.p75]).toEqual([75.75, 95, 130]);
  });

  it('ignores nulls in every measure and counts them in nullCount', () => {
    const [stats] = computeStatistics(tableOf({ x: ['NUMBER', [null, 10, null, 20, 10]] }));
    expect(stats).toMatchObject({ count: 3, nullCount: 2, distinct: 2, mean: expect.closeTo(13.3333333, 6), min: 10, max: 20, p50: 10 });
  });

  it('gives a single value no std, and a constant column a std of exactly 0', () => {
    const [single, constant] = computeStatistics(tableOf({ single: ['NUMBER', [7, null, null]], constant: ['NUMBER', [0.1, 0.1, 0.1]] }));
    expect(single).toMatchObject({ count: 1, mean: 7, std: null, min: 7, max: 7, p25: 7, p50: 7, p75: 7 });
    expect(constant).toMatchObject({ mean: 0.1, std: 0, p25: 0.1, p75: 0.1 });
  });

  it('gives a NUMBER column without values nulls for every numeric field', () => {
    const [stats] = computeStatistics(tableOf({ x: ['NUMBER', [null, null]] }));
    expect(stats).toEqual({
      column: 'x',
      count: 0,
      nullCount: 2,
      distinct: 0,
      mean: null,
      std: null,
      min: null,
      max: null,
      p25: null,
      p50: null,
      p75: null,
    });
  });

  it('gives STRING, BOOLEAN and DATE columns counts and distinct values only', () => {
    const stats = computeStatistics(
      tableOf({
        s: ['STRING', ['a', 'b', 'a', null]],
        b: ['BOOLEAN', [true, false, true, true]],
        d: ['DATE', ['2020-01-01', '2020-01-01', null, '2021-01-01']],
      }),
    );
    const numericFields = { mean: null, std: null, min: null, max: null, p25: null, p50: null, p75: null };
    expect(stats).toEqual([
      { column: 's', count: 3, nullCount: 1, distinct: 2, ...numericFields },
      { column: 'b', count: 4, nullCount: 0, distinct: 2, ...numericFields },
      { column: 'd', count: 3, nullCount: 1, distinct: 2, ...numericFields },
    ]);
  });

  it("counts every one of flights-200k's 200,000 rows in each of its 3 columns", () => {
    const table = tableFromRecords(JSON.parse(readFileSync(vegaDataPath('flights-200k.json'), 'utf8')));
    expect(table.rowCount).toBe(200_000);
    const stats = computeStatistics(table);
    expect(stats.map((s) => s.count)).toEqual([200_000, 200_000, 200_000]);
  });
});

/** Stores a table the way the repository does: chunks of rows, each column-major JSON. */
function toChunks(table: Table, rowsPerChunk: number): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < table.rowCount; start += rowsPerChunk) {
    chunks.push(JSON.stringify(table.data.map((column) => column.slice(start, start + rowsPerChunk))));
  }
  return chunks;
}

function randomTable(seed: number): Table {
  const next = seededRandom(seed);
  const rowCount = Math.floor(next() * 300);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)];
  const numberCell = (): CellValue => {
    const r = next();
    if (r < 0.15) return null;
    if (r < 0.45) return pick([0, -0, 1, -1, 2.5, 1e21, -1e-7, 5e-324, Number.MAX_VALUE]);
    if (r < 0.75) return Math.round(next() * 20) - 10;
    return (next() - 0.5) * 10 ** Math.floor(next() * 12 - 4);
  };
  const makers: Record<ColumnType, () => CellValue> = {
    NUMBER: numberCell,
    STRING: () => (next() < 0.2 ? null : pick(['a', 'b', '', 'ü', '1'])),
    DATE: () => (next() < 0.2 ? null : pick(['2024-01-01', '2024-01-02T10:00:00.000Z'])),
    BOOLEAN: () => (next() < 0.2 ? null : next() < 0.5),
  };
  // A column of only nulls, or of one repeated value, now and then.
  const columns: ColumnInfo[] = Array.from({ length: 1 + Math.floor(next() * 4) }, (_, c) => ({
    name: `c${c}`,
    type: pick(['NUMBER', 'NUMBER', 'STRING', 'DATE', 'BOOLEAN'] as const),
  }));
  const data = columns.map((column) => {
    const shape = next();
    if (shape < 0.1) return Array.from({ length: rowCount }, () => null);
    if (shape < 0.2) {
      const v = makers[column.type]();
      return Array.from({ length: rowCount }, () => v);
    }
    return Array.from({ length: rowCount }, makers[column.type]);
  });
  return { columns, data, rowCount };
}

describe('statisticsFromChunks (the miss path)', () => {
  it('equals computeStatistics over the same stored chunks, for 300 random tables and chunk sizes', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const table = randomTable(seed);
      const chunks = toChunks(table, 1 + Math.floor(seededRandom(seed * 7)() * 120));
      // The old path: the whole Table, then statistics; toEqual tells 0 from -0, so values must be identical.
      const expected = computeStatistics(tableFromChunks(table.columns, chunks));
      const actual = statisticsFromChunks(table.columns, chunks);
      if (!equals(actual, expected)) throw new Error(`seed ${seed}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`);
      expect(actual).toEqual(expected);
    }
  });

  it("equals computeStatistics on flights-200k's four stored chunks, figure for figure", () => {
    const table = tableFromRecords(JSON.parse(readFileSync(vegaDataPath('flights-200k.json'), 'utf8')));
    const chunks = toChunks(table, 50_000);
    const actual = statisticsFromChunks(table.columns, chunks);
    expect(actual).toEqual(computeStatistics(tableFromChunks(table.columns, chunks)));
    expect(actual.map((s) => [s.column, s.count, s.nullCount])).toEqual([
      ['delay', 200_000, 0],
      ['distance', 200_000, 0],
      ['time', 200_000, 0],
    ]);
  });
});

/** Deep equality that tells 0 from -0 and NaN from NaN like toEqual, for a readable failure with the seed. */
function equals(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => equals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
