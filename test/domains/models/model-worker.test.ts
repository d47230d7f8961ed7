import path from 'node:path';
import { WorkerPool } from '../../../src/lib/worker-pool';
import type { ModelJobs } from '../../../src/domains/models/model.worker';
import { cars, CARS_FEATURES, rowInput } from './helpers';

describe('model worker', () => {
  const pool = new WorkerPool<ModelJobs>(path.join(__dirname, '../../../src/domains/models/model.worker'));
  afterAll(() => pool.close());

  it('trains and predicts in a worker thread', async () => {
    const trained = await pool.run('train', {
      table: cars(),
      target: 'Origin',
      features: CARS_FEATURES,
      algorithm: 'DECISION_TREE',
      seed: 42,
    });
    expect(trained.metrics.classes).toEqual(['Europe', 'Japan', 'USA']);
    expect(trained.metrics.accuracy).toBeGreaterThan(0.7);

    const prediction = await pool.run('predict', { model: trained.model, input: rowInput(cars(), CARS_FEATURES, 0) });
    expect(prediction.label).toBe('USA');
  });

  it('hands bad input back with the code BAD_USER_INPUT', async () => {
    const job = pool.run('train', { table: cars(), target: 'Colour', algorithm: 'KNN', seed: 1 });
    await expect(job).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('"Colour"') });
  });
});
