import { contentId } from '../../src/domains/emg/emg.service';
import {
  AppendDatasetRowsDocument,
  CreateDatasetDocument,
  DeleteDatasetDocument,
  DeleteEmgRecordingDocument,
  DeleteModelRunDocument,
  RetrainModelRunDocument,
  TrainModelDocument,
  UploadEmgRecordingDocument,
} from '../generated/graphql';
import { DATABASE_KINDS } from '../helpers/databases';
import { base64 } from '../helpers/encoding';
import { codes, startTestGateway, type TestGateway } from '../helpers/gateway';
import { sineCsv } from './emg/helpers';
import { CARS_FEATURES, cars, insertRun, waitForRun } from './models/helpers';

const ALICE = { id: 'alice', role: 'user' } as const;
const SMALL_CSV = 'x,y\n1,2\n3,4';

describe.each(DATABASE_KINDS)('ownership of datasets, EMG recordings and model runs (%s)', (kind) => {
  let gw: TestGateway;
  let alice: string;
  let bob: string;
  let admin: string;
  /** Created through the API by alice. */
  let aliceDataset: string;
  let aliceRecording: string;
  let aliceRun: string;
  /** Written without a user, as the first-start seed writes: the system's. */
  let seededDataset: string;
  let seededRecording: string;
  let seededRun: string;

  beforeAll(async () => {
    gw = await startTestGateway(kind);
    [alice, bob, admin] = await Promise.all([gw.token('alice'), gw.token('bob'), gw.token('root', 'admin')]);

    const created = await gw.gql(CreateDatasetDocument, { name: 'alice', csv: SMALL_CSV }, { token: alice });
    aliceDataset = created.data!.createDataset.id;
    const uploaded = await gw.gql(
      UploadEmgRecordingDocument,
      { name: 'alice', format: 'CSV', contentBase64: base64(sineCsv([60], 1000, 0.3)) },
      { token: alice },
    );
    aliceRecording = uploaded.data!.uploadEmgRecording.id;
    const carsOfAlice = (await gw.gateway.services.datasets.insert('cars', 'upload', cars(), ALICE)).id;
    const trained = await gw.gql(
      TrainModelDocument,
      { datasetId: carsOfAlice, target: 'Origin', features: CARS_FEATURES, algorithm: 'DECISION_TREE' },
      { token: alice },
    );
    aliceRun = trained.data!.trainModel.id;
    expect((await waitForRun(gw, aliceRun)).status).toBe('COMPLETED');

    seededDataset = (await gw.gateway.services.datasets.insert('seeded', 'vega-datasets/cars.json', cars())).id;
    const bytes = new TextEncoder().encode(sineCsv([70], 1000, 0.3));
    seededRecording = (await gw.gateway.services.emg.store('seeded', 'CSV', bytes)).id;
    expect(seededRecording).toBe(await contentId(bytes));
    seededRun = await insertRun(gw.gateway.db, {
      datasetId: seededDataset,
      status: 'FAILED',
      target: 'Origin',
      features: CARS_FEATURES,
      error: 'seeded',
    });
    await gw.settled();
  });
  afterAll(async () => {
    await gw?.close();
  });

  /** Everything a refused mutation could have changed: rows, row counts, run states, and the cache's invalidation log. */
  async function state() {
    const [counts] = await gw.gateway.db.query(
      `SELECT (SELECT count(*) FROM dataset)::int AS datasets,
              (SELECT count(*) FROM dataset_chunk)::int AS chunks,
              (SELECT COALESCE(sum(row_count), 0) FROM dataset)::int AS rows,
              (SELECT count(*) FROM emg_recording)::int AS recordings,
              (SELECT count(*) FROM cache_invalidation_log)::int AS logged`,
    );
    const runs = await gw.gateway.db.query('SELECT id, status, attempts, completed_at FROM model_run ORDER BY id');
    return { counts, runs };
  }

  it('records the creator as owner, and the system (NULL) for rows written without a user', async () => {
    const owners = async (table: string, id: string) => (await gw.gateway.db.query(`SELECT owner FROM ${table} WHERE id = $1`, [id]))[0]?.owner;
    expect(await owners('dataset', aliceDataset)).toBe('alice');
    expect(await owners('emg_recording', aliceRecording)).toBe('alice');
    expect(await owners('model_run', aliceRun)).toBe('alice');
    expect(await owners('dataset', seededDataset)).toBeNull();
    expect(await owners('emg_recording', seededRecording)).toBeNull();
    expect(await owners('model_run', seededRun)).toBeNull();
  });

  describe.each([
    ['alice’s', () => ({ dataset: aliceDataset, recording: aliceRecording, run: aliceRun })],
    ['seeded', () => ({ dataset: seededDataset, recording: seededRecording, run: seededRun })],
  ])('bob (role user) on %s', (_whose, ids) => {
    it.each([
      ['appendDatasetRows', () => gw.gql(AppendDatasetRowsDocument, { id: ids().dataset, csv: 'x,y\n5,6' }, { token: bob })],
      ['deleteDataset', () => gw.gql(DeleteDatasetDocument, { id: ids().dataset }, { token: bob })],
      ['deleteEmgRecording', () => gw.gql(DeleteEmgRecordingDocument, { id: ids().recording }, { token: bob })],
      ['deleteModelRun', () => gw.gql(DeleteModelRunDocument, { id: ids().run }, { token: bob })],
      ['retrainModelRun', () => gw.gql(RetrainModelRunDocument, { id: ids().run }, { token: bob })],
    ])('%s is FORBIDDEN and changes nothing', async (_mutation, send) => {
      const before = await state();
      const res = await send();
      expect(codes(res)).toEqual(['FORBIDDEN']);
      expect(res.data).toBeNull();
      expect(res.errors![0].message).not.toContain('alice');
      await gw.settled();
      expect(await state()).toEqual(before);
    });
  });

  it('an append that does not even parse is FORBIDDEN for bob, not BAD_USER_INPUT: ownership is checked before the worker parses', async () => {
    const res = await gw.gql(AppendDatasetRowsDocument, { id: aliceDataset, csv: 'not,the,columns\n1' }, { token: bob });
    expect(codes(res)).toEqual(['FORBIDDEN']);
  });

  it('alice appends to, retrains and deletes what she created; the invalidation log records each write', async () => {
    const logged = async () => (await state()).counts.logged as number;
    let before = await logged();
    const appended = await gw.gql(AppendDatasetRowsDocument, { id: aliceDataset, csv: 'x,y\n5,6' }, { token: alice });
    expect(appended.data!.appendDatasetRows.rowCount).toBe(3);
    expect(await logged()).toBeGreaterThan(before);

    before = await logged();
    const retrained = await gw.gql(RetrainModelRunDocument, { id: aliceRun }, { token: alice });
    expect(retrained.errors).toBeUndefined();
    expect(retrained.data!.retrainModelRun).toMatchObject({ id: aliceRun, status: 'QUEUED', completedAt: null });
    expect(await logged()).toBeGreaterThan(before);
    expect((await waitForRun(gw, aliceRun)).status).toBe('COMPLETED');

    expect((await gw.gql(DeleteModelRunDocument, { id: aliceRun }, { token: alice })).data!.deleteModelRun).toBe(true);
    expect((await gw.gql(DeleteEmgRecordingDocument, { id: aliceRecording }, { token: alice })).data!.deleteEmgRecording).toBe(true);
    expect((await gw.gql(DeleteDatasetDocument, { id: aliceDataset }, { token: alice })).data!.deleteDataset).toBe(true);
    const left = await gw.gateway.db.query(
      `SELECT (SELECT count(*) FROM dataset WHERE id = $1)::int + (SELECT count(*) FROM emg_recording WHERE id = $2)::int
            + (SELECT count(*) FROM model_run WHERE id = $3)::int AS n`,
      [Number(aliceDataset), aliceRecording, aliceRun],
    );
    expect(left[0].n).toBe(0);
  });

  it('a run still QUEUED or TRAINING cannot be retrained, even by its owner', async () => {
    const id = await insertRun(gw.gateway.db, {
      datasetId: seededDataset,
      status: 'TRAINING',
      heartbeat: 'fresh',
      target: 'Origin',
      features: CARS_FEATURES,
    });
    const res = await gw.gql(RetrainModelRunDocument, { id }, { token: admin });
    expect(codes(res)).toEqual(['FAILED_PRECONDITION']);
    await gw.gateway.db.query('DELETE FROM model_run WHERE id = $1', [id]);
  });

  it('an admin changes and deletes the system’s', async () => {
    const appended = await gw.gql(
      AppendDatasetRowsDocument,
      {
        id: seededDataset,
        csv:
          cars()
            .columns.map((c) => c.name)
            .join(',') +
          '\n' +
          ',,,,1,,,,',
      },
      { token: admin },
    );
    expect(appended.errors).toBeUndefined();
    expect(appended.data!.appendDatasetRows.rowCount).toBe(cars().rowCount + 1);
    expect((await gw.gql(RetrainModelRunDocument, { id: seededRun }, { token: admin })).data!.retrainModelRun.status).toBe('QUEUED');
    expect((await gw.gql(DeleteModelRunDocument, { id: seededRun }, { token: admin })).data!.deleteModelRun).toBe(true);
    expect((await gw.gql(DeleteEmgRecordingDocument, { id: seededRecording }, { token: admin })).data!.deleteEmgRecording).toBe(true);
    expect((await gw.gql(DeleteDatasetDocument, { id: seededDataset }, { token: admin })).data!.deleteDataset).toBe(true);
  });
});
