import { computeEda, MAX_CORRELATED_COLUMNS, parseCsvTable } from '../../../src/domains/datasets/compute';
import type { Table } from '../../../src/domains/datasets/table';
import { AppendDatasetRowsDocument, CreateDatasetDocument } from '../../generated/graphql';
import { DATABASE_KINDS } from '../../helpers/databases';
import { codes, startTestGateway, type TestGateway } from '../../helpers/gateway';

/** A CSV of `columns` numeric columns and `rows` rows. */
function wideCsv(columns: number, rows = 1): string {
  const header = Array.from({ length: columns }, (_, c) => `c${c}`).join(',');
  const lines = Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => (r * 31 + c * 7) % 97).join(','));
  return [header, ...lines].join('\n');
}

describe('the column limit of a CSV', () => {
  it('refuses a header wider than maxColumns with BAD_USER_INPUT naming both counts, before the rows are parsed', () => {
    // The second row is ragged: a parse of the rows would report that instead.
    expect(() => parseCsvTable(`${wideCsv(6, 1)}\n1`, { maxColumns: 5 })).toThrow(/CSV has more than 5 columns/);
    expect(parseCsvTable(wideCsv(5, 2), { maxColumns: 5 }).columns).toHaveLength(5);
  });

  it('counts a quoted field holding commas or a line break as one column', () => {
    expect(parseCsvTable('"a,b","c\nd"\n1,2', { maxColumns: 2 }).columns.map((c) => c.name)).toEqual(['a,b', 'c\nd']);
    expect(() => parseCsvTable('\n\n"a,b",c,d\n1,2,3', { maxColumns: 2 })).toThrow(/more than 2 columns/);
  });

  it('defaults to 1000 columns', () => {
    expect(parseCsvTable(wideCsv(1000)).columns).toHaveLength(1000);
    expect(() => parseCsvTable(wideCsv(1001))).toThrow(/more than 1000 columns/);
  });
});

describe('eda on a wide table', () => {
  const table = (columns: number, rows: number): Table => parseCsvTable(wideCsv(columns, rows), { maxColumns: Infinity });

  it(`correlates the first ${MAX_CORRELATED_COLUMNS} NUMBER columns only, and reports missing values and outliers for every column`, () => {
    const report = computeEda(table(60, 20));
    const n = MAX_CORRELATED_COLUMNS;
    expect(report.correlations).toHaveLength((n * (n - 1)) / 2);
    const named = new Set(report.correlations.flatMap((c) => [c.a, c.b]));
    expect([...named].sort()).toEqual(Array.from({ length: n }, (_, c) => `c${c}`).sort());
    expect(report.missing).toHaveLength(60);
    expect(report.outliers).toHaveLength(60);
  });

  it('correlates every pair below the cap', () => {
    expect(computeEda(table(10, 20)).correlations).toHaveLength(45);
  });
});

describe.each(DATABASE_KINDS)('dataset shape limits through the API (%s)', (kind) => {
  let gw: TestGateway;
  let token: string;

  beforeAll(async () => {
    gw = await startTestGateway(kind, { DATASET_MAX_COLUMNS: '5', DATASET_MAX_CSV_BYTES: '2048' });
    token = await gw.token('uploader');
  });
  afterAll(async () => {
    await gw?.close();
  });

  const stored = async () =>
    (await gw.gateway.db.query<{ n: number; rows: number }>('SELECT count(*)::int AS n, COALESCE(sum(row_count), 0)::int AS rows FROM dataset'))[0];

  it('refuses a CSV wider than DATASET_MAX_COLUMNS with BAD_USER_INPUT and stores nothing', async () => {
    const before = await stored();
    const res = await gw.gql(CreateDatasetDocument, { name: 'wide', csv: wideCsv(6) }, { token });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].message).toMatch(/more than 5 columns/);
    expect(await stored()).toEqual(before);
    expect((await gw.gql(CreateDatasetDocument, { name: 'fits', csv: wideCsv(5) }, { token })).errors).toBeUndefined();
  });

  it('refuses a CSV larger than DATASET_MAX_CSV_BYTES, on create and on append, and stores nothing', async () => {
    const created = await gw.gql(CreateDatasetDocument, { name: 'small', csv: wideCsv(2, 3) }, { token });
    const id = created.data!.createDataset.id;
    const before = await stored();
    const big = wideCsv(2, 400);
    expect(Buffer.byteLength(big)).toBeGreaterThan(2048);
    const refusedCreate = await gw.gql(CreateDatasetDocument, { name: 'big', csv: big }, { token });
    expect(codes(refusedCreate)).toEqual(['BAD_USER_INPUT']);
    expect(refusedCreate.errors![0].message).toMatch(/2048/);
    expect(codes(await gw.gql(AppendDatasetRowsDocument, { id, csv: big }, { token }))).toEqual(['BAD_USER_INPUT']);
    expect(await stored()).toEqual(before);
  });
});
