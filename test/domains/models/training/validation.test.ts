import { predict, trainModel, validateTrainingRequest } from '../../../../src/domains/models/training';
import type { Table } from '../../../../src/domains/datasets/table';
import { cars, CARS_FEATURES, DATASETS, PENGUIN_FEATURES, penguins, rowInput, trainedOn, withColumn } from '../helpers';
import { inputErrorFrom } from '../../../helpers/input-error';

describe('training request validation', () => {
  it('rejects an unknown target column, naming it', () => {
    const err = inputErrorFrom(() => validateTrainingRequest(cars(), { target: 'Colour', algorithm: 'KNN' }));
    expect(err.message).toContain('"Colour"');
  });

  it('rejects unknown feature columns, naming each', () => {
    const err = inputErrorFrom(() =>
      validateTrainingRequest(cars(), { target: 'Origin', features: ['Horsepower', 'Torque', 'Colour'], algorithm: 'KNN' }),
    );
    expect(err.message).toContain('"Torque"');
    expect(err.message).toContain('"Colour"');
    expect(err.details).toEqual({ unknown: ['Torque', 'Colour'] });
  });

  it('rejects the target as a feature', () => {
    const err = inputErrorFrom(() => validateTrainingRequest(cars(), { target: 'Origin', features: ['Horsepower', 'Origin'], algorithm: 'KNN' }));
    expect(err.message).toContain('"Origin"');
  });

  it('rejects a target with more than 50 classes, naming the count', () => {
    const distinctNames = new Set(cars().data[0]).size;
    const err = inputErrorFrom(() => validateTrainingRequest(cars(), { target: 'Name', algorithm: 'RANDOM_FOREST' }));
    expect(err.message).toContain(`${distinctNames} distinct values`);
  });

  it('rejects a target with a single class, naming the count', () => {
    const table = withColumn(cars(), 'Wheels', 'NUMBER', new Array(cars().rowCount).fill(4));
    const err = inputErrorFrom(() => validateTrainingRequest(table, { target: 'Wheels', algorithm: 'DECISION_TREE' }));
    expect(err.message).toContain('1 distinct value');
  });

  it('rejects a target left with one class once rows with missing features are dropped', () => {
    const table: Table = {
      columns: [
        { name: 'x', type: 'NUMBER' },
        { name: 'y', type: 'STRING' },
      ],
      data: [
        [1, 2, 3, null, null],
        ['a', 'a', 'a', 'b', 'b'],
      ],
      rowCount: 5,
    };
    const err = inputErrorFrom(() => trainModel(table, { target: 'y', algorithm: 'DECISION_TREE', seed: 1 }));
    expect(err.message).toContain('1 distinct value');
  });

  it('rejects an unknown algorithm and a seed that is not a 32-bit integer', () => {
    inputErrorFrom(() => validateTrainingRequest(cars(), { target: 'Origin', algorithm: 'SVM' as never }));
    inputErrorFrom(() => trainModel(cars(), { target: 'Origin', algorithm: 'KNN', seed: 1.5 }));
  });

  it('rejects a string feature with too many categories to one-hot encode', () => {
    const err = inputErrorFrom(() => validateTrainingRequest(cars(), { target: 'Origin', features: ['Name'], algorithm: 'KNN' }));
    expect(err.message).toContain('"Name"');
  });

  describe('without features', () => {
    it('uses every number, date and boolean column and the categorical string columns, not identifiers', () => {
      expect(validateTrainingRequest(cars(), { target: 'Origin', algorithm: 'KNN' })).toEqual([...CARS_FEATURES, 'Year']);
      expect(validateTrainingRequest(penguins(), { target: 'Species', features: [], algorithm: 'KNN' })).toEqual(PENGUIN_FEATURES);
    });

    it('leaves out columns with a single value', () => {
      const table = withColumn(cars(), 'Wheels', 'NUMBER', new Array(cars().rowCount).fill(4));
      expect(validateTrainingRequest(table, { target: 'Origin', algorithm: 'KNN' })).not.toContain('Wheels');
    });
  });
});

describe('prediction input validation', () => {
  const dataset = DATASETS[1];
  const model = () => trainedOn(dataset, 'DECISION_TREE').model;
  const validInput = () => rowInput(dataset.table(), dataset.features, 0);

  it('rejects a missing feature, naming it', () => {
    const { 'Body Mass (g)': _, ...input } = validInput();
    const err = inputErrorFrom(() => predict(model(), input));
    expect(err.message).toContain('missing feature "Body Mass (g)"');
    expect(err.details).toMatchObject({ missing: ['Body Mass (g)'] });
  });

  it('rejects an extra feature, naming it', () => {
    const err = inputErrorFrom(() => predict(model(), { ...validInput(), Tail: 3 }));
    expect(err.message).toContain('unexpected feature "Tail"');
    expect(err.details).toMatchObject({ unexpected: ['Tail'] });
  });

  it.each([
    ['a string for a number', 'Beak Length (mm)', '39.1'],
    ['null for a number', 'Flipper Length (mm)', null],
    ['NaN for a number', 'Body Mass (g)', Number.NaN],
    ['a number for a category', 'Island', 3],
  ])('rejects %s, naming the feature', (_, feature, value) => {
    const err = inputErrorFrom(() => predict(model(), { ...validInput(), [feature]: value }));
    expect(err.message).toContain(`feature "${feature}" must be`);
    expect(err.details).toMatchObject({ mistyped: [feature] });
  });

  it('reports every problem at once', () => {
    const { Sex: _, ...input } = validInput();
    const err = inputErrorFrom(() => predict(model(), { ...input, Island: true, Tail: 3 }));
    expect(err.details).toEqual({ missing: ['Sex'], unexpected: ['Tail'], mistyped: ['Island'] });
  });

  it('rejects an input that is not an object', () => {
    inputErrorFrom(() => predict(model(), null as never));
    inputErrorFrom(() => predict(model(), [1, 2] as never));
  });
});
