import { runSeeds } from '../../../src/db/seed';
import { seedsOf } from '../../../src/domains';
import { seedModelRuns } from '../../../src/domains/models/model.seed';
import { createLogger } from '../../../src/logger';
import { ModelRunDetailsDocument, ModelRunsDocument, PredictDocument, TrainModelDocument } from '../../generated/graphql';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../helpers/databases';
import { addVegaDataset, vegaTable } from '../../helpers/datasets';
import { startTestGateway, type TestGateway } from '../../helpers/gateway';
import { CARS_FEATURES, insertRun, PENGUIN_FEATURES, rowInput, waitForRun } from './helpers';

const silent = createLogger('silent');

describe.each(DATABASE_KINDS)('on start, the models domain (%s)', (kind) => {
  let testDb: TestDatabase;
  let gw: TestGateway | undefined;
  let cars: string;
  let penguins: string;

  beforeAll(async () => {
    testDb = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await gw?.close();
    await testDb.dispose();
  });

  /** Stops the running gateway (if any) and starts another on the same database: a restart. */
  async function restart(): Promise<TestGateway> {
    await gw?.close();
    gw = await startTestGateway(testDb.db);
    return gw;
  }

  const statusInDb = async (id: string) =>
    (
      await testDb.db.query<{ status: string; attempts: number; error: string | null }>(
        'SELECT status, attempts, error FROM model_run WHERE id = $1',
        [id],
      )
    )[0];

  it('queues decision trees and forests on cars and penguins on first start, after the vega datasets, and trains them', async () => {
    const g = await restart();
    const names = seedsOf(g.gateway.services).map((s) => s.name);
    expect(names.indexOf('model-runs')).toBeGreaterThan(names.indexOf('vega-datasets'));
    cars = (await addVegaDataset(g, 'cars.json')).id;
    penguins = (await addVegaDataset(g, 'penguins.json')).id;

    const ran = await runSeeds(
      testDb.db,
      seedsOf(g.gateway.services).filter((s) => s.name === 'model-runs'),
      silent,
    );
    expect(ran).toEqual(['model-runs']);
    const runs = (await g.gql(ModelRunsDocument, {})).data!.modelRuns;
    expect(runs.map((r) => r.name).sort()).toEqual([
      'DECISION_TREE on cars → Origin',
      'DECISION_TREE on penguins → Species',
      'RANDOM_FOREST on cars → Origin',
      'RANDOM_FOREST on penguins → Species',
    ]);
    // Seeding again (an interrupted first start) queues nothing twice.
    await seedModelRuns(g.gateway.services.models, { db: testDb.db, progress: () => undefined });
    expect((await g.gql(ModelRunsDocument, {})).data!.modelRuns).toHaveLength(4);

    // Oldest first: the tree on cars trains first. The others are not needed further (forests take seconds).
    const carsTree = runs.find((r) => r.name === 'DECISION_TREE on cars → Origin')!;
    expect((await waitForRun(g, carsTree.id)).status).toBe('COMPLETED');
    expect((await g.gql(ModelRunDetailsDocument, { id: carsTree.id })).data!.modelRun!.features).toEqual(CARS_FEATURES);
    // Seeded runs belong to the system: only an admin may delete them.
    for (const run of runs) if (run !== carsTree) await g.gateway.services.models.delete(run.id, { id: 'root', role: 'admin' });
  });

  it('re-queues and trains a run a dead gateway left TRAINING, and fails one interrupted too often', async () => {
    const base = { datasetId: penguins, target: 'Species', features: PENGUIN_FEATURES };
    const orphan = await insertRun(testDb.db, { ...base, status: 'TRAINING', heartbeat: 'none', attempts: 1 });
    const cursed = await insertRun(testDb.db, { ...base, status: 'TRAINING', heartbeat: 'none', attempts: 3 });

    const g = await restart();
    expect(await waitForRun(g, orphan)).toMatchObject({ status: 'COMPLETED', error: null });
    expect((await statusInDb(orphan)).attempts).toBe(2);
    const failed = await waitForRun(g, cursed);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatch(/interrupted 3 times/);
    expect(failed.completedAt).not.toBeNull();
  });

  it('gives the run it is training back to the queue when it stops, and the next start trains it', async () => {
    let g = await restart();
    const token = await g.token('operator');
    const { id } = (await g.gql(TrainModelDocument, { datasetId: cars, target: 'Origin', features: CARS_FEATURES, algorithm: 'KNN' }, { token }))
      .data!.trainModel;
    await waitForRun(g, id, ['TRAINING', 'COMPLETED']);
    await g.close();
    gw = undefined;
    // Stopped mid-training it is QUEUED again (COMPLETED if training won the race): never left TRAINING.
    expect(['QUEUED', 'COMPLETED']).toContain((await statusInDb(id)).status);

    g = await restart();
    expect((await waitForRun(g, id)).status).toBe('COMPLETED');
    expect((await statusInDb(id)).attempts).toBe(1);
  });

  it('predicts with models trained before the restart: they are stored in the database', async () => {
    const g = await restart();
    const [tree] = (await g.gql(ModelRunsDocument, { datasetId: cars, status: 'COMPLETED' })).data!.modelRuns.filter(
      (r) => r.algorithm === 'DECISION_TREE',
    );
    expect(tree).toBeDefined();
    const table = vegaTable('cars.json');
    const origin = table.columns.findIndex((c) => c.name === 'Origin');
    const r = await g.gql(PredictDocument, { modelRunId: tree.id, input: rowInput(table, CARS_FEATURES, 0) });
    expect(r.errors).toBeUndefined();
    expect(r.data!.predict.label).toBe(table.data[origin][0]);
  });
});
