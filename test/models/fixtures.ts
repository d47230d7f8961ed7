import { trainModel, type Algorithm, type TrainedModel } from '../../src/domains/models/training';
import type { CellValue, Table } from '../../src/domains/datasets/table';
import { CARS_FEATURES, loadVegaTable } from './load-dataset';

export { CARS_FEATURES };
export const PENGUIN_FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];

let carsTable: Table | undefined;
let penguinsTable: Table | undefined;
export const cars = (): Table => (carsTable ??= loadVegaTable('cars.json'));
export const penguins = (): Table => (penguinsTable ??= loadVegaTable('penguins.json'));

export interface DatasetCase {
  name: string;
  table: () => Table;
  target: string;
  features: string[];
}

export const DATASETS: DatasetCase[] = [
  { name: 'cars', table: cars, target: 'Origin', features: CARS_FEATURES },
  { name: 'penguins', table: penguins, target: 'Species', features: PENGUIN_FEATURES },
];

const trained = new Map<string, TrainedModel>();

/** Trains once per dataset, algorithm and seed within a test file: a forest takes about a second. */
export function trainedOn(dataset: DatasetCase, algorithm: Algorithm, seed = 42): TrainedModel {
  const key = `${dataset.name}/${algorithm}/${seed}`;
  let model = trained.get(key);
  if (!model) {
    model = trainModel(dataset.table(), { target: dataset.target, features: dataset.features, algorithm, seed });
    trained.set(key, model);
  }
  return model;
}

/** Row r of the table as a prediction input over `features`. */
export function rowInput(table: Table, features: string[], r: number): Record<string, CellValue> {
  return Object.fromEntries(features.map((f) => [f, table.data[table.columns.findIndex((c) => c.name === f)][r]]));
}

/** Row indices whose target and features are all non-null. */
export function completeRows(table: Table, columns: string[]): number[] {
  const idx = columns.map((name) => table.columns.findIndex((c) => c.name === name));
  return Array.from({ length: table.rowCount }, (_, r) => r).filter((r) => idx.every((c) => table.data[c][r] !== null));
}
