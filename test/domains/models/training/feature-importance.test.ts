import { trainModel, type Algorithm } from '../../../../src/domains/models/training';
import { seededRandom } from '../../../../src/domains/models/training/rng';
import { DATASETS, trainedOn, withColumn } from '../helpers';

describe('permutation feature importance', () => {
  describe.each(DATASETS)('on $name', (dataset) => {
    const withNoise = () => {
      const random = seededRandom(2024);
      const table = dataset.table();
      return withColumn(
        table,
        'noise',
        'NUMBER',
        Array.from({ length: table.rowCount }, () => random()),
      );
    };

    // KNN is left out on purpose: it weighs every standardised column equally in its distances,
    // so a noise column really does change its neighbours and its predictions.
    it.each<Algorithm>(['RANDOM_FOREST', 'DECISION_TREE', 'LOGISTIC_REGRESSION'])(
      '%s: a pure-noise column scores near 0, below the informative features',
      (algorithm) => {
        const { featureImportance } = trainModel(withNoise(), {
          target: dataset.target,
          features: [...dataset.features, 'noise'],
          algorithm,
          seed: 11,
        });
        const noise = featureImportance.find((f) => f.feature === 'noise')!;
        expect(Math.abs(noise.importance)).toBeLessThan(0.03);
        // Informative features overlap (weight, displacement and horsepower tell much the same),
        // so some score near 0 too; the leading ones must clearly beat the noise.
        const [first, second] = featureImportance;
        expect(first.importance).toBeGreaterThan(0.15);
        expect(second.feature).not.toBe('noise');
        expect(second.importance).toBeGreaterThan(noise.importance);
      },
    );

    it('lists each original feature once, a one-hot encoded one included, sorted highest first', () => {
      const { featureImportance } = trainedOn(dataset, 'RANDOM_FOREST');
      expect(featureImportance.map((f) => f.feature).sort()).toEqual([...dataset.features].sort());
      const values = featureImportance.map((f) => f.importance);
      expect(values).toEqual([...values].sort((a, b) => b - a));
    });
  });

  it('shuffles the columns of a one-hot encoded feature together and reports it under its own name', () => {
    // Only Gentoo live on Biscoe alone, so a species model given the island leans on it.
    const { featureImportance } = trainModel(DATASETS[1].table(), {
      target: 'Species',
      features: ['Island', 'Body Mass (g)'],
      algorithm: 'DECISION_TREE',
      seed: 5,
    });
    expect(featureImportance.map((f) => f.feature)).toEqual(expect.arrayContaining(['Island', 'Body Mass (g)']));
    expect(featureImportance.find((f) => f.feature === 'Island')!.importance).toBeGreaterThan(0.1);
  });
});
