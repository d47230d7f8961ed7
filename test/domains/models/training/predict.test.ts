import { ALGORITHMS, predict, trainModel } from '../../../../src/domains/models/training';
import { completeRows, DATASETS, rowInput, trainedOn, withColumn } from '../helpers';

describe('prediction', () => {
  describe.each(DATASETS)('on $name', (dataset) => {
    it('a random forest gets most training rows right (> 80 %)', () => {
      const table = dataset.table();
      const { model } = trainedOn(dataset, 'RANDOM_FOREST');
      const target = table.data[table.columns.findIndex((c) => c.name === dataset.target)];
      const rows = completeRows(table, [dataset.target, ...dataset.features]);
      const right = rows.filter((r) => predict(model, rowInput(table, dataset.features, r)).label === String(target[r]));
      expect(right.length / rows.length).toBeGreaterThan(0.8);
    });

    it.each(ALGORITHMS)('%s: probabilities cover every class, sum to 1, sorted, led by the label', (algorithm) => {
      const table = dataset.table();
      const { model, metrics } = trainedOn(dataset, algorithm);
      for (const r of completeRows(table, [dataset.target, ...dataset.features]).slice(0, 25)) {
        const { label, probabilities } = predict(model, rowInput(table, dataset.features, r));
        expect(probabilities.map((p) => p.label).sort()).toEqual([...metrics.classes].sort());
        expect(probabilities.reduce((a, p) => a + p.p, 0)).toBeCloseTo(1, 9);
        for (const { p } of probabilities) expect(p).toBeGreaterThanOrEqual(0);
        const ps = probabilities.map((p) => p.p);
        expect(ps).toEqual([...ps].sort((a, b) => b - a));
        expect(probabilities[0].label).toBe(label);
      }
    });
  });

  it('accepts a category value never seen in training', () => {
    const dataset = DATASETS[1];
    const { model } = trainedOn(dataset, 'LOGISTIC_REGRESSION');
    const input = rowInput(dataset.table(), dataset.features, 0);
    const prediction = predict(model, { ...input, Island: 'Atlantis' });
    expect(['Adelie', 'Chinstrap', 'Gentoo']).toContain(prediction.label);
  });

  it('takes boolean features as booleans and date features as ISO strings', () => {
    const table = DATASETS[0].table();
    const heavy = table.data[table.columns.findIndex((c) => c.name === 'Weight_in_lbs')].map((w) => (w === null ? null : (w as number) > 3000));
    const withHeavy = withColumn(table, 'Heavy', 'BOOLEAN', heavy);
    const { model, features } = trainModel(withHeavy, { target: 'Origin', features: ['Heavy', 'Year', 'Horsepower'], algorithm: 'KNN', seed: 3 });
    expect(features).toEqual(['Heavy', 'Year', 'Horsepower']);
    const prediction = predict(model, { Heavy: true, Year: '1975-01-01', Horsepower: 150 });
    expect(prediction.label).toBe('USA');
  });

  it('gives a forest the share of tree votes and KNN the share of neighbour votes', () => {
    const dataset = DATASETS[0];
    const input = rowInput(dataset.table(), dataset.features, 0);
    const forest = trainedOn(dataset, 'RANDOM_FOREST').model;
    const knn = trainedOn(dataset, 'KNN').model;
    const trees = JSON.parse(forest).estimator.baseModel.nEstimators as number;
    const neighbours = JSON.parse(knn).estimator.k as number;
    for (const { p } of predict(forest, input).probabilities) expect(p * trees).toBeCloseTo(Math.round(p * trees), 9);
    for (const { p } of predict(knn, input).probabilities) expect(p * neighbours).toBeCloseTo(Math.round(p * neighbours), 9);
  });
});
