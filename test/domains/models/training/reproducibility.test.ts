import { ALGORITHMS, trainModel, type TrainedModel } from '../../../../src/domains/models/training';
import { DATASETS } from '../helpers';

/** Everything but the wall-clock training time. */
function deterministicPart({ metrics: { trainingMs: _trainingMs, ...metrics }, ...rest }: TrainedModel) {
  return { ...rest, metrics };
}

describe('training reproducibility', () => {
  describe.each(DATASETS)('on $name', ({ table, target, features }) => {
    it.each(ALGORITHMS)('%s: the same seed gives identical metrics, importance and model', (algorithm) => {
      const first = trainModel(table(), { target, features, algorithm, seed: 7 });
      const second = trainModel(table(), { target, features, algorithm, seed: 7 });
      expect(deterministicPart(second)).toEqual(deterministicPart(first));
      expect(second.model).toBe(first.model);
    });
  });

  it('a different seed gives a different split', () => {
    const { table, target, features } = DATASETS[0];
    const a = trainModel(table(), { target, features, algorithm: 'DECISION_TREE', seed: 1 });
    const b = trainModel(table(), { target, features, algorithm: 'DECISION_TREE', seed: 2 });
    // Same class sizes (stratified), different rows: the trained trees differ.
    expect(b.metrics.testRows).toBe(a.metrics.testRows);
    expect(b.model).not.toBe(a.model);
  });
});
