import {
  DatasetModelRunsDocument,
  FeatureImportanceDocument,
  ModelRunDetailsDocument,
  ModelRunsDocument,
  ModelRunStatusDocument,
  TrainModelDocument,
} from '../../generated/graphql';
import { DATABASE_KINDS } from '../../helpers/databases';
import { addVegaDataset, vegaTable } from '../../helpers/datasets';
import { codes, startTestGateway, type TestGateway } from '../../helpers/gateway';
import { accuracyOf, CARS_FEATURES, insertRun, PENGUIN_FEATURES, waitForRun } from './helpers';

describe.each(DATABASE_KINDS)('trainModel (%s)', (kind) => {
  let gw: TestGateway;
  let token: string;
  let penguins: string;
  let cars: string;
  let manyClasses: string;

  beforeAll(async () => {
    gw = await startTestGateway(kind);
    token = await gw.token('trainer');
    penguins = (await addVegaDataset(gw, 'penguins.json')).id;
    cars = (await addVegaDataset(gw, 'cars.json')).id;
    const n = 120;
    manyClasses = (
      await gw.gateway.services.datasets.insert('ids', 'upload', {
        columns: [
          { name: 'x', type: 'NUMBER' },
          { name: 'code', type: 'STRING' },
        ],
        data: [Array.from({ length: n }, (_, i) => i), Array.from({ length: n }, (_, i) => `c${i % 60}`)],
        rowCount: n,
      })
    ).id;
  });
  afterAll(() => gw.close());

  describe('queues a run and trains it in the background', () => {
    it('returns the run QUEUED at once, then the trainer takes it to COMPLETED with completedAt and metrics', async () => {
      const queued = await gw.gql(TrainModelDocument, { datasetId: penguins, target: 'Species', algorithm: 'DECISION_TREE' }, { token });
      expect(queued.errors).toBeUndefined();
      const run = queued.data!.trainModel;
      expect(run).toMatchObject({
        status: 'QUEUED',
        completedAt: null,
        error: null,
        algorithm: 'DECISION_TREE',
        target: 'Species',
        features: PENGUIN_FEATURES,
        name: 'DECISION_TREE on penguins → Species',
        dataset: { id: penguins, name: 'penguins' },
      });
      expect(run.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

      const done = await waitForRun(gw, run.id);
      expect(done.status).toBe('COMPLETED');
      expect(done.error).toBeNull();
      expect(Date.parse(done.completedAt!)).toBeGreaterThanOrEqual(Date.parse(run.createdAt));

      const details = (await gw.gql(ModelRunDetailsDocument, { id: run.id })).data!.modelRun!;
      expect(details.startedAt).not.toBeNull();
      const m = details.metrics!;
      expect(m.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
      expect(m.confusionMatrix).toHaveLength(3);
      expect(m.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(m.testRows);
      expect(m.accuracy).toBeCloseTo(accuracyOf(m.confusionMatrix), 12);
      expect(m.accuracy).toBeGreaterThan(0.85);
      for (const score of [m.precision, m.recall, m.f1]) expect(score).toBeGreaterThan(0.8);
      // penguins has rows without a sex or measurements: they are dropped and counted.
      expect(m.droppedRows).toBeGreaterThan(0);
      expect(m.usableRows + m.droppedRows).toBe(vegaTable('penguins.json').rowCount);
      expect(m.trainRows + m.testRows).toBe(m.usableRows);
      expect(m.testRows).toBe(Math.round(m.usableRows * 0.2));
      expect(m.trainingMs).toBeGreaterThanOrEqual(0);
    });

    it('reports permutation importance highest first, every feature without topN and the top N with it', async () => {
      const run = (await gw.gql(TrainModelDocument, { datasetId: penguins, target: 'Species', algorithm: 'KNN' }, { token })).data!.trainModel;
      expect((await waitForRun(gw, run.id)).status).toBe('COMPLETED');
      const all = (await gw.gql(FeatureImportanceDocument, { id: run.id })).data!.modelRun!.featureImportance;
      expect(all.map((f) => f.feature).sort()).toEqual([...PENGUIN_FEATURES].sort());
      const values = all.map((f) => f.importance);
      expect(values).toEqual([...values].sort((a, b) => b - a));
      expect(values[0]).toBeGreaterThan(0);
      const top2 = (await gw.gql(FeatureImportanceDocument, { id: run.id, topN: 2 })).data!.modelRun!.featureImportance;
      expect(top2).toEqual(all.slice(0, 2));
    });

    it('marks a run FAILED with the error when the rows left after dropping nulls cannot train it', async () => {
      // Validation sees two classes, but every "a" row lacks x, so training is left with one.
      const rows = Array.from({ length: 40 }, (_, i) => (i % 2 ? { x: i, y: 'b' } : { x: null, y: 'a' }));
      const dataset = await gw.gateway.services.datasets.insert('half-empty', 'upload', {
        columns: [
          { name: 'x', type: 'NUMBER' },
          { name: 'y', type: 'STRING' },
        ],
        data: [rows.map((r) => r.x), rows.map((r) => r.y)],
        rowCount: rows.length,
      });
      const run = (
        await gw.gql(TrainModelDocument, { datasetId: dataset.id, target: 'y', features: ['x'], algorithm: 'LOGISTIC_REGRESSION' }, { token })
      ).data!.trainModel;
      expect(run.status).toBe('QUEUED');
      const failed = await waitForRun(gw, run.id);
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toMatch(/dropping 20 rows .*"y" has 1 distinct value/);
      expect(failed.completedAt).not.toBeNull();
      const details = (await gw.gql(ModelRunDetailsDocument, { id: run.id })).data!.modelRun!;
      expect(details.metrics).toBeNull();
      expect(details.featureImportance).toEqual([]);
    });

    it('caps training at 2,000 rows with a stratified sample, counted in trainRows and testRows', async () => {
      const n = 2_500;
      const x = Array.from({ length: n }, (_, i) => (i * 37) % 1000);
      const label = x.map((v) => (v < 300 ? 'low' : v < 700 ? 'mid' : 'high'));
      const dataset = await gw.gateway.services.datasets.insert('big', 'upload', {
        columns: [
          { name: 'x', type: 'NUMBER' },
          { name: 'band', type: 'STRING' },
        ],
        data: [x, label],
        rowCount: n,
      });
      const run = (await gw.gql(TrainModelDocument, { datasetId: dataset.id, target: 'band', algorithm: 'DECISION_TREE' }, { token })).data!
        .trainModel;
      expect(run.features).toEqual(['x']);
      expect((await waitForRun(gw, run.id)).status).toBe('COMPLETED');
      const m = (await gw.gql(ModelRunDetailsDocument, { id: run.id })).data!.modelRun!.metrics!;
      expect(m.usableRows).toBe(n);
      expect(m.trainRows + m.testRows).toBe(2_000);
      expect(m.testRows).toBe(400);
      // Stratified: the held-out part keeps the classes' shares (30 %, 40 %, 30 %).
      const perClass = Object.fromEntries(m.classes.map((c, i) => [c, m.confusionMatrix[i].reduce((a, b) => a + b, 0)]));
      expect(perClass).toEqual({ high: 120, low: 120, mid: 160 });
      expect(m.accuracy).toBeGreaterThan(0.95);
    });

    it('lists runs newest first, by dataset and status, and as Dataset.modelRuns', async () => {
      const mine = (await gw.gql(ModelRunsDocument, { datasetId: penguins })).data!.modelRuns;
      expect(mine.length).toBe(2);
      expect(mine.map((r) => r.algorithm)).toEqual(['KNN', 'DECISION_TREE']);
      const failed = (await gw.gql(ModelRunsDocument, { status: 'FAILED' })).data!.modelRuns;
      expect(failed.map((r) => r.status)).toEqual(['FAILED']);
      expect((await gw.gql(ModelRunsDocument, { status: 'COMPLETED' })).data!.modelRuns.map((r) => r.algorithm).sort()).toEqual([
        'DECISION_TREE',
        'DECISION_TREE',
        'KNN',
      ]);
      expect((await gw.gql(ModelRunsDocument, { limit: 1 })).data!.modelRuns).toHaveLength(1);
      const nested = (await gw.gql(DatasetModelRunsDocument, { id: penguins })).data!.dataset!.modelRuns;
      expect(nested.map((r) => r.id)).toEqual(mine.map((r) => r.id));
      expect((await gw.gql(DatasetModelRunsDocument, { id: penguins, limit: 1 })).data!.dataset!.modelRuns).toEqual([nested[0]]);
      expect((await gw.gql(ModelRunsDocument, { datasetId: '999999' })).data!.modelRuns).toEqual([]);
    });
  });

  describe('refuses what it cannot train', () => {
    const train = (vars: { datasetId?: string; target: string; features?: string[] | null; algorithm?: 'DECISION_TREE' | 'KNN' }, auth = true) =>
      gw.gql(
        TrainModelDocument,
        { datasetId: vars.datasetId ?? cars, target: vars.target, features: vars.features, algorithm: vars.algorithm ?? 'DECISION_TREE' },
        auth ? { token } : {},
      );

    it('NOT_FOUND for an unknown dataset, BAD_USER_INPUT for what is not a dataset id', async () => {
      const r = await train({ datasetId: '999999', target: 'Origin' });
      expect(codes(r)).toEqual(['NOT_FOUND']);
      expect(r.errors![0].message).toContain('999999');
      const malformed = await train({ datasetId: 'not-a-number', target: 'Origin' });
      expect(codes(malformed)).toEqual(['BAD_USER_INPUT']);
      expect(malformed.errors![0].message).toContain('not-a-number');
    });

    it('BAD_USER_INPUT naming an unknown target', async () => {
      const r = await train({ target: 'Colour' });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0].message).toMatch(/unknown target column "Colour"/);
    });

    it('BAD_USER_INPUT naming unknown features', async () => {
      const r = await train({ target: 'Origin', features: ['Horsepower', 'Torque', 'Wheels'] });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0].message).toMatch(/unknown feature columns "Torque", "Wheels"/);
    });

    it('BAD_USER_INPUT when a feature is the target', async () => {
      const r = await train({ target: 'Origin', features: ['Horsepower', 'Origin'] });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0].message).toMatch(/"Origin" is the target and cannot also be a feature/);
    });

    it('BAD_USER_INPUT for a target with more than 50 classes or fewer than 2', async () => {
      const many = await train({ datasetId: manyClasses, target: 'code', features: ['x'] });
      expect(codes(many)).toEqual(['BAD_USER_INPUT']);
      expect(many.errors![0].message).toMatch(/"code" has 60 distinct values; a classification target needs 2 to 50/);
      // Nulls are not a class: "same" is the only one.
      const single = await gw.gateway.services.datasets.insert('constant', 'upload', {
        columns: [
          { name: 'x', type: 'NUMBER' },
          { name: 'kind', type: 'STRING' },
        ],
        data: [
          [1, 2, 3, 4],
          ['same', 'same', 'same', null],
        ],
        rowCount: 4,
      });
      const few = await train({ datasetId: single.id, target: 'kind', features: ['x'] });
      expect(codes(few)).toEqual(['BAD_USER_INPUT']);
      expect(few.errors![0].message).toMatch(/"kind" has 1 distinct values/);
    });

    it('stores nothing for a refused request, and needs a signed-in user', async () => {
      const anonymous = await train({ target: 'Origin', features: CARS_FEATURES }, false);
      expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
      expect((await gw.gql(ModelRunsDocument, { datasetId: cars })).data!.modelRuns).toEqual([]);
    });

    it('modelRun is null for an unknown id, BAD_USER_INPUT for a malformed one', async () => {
      const r = await gw.gql(ModelRunStatusDocument, { id: '00000000-0000-4000-8000-000000000000' });
      expect(r.errors).toBeUndefined();
      expect(r.data!.modelRun).toBeNull();
      for (const id of ['nope', ''])
        expect({ id, codes: codes(await gw.gql(ModelRunStatusDocument, { id })) }).toEqual({ id, codes: ['BAD_USER_INPUT'] });
    });

    it('BAD_USER_INPUT for modelRuns limit outside 1..500 and featureImportance topN below 1', async () => {
      for (const limit of [0, 501]) expect(codes(await gw.gql(ModelRunsDocument, { limit }))).toEqual(['BAD_USER_INPUT']);
      const id = await insertRun(gw.gateway.db, { datasetId: cars, status: 'FAILED', target: 'Origin', features: CARS_FEATURES, error: 'test' });
      const r = await gw.gql(FeatureImportanceDocument, { id, topN: 0 });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0].message).toMatch(/topN must be 1 or more/);
    });
  });
});
