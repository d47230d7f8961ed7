import { readFileSync } from 'node:fs';
import { computeStatistics, tableFromRecords } from '../../../../src/domains/datasets/compute';
import { vegaDataPath } from '../../../../src/domains/datasets/dataset.seed';
import { tableOf } from '../helpers';

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
