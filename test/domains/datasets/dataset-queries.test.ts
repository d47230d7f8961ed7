import { parseCsvTable } from '../../../src/domains/datasets/compute';
import type { Dataset } from '../../../src/domains/datasets/dataset.type';
import {
  DatasetDocument,
  DatasetEdaDocument,
  DatasetsDocument,
  DatasetStatisticsDocument,
  DatasetVisualizationDocument,
  type VisualizationKind,
} from '../../generated/graphql';
import { DATABASE_KINDS } from '../../helpers/databases';
import { codes, startTestGateway, type TestGateway } from '../../helpers/gateway';
import { addVegaDataset, type CarRecord, rawCars } from '../../helpers/datasets';

// ---- The expected values, computed here from the raw file, independently of src/ ----

function present(records: CarRecord[], column: string): number[] {
  const out: number[] = [];
  for (const r of records) {
    const v = r[column];
    if (typeof v === 'number') out.push(v);
  }
  return out;
}

function average(values: number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function sampleStd(values: number[]): number {
  const m = average(values);
  let squares = 0;
  for (const v of values) squares += (v - m) * (v - m);
  return Math.sqrt(squares / (values.length - 1));
}

/** numpy.percentile(values, 100 * q) with its default linear interpolation. */
function numpyPercentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const fraction = position - below;
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

function pearson(records: CarRecord[], a: string, b: string): number {
  const pairs = records.filter((r) => typeof r[a] === 'number' && typeof r[b] === 'number');
  const xs = pairs.map((r) => r[a] as number);
  const ys = pairs.map((r) => r[b] as number);
  const mx = average(xs);
  const my = average(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Columns whose every present value is a JSON number. */
function numericColumns(records: CarRecord[]): string[] {
  const names = Object.keys(records[0]);
  return names.filter((name) => records.every((r) => r[name] === null || r[name] === undefined || typeof r[name] === 'number'));
}

function categoryCounts(records: CarRecord[], column: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    const v = r[column];
    if (v === null || v === undefined) continue;
    counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  }
  return counts;
}

// A 5,000-row table with two numeric columns, every (x, y) pair distinct.
const GRID_ROWS = 5000;
const gridY = (i: number) => ((i * 7919) % 1000) / 10;
const GRID_CSV = ['x,y', ...Array.from({ length: GRID_ROWS }, (_, i) => `${i},${gridY(i)}`)].join('\n');

interface HistogramData {
  bins: { x0: number; x1: number; count: number }[];
}
interface ScatterData {
  points: { x: number; y: number }[];
  total: number;
}
interface BarData {
  bars: { category: string; count: number }[];
  otherCount: number;
}

describe.each(DATABASE_KINDS)('datasets over GraphQL (%s)', (kind) => {
  const cars = rawCars();
  let gw: TestGateway;
  let carsId: string;
  let gridId: string;
  const all: Dataset[] = [];

  beforeAll(async () => {
    gw = await startTestGateway(kind);
    const carsDataset = await addVegaDataset(gw, 'cars.json');
    carsId = carsDataset.id;
    const grid = await gw.gateway.services.datasets.insert('grid', 'test', parseCsvTable(GRID_CSV));
    gridId = grid.id;
    all.push(carsDataset, grid);
    for (let i = 1; i <= 3; i++) {
      all.push(await gw.gateway.services.datasets.insert(`extra-${i}`, 'test', parseCsvTable(`n,label\n${i},row ${i}\n`)));
    }
  });

  afterAll(async () => {
    await gw?.close();
  });

  const visualization = async (
    id: string,
    vkind: VisualizationKind,
    column: string,
    more: { column2?: string; bins?: number } = {},
    headers?: Record<string, string>,
  ) => gw.gql(DatasetVisualizationDocument, { id, kind: vkind, column, column2: more.column2 ?? null, bins: more.bins ?? null }, { headers });

  it('computes Horsepower statistics equal to the ones computed from the raw cars.json', async () => {
    const horsepower = present(cars, 'Horsepower');
    const res = await gw.gql(DatasetStatisticsDocument, { id: carsId });
    expect(res.errors).toBeUndefined();
    const stats = res.data!.dataset!.statistics.find((s) => s.column === 'Horsepower')!;
    expect(stats).toBeDefined();
    expect(stats.count).toBe(horsepower.length);
    expect(stats.count).toBe(400);
    expect(stats.nullCount).toBe(cars.length - horsepower.length);
    expect(stats.distinct).toBe(new Set(horsepower).size);
    expect(stats.min).toBe(Math.min(...horsepower));
    expect(stats.max).toBe(Math.max(...horsepower));
    expect(stats.mean).toBeCloseTo(average(horsepower), 9);
    expect(stats.std).toBeCloseTo(sampleStd(horsepower), 9);
    expect(stats.p25).toBeCloseTo(numpyPercentile(horsepower, 0.25), 9);
    expect(stats.p50).toBeCloseTo(numpyPercentile(horsepower, 0.5), 9);
    expect(stats.p75).toBeCloseTo(numpyPercentile(horsepower, 0.75), 9);
  });

  it('reports statistics for every column, with null numeric fields for text columns', async () => {
    const res = await gw.gql(DatasetStatisticsDocument, { id: carsId });
    const stats = res.data!.dataset!.statistics;
    expect(stats.map((s) => s.column)).toEqual(Object.keys(cars[0]));
    const origin = stats.find((s) => s.column === 'Origin')!;
    expect(origin).toMatchObject({ count: cars.length, nullCount: 0, distinct: 3, mean: null, std: null, p50: null });
  });

  it('lists a correlation for every pair of numeric columns, with Pearson r over the rows both have', async () => {
    const res = await gw.gql(DatasetEdaDocument, { id: carsId });
    expect(res.errors).toBeUndefined();
    const { correlations } = res.data!.dataset!.eda;
    const numeric = numericColumns(cars);
    expect(numeric).toHaveLength(6);
    const expectedPairs: string[] = [];
    for (let i = 0; i < numeric.length; i++)
      for (let j = i + 1; j < numeric.length; j++) expectedPairs.push([numeric[i], numeric[j]].sort().join(' ~ '));
    const actualPairs = correlations.map((c) => [c.a, c.b].sort().join(' ~ '));
    expect(actualPairs.sort()).toEqual(expectedPairs.sort());

    const hpWeight = correlations.find((c) => [c.a, c.b].sort().join() === ['Horsepower', 'Weight_in_lbs'].sort().join())!;
    expect(hpWeight.r).toBeCloseTo(pearson(cars, 'Horsepower', 'Weight_in_lbs'), 9);
  });

  it('counts missing values per column exactly as the raw file has them', async () => {
    const res = await gw.gql(DatasetEdaDocument, { id: carsId });
    const missing = Object.fromEntries(res.data!.dataset!.eda.missing.map((m) => [m.column, m.count]));
    const expected = Object.fromEntries(
      Object.keys(cars[0]).map((name) => [name, cars.filter((r) => r[name] === null || r[name] === undefined).length]),
    );
    expect(missing).toEqual(expected);
    expect(missing.Miles_per_Gallon).toBe(8);
    expect(missing.Horsepower).toBe(6);
  });

  it('puts outlier fences at p25 − 1.5 IQR and p75 + 1.5 IQR and counts the values outside them', async () => {
    const res = await gw.gql(DatasetEdaDocument, { id: carsId });
    const { outliers } = res.data!.dataset!.eda;
    const numeric = numericColumns(cars);
    expect(outliers.map((o) => o.column).sort()).toEqual([...numeric].sort());
    for (const column of numeric) {
      const values = present(cars, column);
      const p25 = numpyPercentile(values, 0.25);
      const p75 = numpyPercentile(values, 0.75);
      const lower = p25 - 1.5 * (p75 - p25);
      const upper = p75 + 1.5 * (p75 - p25);
      const o = outliers.find((x) => x.column === column)!;
      expect({ column, lower: o.lower, upper: o.upper }).toEqual({ column, lower: expect.closeTo(lower, 9), upper: expect.closeTo(upper, 9) });
      expect({ column, count: o.count }).toEqual({ column, count: values.filter((v) => v < lower || v > upper).length });
    }
  });

  it('draws a 20-bin HISTOGRAM by default whose counts add up to the non-null count', async () => {
    const horsepower = present(cars, 'Horsepower');
    const res = await visualization(carsId, 'HISTOGRAM', 'Horsepower');
    expect(res.errors).toBeUndefined();
    const data = res.data!.dataset!.visualization.data as HistogramData;
    expect(data.bins).toHaveLength(20);
    expect(data.bins.reduce((sum, b) => sum + b.count, 0)).toBe(horsepower.length);
    expect(data.bins[0].x0).toBe(Math.min(...horsepower));
    expect(data.bins[19].x1).toBe(Math.max(...horsepower));
    for (let i = 1; i < data.bins.length; i++) expect(data.bins[i].x0).toBe(data.bins[i - 1].x1);
  });

  it('draws a HISTOGRAM with the number of bins asked for', async () => {
    const res = await visualization(carsId, 'HISTOGRAM', 'Acceleration', { bins: 7 });
    const data = res.data!.dataset!.visualization.data as HistogramData;
    expect(data.bins).toHaveLength(7);
    expect(data.bins.reduce((sum, b) => sum + b.count, 0)).toBe(present(cars, 'Acceleration').length);
  });

  it('samples a SCATTER of 5,000 rows down to at most 2,000 real points, the same points on every call', async () => {
    const first = await visualization(gridId, 'SCATTER', 'x', { column2: 'y' });
    expect(first.errors).toBeUndefined();
    const data = first.data!.dataset!.visualization.data as ScatterData;
    expect(data.total).toBe(GRID_ROWS);
    expect(data.points.length).toBeGreaterThan(0);
    expect(data.points.length).toBeLessThanOrEqual(2000);
    for (const p of data.points) expect(p.y).toBe(gridY(p.x));
    expect(new Set(data.points.map((p) => p.x)).size).toBe(data.points.length);

    // no-cache makes the gateway compute again rather than serve the first answer from the cache.
    const again = await visualization(gridId, 'SCATTER', 'x', { column2: 'y' }, { 'cache-control': 'no-cache' });
    expect(again.errors).toBeUndefined();
    expect(again.data!.dataset!.visualization.data).toEqual(data);
  });

  it('draws BAR charts of the most frequent categories with their counts', async () => {
    const origin = await visualization(carsId, 'BAR', 'Origin');
    expect(origin.errors).toBeUndefined();
    const originData = origin.data!.dataset!.visualization.data as BarData;
    const expectedOrigin = [...categoryCounts(cars, 'Origin')].map(([category, count]) => ({ category, count })).sort((a, b) => b.count - a.count);
    expect(originData.bars).toEqual(expectedOrigin);
    expect(originData.bars[0]).toEqual({ category: 'USA', count: 254 });
    expect(originData.otherCount).toBe(0);

    const name = await visualization(carsId, 'BAR', 'Name');
    const nameData = name.data!.dataset!.visualization.data as BarData;
    const nameCounts = categoryCounts(cars, 'Name');
    expect(nameData.bars.length).toBeLessThanOrEqual(20);
    for (const bar of nameData.bars)
      expect({ category: bar.category, count: bar.count }).toEqual({ category: bar.category, count: nameCounts.get(bar.category) });
    const shown = nameData.bars.reduce((sum, b) => sum + b.count, 0);
    expect(nameData.otherCount).toBe(cars.length - shown);
    // Every category left out is no more frequent than the least frequent one shown.
    const smallestShown = Math.min(...nameData.bars.map((b) => b.count));
    const shownNames = new Set(nameData.bars.map((b) => b.category));
    for (const [category, count] of nameCounts) if (!shownNames.has(category)) expect(count).toBeLessThanOrEqual(smallestShown);
  });

  it('answers BAD_USER_INPUT for a column the dataset does not have', async () => {
    const res = await visualization(carsId, 'HISTOGRAM', 'Torque');
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].message).toMatch(/Torque/);
  });

  it('answers BAD_USER_INPUT for a column of the wrong kind for the chart', async () => {
    expect(codes(await visualization(carsId, 'HISTOGRAM', 'Origin'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await visualization(carsId, 'BAR', 'Horsepower'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await visualization(carsId, 'SCATTER', 'Horsepower', { column2: 'Name' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await visualization(carsId, 'SCATTER', 'Horsepower'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await visualization(carsId, 'HISTOGRAM', 'Horsepower', { bins: 0 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await visualization(carsId, 'HISTOGRAM', 'Horsepower', { bins: 201 }))).toEqual(['BAD_USER_INPUT']);
  });

  it('returns null for dataset(id) when no dataset has that id, and BAD_USER_INPUT when it is not a dataset id', async () => {
    for (const id of ['987654', '2147483647']) {
      const res = await gw.gql(DatasetDocument, { id });
      expect(res.errors).toBeUndefined();
      expect({ id, dataset: res.data!.dataset }).toEqual({ id, dataset: null });
    }
    // Not a dataset id at all (PostgreSQL's integer is the bound): refused before any lookup.
    for (const id of ['not-a-number', '0', '2147483648', '99999999999'])
      expect({ id, codes: codes(await gw.gql(DatasetDocument, { id })) }).toEqual({ id, codes: ['BAD_USER_INPUT'] });
    const found = await gw.gql(DatasetDocument, { id: carsId });
    expect(found.data!.dataset).toMatchObject({ id: carsId, name: 'cars', rowCount: 406 });
  });

  it('pages through datasets in creation order with limit and offset', async () => {
    const ids = all.map((d) => d.id);
    const everything = await gw.gql(DatasetsDocument, {});
    expect(everything.errors).toBeUndefined();
    expect(everything.data!.datasets.map((d) => d.id)).toEqual(ids);

    const pages: string[][] = [];
    for (let offset = 0; offset < ids.length + 2; offset += 2) {
      const page = await gw.gql(DatasetsDocument, { limit: 2, offset });
      expect(page.errors).toBeUndefined();
      pages.push(page.data!.datasets.map((d) => d.id));
    }
    expect(pages).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4, 6), []]);
  });

  it('answers BAD_USER_INPUT for a datasets limit or offset out of range', async () => {
    for (const variables of [{ limit: 0 }, { limit: -1 }, { limit: 501 }, { limit: 10, offset: -1 }]) {
      const res = await gw.gql(DatasetsDocument, variables);
      expect({ variables, codes: codes(res) }).toEqual({ variables, codes: ['BAD_USER_INPUT'] });
    }
    const largest = await gw.gql(DatasetsDocument, { limit: 500 });
    expect(largest.errors).toBeUndefined();
  });
});
