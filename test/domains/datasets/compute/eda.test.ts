import { readFileSync } from 'node:fs';
import { computeEda, correlations, missingValues, outliers, tableFromRecords } from '../../../../src/domains/datasets/compute';
import { vegaDataPath } from '../../../../src/domains/datasets/dataset.seed';
import { tableOf } from '../helpers';

describe('EDA correlations', () => {
  it('matches a hand-computed Pearson r', () => {
    // x = 1,2,3,4,5 and y = 2,4,5,4,5: means 3 and 4; Σdx·dy = 6, Σdx² = 10, Σdy² = 6; r = 6 / √60 = 0.7745967.
    const [c] = correlations(tableOf({ x: ['NUMBER', [1, 2, 3, 4, 5]], y: ['NUMBER', [2, 4, 5, 4, 5]] }));
    expect(c.a).toBe('x');
    expect(c.b).toBe('y');
    expect(c.r).toBeCloseTo(6 / Math.sqrt(60), 12);
  });

  it('gives exactly 1 and -1 for perfect linear relations', () => {
    const rs = correlations(tableOf({ x: ['NUMBER', [1, 2, 3]], up: ['NUMBER', [10, 20, 30]], down: ['NUMBER', [3, 2, 1]] }));
    expect(rs.map((c) => c.r)).toEqual([expect.closeTo(1, 12), expect.closeTo(-1, 12), expect.closeTo(-1, 12)]);
    for (const { r } of rs) expect(Math.abs(r!)).toBeLessThanOrEqual(1);
  });

  it('uses only the rows where both columns have values (pairwise complete)', () => {
    // Complete rows of (x, y): (1, 2), (2, 4), (4, 5), (5, 5); y's 5 in row 3 is dropped with x's null.
    const table = tableOf({ x: ['NUMBER', [1, 2, null, 4, 5, 6]], y: ['NUMBER', [2, 4, 5, 5, 5, null]] });
    const completeX = [1, 2, 4, 5];
    const completeY = [2, 4, 5, 5];
    const mx = completeX.reduce((s, v) => s + v, 0) / 4;
    const my = completeY.reduce((s, v) => s + v, 0) / 4;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < 4; i++) {
      sxy += (completeX[i] - mx) * (completeY[i] - my);
      sxx += (completeX[i] - mx) ** 2;
      syy += (completeY[i] - my) ** 2;
    }
    expect(correlations(table)[0].r).toBeCloseTo(sxy / Math.sqrt(sxx * syy), 12);
  });

  it('gives r null below two complete rows or when a column is constant over them', () => {
    const rs = correlations(
      tableOf({
        x: ['NUMBER', [1, 2, 3, null]],
        oneRow: ['NUMBER', [null, null, 7, 8]],
        // Constant over the rows where x has values, not over all rows.
        constantWithX: ['NUMBER', [0.1, 0.1, 0.1, 5]],
      }),
    );
    expect(rs).toEqual([
      { a: 'x', b: 'oneRow', r: null },
      { a: 'x', b: 'constantWithX', r: null },
      // Rows 3 and 4: (7, 0.1) and (8, 5), a line.
      { a: 'oneRow', b: 'constantWithX', r: expect.closeTo(1, 12) },
    ]);
  });

  it('pairs every two NUMBER columns in column order, a before b, skipping other types', () => {
    const table = tableOf({
      a: ['NUMBER', [1, 2, 3]],
      s: ['STRING', ['x', 'y', 'z']],
      b: ['NUMBER', [1, 3, 2]],
      d: ['DATE', ['2020-01-01', '2020-01-02', '2020-01-03']],
      c: ['NUMBER', [3, 1, 2]],
    });
    expect(correlations(table).map(({ a, b }) => [a, b])).toEqual([
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'c'],
    ]);
  });

  it('agrees with numpy on cars.json: Horsepower against Miles_per_Gallon over 392 complete rows', () => {
    const table = tableFromRecords(JSON.parse(readFileSync(vegaDataPath('cars.json'), 'utf8')));
    const c = correlations(table).find((x) => x.a === 'Miles_per_Gallon' && x.b === 'Horsepower')!;
    // numpy 2.4: np.corrcoef(hp, mpg)[0, 1] over the rows where both are present.
    expect(c.r).toBeCloseTo(-0.7784267838977756, 12);
  });
});

describe('EDA missing values', () => {
  it('counts the nulls of every column, including columns without any', () => {
    const table = tableOf({ a: ['NUMBER', [1, null, null]], s: ['STRING', [null, 'x', 'y']], b: ['BOOLEAN', [true, false, true]] });
    expect(missingValues(table)).toEqual([
      { column: 'a', count: 2 },
      { column: 's', count: 1 },
      { column: 'b', count: 0 },
    ]);
  });
});

describe('EDA outliers', () => {
  it('counts values outside p25 − 1.5·IQR and p75 + 1.5·IQR per NUMBER column', () => {
    // 1..8 and 100: p25 = 3, p75 = 7, IQR = 4, fences -3 and 13; only 100 lies outside.
    const table = tableOf({ x: ['NUMBER', [1, 2, 3, 4, 5, 6, 7, 8, 100, null]], s: ['STRING', Array(10).fill('a')] });
    expect(outliers(table)).toEqual([{ column: 'x', count: 1, lower: -3, upper: 13 }]);
  });

  it('counts outliers on both sides, and a value on a fence is not one', () => {
    // p25 = 10, p75 = 20, fences -5 and 35.
    const table = tableOf({ x: ['NUMBER', [-50, -5, 10, 10, 15, 20, 20, 35, 90]] });
    expect(outliers(table)).toEqual([{ column: 'x', count: 2, lower: -5, upper: 35 }]);
  });

  it('leaves out a NUMBER column without values, which has no fences', () => {
    expect(outliers(tableOf({ x: ['NUMBER', [null, null]], y: ['NUMBER', [1, 1]] }))).toEqual([{ column: 'y', count: 0, lower: 1, upper: 1 }]);
  });
});

describe('computeEda', () => {
  it('reports correlations, missing values and outliers together', () => {
    const table = tableOf({ x: ['NUMBER', [1, 2, 3, 4]], y: ['NUMBER', [2, 4, 6, null]] });
    expect(computeEda(table)).toEqual({
      correlations: [{ a: 'x', b: 'y', r: expect.closeTo(1, 12) }],
      missing: [
        { column: 'x', count: 0 },
        { column: 'y', count: 1 },
      ],
      outliers: [
        { column: 'x', count: 0, lower: expect.any(Number), upper: expect.any(Number) },
        { column: 'y', count: 0, lower: expect.any(Number), upper: expect.any(Number) },
      ],
    });
  });
});
