import { readFileSync } from 'node:fs';
import { vegaDataPath } from '../../../src/domains/datasets/dataset.seed';
import {
  AppendDatasetRowsDocument,
  CreateDatasetDocument,
  DatasetDocument,
  DatasetsDocument,
  DatasetStatisticsDocument,
  DeleteDatasetDocument,
} from '../../generated/graphql';
import { DATABASE_KINDS } from '../../helpers/databases';
import { codes, startTestGateway, type TestGateway } from '../../helpers/gateway';

const WEATHER_CSV = ['city,temperature,rainy,day', 'Oslo,4.5,true,2024-01-02', 'Lima,22,false,2024-01-03', 'Pune,,true,2024-01-04'].join('\n');

const FIFTY_MB = 50 * 1024 * 1024;
/** A well-formed CSV just over 50 MB: only its size is wrong. */
const oversizedCsv = (header: string, row: string) => `${header}\n${`${row}\n`.repeat(Math.ceil(FIFTY_MB / (row.length + 1)) + 1)}`;

describe.each(DATABASE_KINDS)('uploading datasets as CSV (%s)', (kind) => {
  let gw: TestGateway;
  let token: string;

  beforeAll(async () => {
    gw = await startTestGateway(kind);
    token = await gw.token('uploader');
  });

  afterAll(async () => {
    await gw?.close();
  });

  // auth null sends no Authorization header.
  const create = (name: string, csv: string, auth: string | null = token) =>
    gw.gql(CreateDatasetDocument, { name, csv }, { token: auth ?? undefined });
  const append = (id: string, csv: string, auth: string | null = token) =>
    gw.gql(AppendDatasetRowsDocument, { id, csv }, { token: auth ?? undefined });
  const remove = (id: string, auth: string | null = token) => gw.gql(DeleteDatasetDocument, { id }, { token: auth ?? undefined });

  async function createWeather(name = 'weather'): Promise<string> {
    const res = await create(name, WEATHER_CSV);
    expect(res.errors).toBeUndefined();
    return res.data!.createDataset.id;
  }

  /** Everything a failed mutation could have written: the datasets as the API lists them and the stored rows. */
  async function storedState() {
    const listed = await gw.gql(DatasetsDocument, { limit: 500 });
    expect(listed.errors).toBeUndefined();
    const [tables] = await gw.gateway.db.query<{ datasets: number; chunks: number; chunk_rows: number }>(
      `SELECT (SELECT count(*) FROM dataset)::int AS datasets,
              (SELECT count(*) FROM dataset_chunk)::int AS chunks,
              (SELECT COALESCE(sum(row_count), 0) FROM dataset_chunk)::int AS chunk_rows`,
    );
    return { datasets: listed.data!.datasets.map((d) => ({ id: d.id, rowCount: d.rowCount })), tables };
  }

  it('creates a dataset from CSV with each column type inferred from its values', async () => {
    const res = await create('  weather  ', WEATHER_CSV);
    expect(res.errors).toBeUndefined();
    const created = res.data!.createDataset;
    expect(created).toMatchObject({ name: 'weather', source: 'upload', rowCount: 3 });
    expect(created.columns).toEqual([
      { name: 'city', type: 'STRING' },
      { name: 'temperature', type: 'NUMBER' },
      { name: 'rainy', type: 'BOOLEAN' },
      { name: 'day', type: 'DATE' },
    ]);
    const read = await gw.gql(DatasetDocument, { id: created.id });
    expect(read.data!.dataset).toEqual({ id: created.id, name: 'weather', rowCount: 3, columns: created.columns });
    const stats = await gw.gql(DatasetStatisticsDocument, { id: created.id });
    const temperature = stats.data!.dataset!.statistics.find((s) => s.column === 'temperature')!;
    expect(temperature).toMatchObject({ count: 2, nullCount: 1, min: 4.5, max: 22, mean: 13.25 });
  });

  it('appends rows (columns in any order): rowCount grows and statistics follow', async () => {
    const id = await createWeather();
    // Read (and so cache) the statistics first: the append must make them stale.
    const before = await gw.gql(DatasetStatisticsDocument, { id });
    expect(before.data!.dataset!.statistics.find((s) => s.column === 'temperature')!.count).toBe(2);

    const res = await append(id, 'day,city,temperature,rainy\n2024-02-01,Rome,12,false\n2024-02-02,Kyiv,-3,true\n');
    expect(res.errors).toBeUndefined();
    expect(res.data!.appendDatasetRows).toEqual({ id, rowCount: 5 });

    const read = await gw.gql(DatasetDocument, { id });
    expect(read.data!.dataset!.rowCount).toBe(5);
    const after = await gw.gql(DatasetStatisticsDocument, { id });
    const stats = Object.fromEntries(after.data!.dataset!.statistics.map((s) => [s.column, s]));
    expect(stats.city).toMatchObject({ count: 5, nullCount: 0, distinct: 5 });
    expect(stats.temperature).toMatchObject({ count: 4, nullCount: 1, min: -3, max: 22 });
    expect(stats.temperature.mean).toBeCloseTo((4.5 + 22 + 12 - 3) / 4, 12);
  });

  it('deletes a dataset: dataset(id) is then null and its rows are gone', async () => {
    const id = await createWeather('short-lived');
    await gw.gql(DatasetStatisticsDocument, { id });
    const res = await remove(id);
    expect(res.errors).toBeUndefined();
    expect(res.data!.deleteDataset).toBe(true);

    expect((await gw.gql(DatasetDocument, { id })).data!.dataset).toBeNull();
    expect((await gw.gql(DatasetStatisticsDocument, { id })).data!.dataset).toBeNull();
    const listed = await gw.gql(DatasetsDocument, { limit: 500 });
    expect(listed.data!.datasets.map((d) => d.id)).not.toContain(id);
    const chunks = await gw.gateway.db.query('SELECT 1 FROM dataset_chunk WHERE dataset_id = $1', [Number(id)]);
    expect(chunks).toHaveLength(0);
  });

  describe('a CSV that cannot be stored is refused with BAD_USER_INPUT and nothing is written', () => {
    const binary = readFileSync(vegaDataPath('7zip.png')).toString('utf8');

    it.each([
      ['ragged rows', 'a,b\n1,2\n3\n4,5\n'],
      ['an empty CSV', ''],
      ['a blank CSV', '  \n\n'],
      ['a header without rows', 'a,b\n'],
      ['a column name used twice', 'a,a\n1,2\n'],
      ['an unterminated quote', 'a,b\n"1,2\n3,4\n'],
      ['binary content (a PNG image)', binary],
    ])('createDataset with %s', async (_what, csv) => {
      await createWeather('existing');
      const before = await storedState();
      const res = await create('refused', csv);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.data).toBeNull();
      expect(await storedState()).toEqual(before);
    });

    it('createDataset with a CSV over 50 MB', async () => {
      const before = await storedState();
      const res = await create('huge', oversizedCsv('a,b', '1,2'));
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].message).toMatch(/50 MB|at most 52428800/);
      expect(await storedState()).toEqual(before);
    });

    it.each([
      ['a missing column', 'city,temperature,rainy\nRome,12,false\n'],
      ['an extra column', 'city,temperature,rainy,day,wind\nRome,12,false,2024-02-01,3\n'],
      ['a renamed column', 'town,temperature,rainy,day\nRome,12,false,2024-02-01\n'],
      ['a text value in a NUMBER column', 'city,temperature,rainy,day\nRome,12,false,2024-02-01\nKyiv,warm,true,2024-02-02\n'],
      ['a non-boolean in a BOOLEAN column', 'city,temperature,rainy,day\nRome,12,maybe,2024-02-01\n'],
      ['a non-date in a DATE column', 'city,temperature,rainy,day\nRome,12,false,someday\n'],
      ['ragged rows', 'city,temperature,rainy,day\nRome,12,false\n'],
      ['an empty CSV', ''],
    ])('appendDatasetRows with %s', async (_what, csv) => {
      const id = await createWeather('append-target');
      const before = await storedState();
      const res = await append(id, csv);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(await storedState()).toEqual(before);
      expect((await gw.gql(DatasetDocument, { id })).data!.dataset!.rowCount).toBe(3);
    });

    it('appendDatasetRows with a CSV over 50 MB', async () => {
      const id = await createWeather('append-huge');
      const before = await storedState();
      const res = await append(id, oversizedCsv('city,temperature,rainy,day', 'Rome,12,false,2024-02-01'));
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(await storedState()).toEqual(before);
    });

    it('createDataset with a blank name', async () => {
      const before = await storedState();
      expect(codes(await create('   ', WEATHER_CSV))).toEqual(['BAD_USER_INPUT']);
      expect(await storedState()).toEqual(before);
    });
  });

  it('answers NOT_FOUND to append or delete of a dataset that does not exist', async () => {
    const before = await storedState();
    expect(codes(await append('987654', WEATHER_CSV))).toEqual(['NOT_FOUND']);
    expect(codes(await remove('987654'))).toEqual(['NOT_FOUND']);
    // Not a dataset id at all: refused before any lookup.
    expect(codes(await append('no-such-id', WEATHER_CSV))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await remove('no-such-id'))).toEqual(['BAD_USER_INPUT']);
    expect(await storedState()).toEqual(before);
  });

  it('answers UNAUTHENTICATED to the dataset mutations without a token, and writes nothing', async () => {
    const id = await createWeather('guarded');
    const before = await storedState();
    expect(codes(await create('anonymous', WEATHER_CSV, null))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await append(id, WEATHER_CSV, null))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await remove(id, null))).toEqual(['UNAUTHENTICATED']);
    expect(await storedState()).toEqual(before);
    expect((await gw.gql(DatasetDocument, { id })).data!.dataset!.rowCount).toBe(3);
  });
});
