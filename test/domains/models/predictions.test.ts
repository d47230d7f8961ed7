import { PredictDocument, TrainModelDocument } from '../../generated/graphql';
import { DATABASE_KINDS } from '../../helpers/databases';
import { addVegaDataset, vegaTable } from '../../helpers/datasets';
import { codes, startTestGateway, type TestGateway } from '../../helpers/gateway';
import { insertRun, PENGUIN_FEATURES, rowInput, waitForRun } from './helpers';

describe.each(DATABASE_KINDS)('predict answers with a COMPLETED run (%s)', (kind) => {
  let gw: TestGateway;
  let penguins: string;
  let runId: string;

  beforeAll(async () => {
    gw = await startTestGateway(kind);
    penguins = (await addVegaDataset(gw, 'penguins.json')).id;
    const token = await gw.token('predictor');
    runId = (await gw.gql(TrainModelDocument, { datasetId: penguins, target: 'Species', algorithm: 'DECISION_TREE' }, { token })).data!.trainModel.id;
    expect((await waitForRun(gw, runId)).status).toBe('COMPLETED');
  });
  afterAll(() => gw.close());

  const table = () => vegaTable('penguins.json');
  const species = (r: number) => table().data[table().columns.findIndex((c) => c.name === 'Species')][r];
  /** Rows where every feature is present, spread over the table (it is sorted by species). */
  const completeRows = () =>
    Array.from({ length: table().rowCount }, (_, r) => r).filter((r) =>
      Object.values(rowInput(table(), PENGUIN_FEATURES, r)).every((v) => v !== null),
    );

  it('gets rows of the dataset mostly right, with probabilities that sum to 1, most probable first', async () => {
    const rows = completeRows().filter((_, i) => i % 8 === 0);
    expect(rows.length).toBeGreaterThan(35);
    let right = 0;
    for (const r of rows) {
      const res = await gw.gql(PredictDocument, { modelRunId: runId, input: rowInput(table(), PENGUIN_FEATURES, r) });
      expect(res.errors).toBeUndefined();
      const { label, probabilities } = res.data!.predict;
      expect(probabilities.map((p) => p.label).sort()).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
      expect(probabilities[0].label).toBe(label);
      expect(probabilities.reduce((a, p) => a + p.p, 0)).toBeCloseTo(1, 9);
      const ps = probabilities.map((p) => p.p);
      expect(ps).toEqual([...ps].sort((a, b) => b - a));
      if (label === species(r)) right++;
    }
    expect(right / rows.length).toBeGreaterThan(0.9);
  });

  it('BAD_USER_INPUT naming missing, unexpected and mistyped features', async () => {
    const input = rowInput(table(), PENGUIN_FEATURES, completeRows()[0]);
    const { Sex: _sex, ...withoutSex } = input;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [withoutSex, /missing feature "Sex"/],
      [{ ...input, Tail: 3 }, /unexpected feature "Tail"/],
      [
        { ...input, Island: 3, 'Body Mass (g)': 'heavy' },
        /feature "Island" must be a string, got number 3; feature "Body Mass \(g\)" must be a finite number, got string "heavy"/,
      ],
      [{ ...input, 'Beak Length (mm)': null }, /feature "Beak Length \(mm\)" must be a finite number, got null/],
    ];
    for (const [bad, message] of cases) {
      const r = await gw.gql(PredictDocument, { modelRunId: runId, input: bad });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0].message).toMatch(message);
    }
  });

  it('FAILED_PRECONDITION for a run that is not COMPLETED, saying why', async () => {
    const base = { datasetId: penguins, target: 'Species', features: PENGUIN_FEATURES };
    const training = await insertRun(gw.gateway.db, { ...base, status: 'TRAINING', heartbeat: 'fresh' });
    const failed = await insertRun(gw.gateway.db, { ...base, status: 'FAILED', error: 'worker crashed' });
    const input = rowInput(table(), PENGUIN_FEATURES, completeRows()[0]);

    const notYet = await gw.gql(PredictDocument, { modelRunId: training, input });
    expect(codes(notYet)).toEqual(['FAILED_PRECONDITION']);
    expect(notYet.errors![0].message).toBe(`model run ${training} is TRAINING: it can predict once COMPLETED (poll modelRun(id) { status })`);

    const never = await gw.gql(PredictDocument, { modelRunId: failed, input });
    expect(codes(never)).toEqual(['FAILED_PRECONDITION']);
    expect(never.errors![0].message).toMatch(/FAILED \(worker crashed\) and has no model to predict with/);
  });

  it('NOT_FOUND for an unknown run; BAD_USER_INPUT for an id that cannot be one', async () => {
    const modelRunId = '00000000-0000-4000-8000-000000000000';
    const r = await gw.gql(PredictDocument, { modelRunId, input: {} });
    expect(codes(r)).toEqual(['NOT_FOUND']);
    expect(r.errors![0].message).toContain(modelRunId);
    const shapeless = await gw.gql(PredictDocument, { modelRunId: 'nope', input: {} });
    expect(codes(shapeless)).toEqual(['BAD_USER_INPUT']);
    expect(shapeless.errors![0].message).toContain('"nope"');
  });
});
