// What every server of the anchor benchmark shares: the same data, query, answer and counters.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { computeStatistics, tableFromRecords } from '../../src/domains/datasets/compute';
import { vegaDataPath } from '../../src/domains/datasets/dataset.seed';
import type { Table } from '../../src/domains/datasets/table';

export const QUERY = 'query Stats($id: ID!) { dataset(id: $id) { statistics { column count nullCount distinct mean std min max p25 p50 p75 } } }';

export const STATISTICS_FIELDS = `
  column: String!
  count: Int!
  nullCount: Int!
  distinct: Int!
  mean: Float
  std: Float
  min: Float
  max: Float
  p25: Float
  p50: Float
  p75: Float`;

/** cars from vega-datasets, the dataset every server answers about. */
export class CarsData {
  readonly table: Table = tableFromRecords(JSON.parse(readFileSync(vegaDataPath('cars.json'), 'utf8')));
  computations = 0;

  statistics() {
    this.computations++;
    return computeStatistics(this.table);
  }

  /** Appends one row whose Horsepower is value (the freshness check). */
  append(value: number): void {
    const hp = this.table.columns.findIndex((c) => c.name === 'Horsepower');
    this.table.data.forEach((col, i) => col.push(i === hp ? value : null));
    this.table.rowCount++;
  }
}

/** The number of computations, on a port of its own, so the orchestrator can read it from any server. */
export function serveCounter(port: number, count: () => number, reset: () => void): void {
  createServer((req, res) => {
    if (req.url === '/reset') reset();
    res.end(String(count()));
  }).listen(port, '127.0.0.1');
}

export function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

/** Simulated cost of the computation on a miss, so a miss storm is visible (ms). */
export const MISS_DELAY_MS = 200;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The resolvers Apollo and Yoga share (mercurius resolves the statistics in its cached root field). */
export function resolversFor(data: CarsData) {
  return {
    Query: { dataset: (_: unknown, { id }: { id: string }) => ({ id }) },
    Dataset: {
      statistics: async () => {
        await sleep(MISS_DELAY_MS);
        return data.statistics();
      },
    },
    Mutation: {
      appendValue: (_: unknown, { id, value }: { id: string; value: number }) => {
        data.append(value);
        return { id };
      },
    },
  };
}
