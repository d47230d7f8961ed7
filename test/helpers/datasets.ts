import { readFileSync } from 'node:fs';
import { parseCsvTable, tableFromRecords } from '../../src/domains/datasets/compute';
import { vegaDataPath } from '../../src/domains/datasets/dataset.seed';
import type { Dataset } from '../../src/domains/datasets/dataset.type';
import type { Table } from '../../src/domains/datasets/table';
import { CreateDatasetDocument } from '../generated/graphql';
import type { TestGateway } from './gateway';

/** A small CSV with a numeric column x, a numeric y and a label. */
export const csv = (rows: number, offset = 0) =>
  ['x,y,label', ...Array.from({ length: rows }, (_, i) => `${i + offset},${(i * 7) % 13},${i % 2 ? 'odd' : 'even'}`)].join('\n');

/** Creates a dataset of csv(rows) through the createDataset mutation and returns its id. */
export async function createDataset(gw: TestGateway, token: string, name: string, rows = 40): Promise<string> {
  const r = await gw.gql(CreateDatasetDocument, { name, csv: csv(rows) }, { token });
  if (r.errors) throw new Error(`createDataset failed: ${JSON.stringify(r.errors)}`);
  return r.data!.createDataset.id;
}

export type CarRecord = Record<string, string | number | null>;

/** The raw records of vega-datasets cars.json, exactly as shipped. */
export function rawCars(): CarRecord[] {
  return JSON.parse(readFileSync(vegaDataPath('cars.json'), 'utf8')) as CarRecord[];
}

const tables = new Map<string, Table>();

/** A vega-datasets file as the seed loads it. */
export function vegaTable(file: string): Table {
  let table = tables.get(file);
  if (!table) {
    const text = readFileSync(vegaDataPath(file), 'utf8');
    table = file.endsWith('.csv') ? parseCsvTable(text, { maxBytes: Infinity }) : tableFromRecords(JSON.parse(text));
    tables.set(file, table);
  }
  return table;
}

/** Stores a vega dataset in the gateway's database as the first-start seed does (same name and source), without seeding everything. */
export function addVegaDataset(gw: TestGateway, file: string): Promise<Dataset> {
  return gw.gateway.services.datasets.insert(file.replace(/\.\w+$/, ''), `vega-datasets/${file}`, vegaTable(file));
}
