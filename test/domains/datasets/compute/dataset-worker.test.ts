import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkerPool } from '../../../../src/lib/worker-pool';
import {
  computeEda,
  computeStatistics,
  chunkTexts,
  datasetJobs,
  storedTable,
  storedTableJob,
  tableFromChunks,
  tableFromRecords,
  visualize,
  type DatasetJobs,
} from '../../../../src/domains/datasets/compute';
import { vegaDataPath } from '../../../../src/domains/datasets/dataset.seed';
import type { Table } from '../../../../src/domains/datasets/table';
import { expectInputError } from '../../../helpers/input-error';

const DATASETS_DIR = path.join(__dirname, '../../../../src/domains/datasets');

/** Stores a table the way the database does: chunks of rows, each column-major JSON. */
function toChunks(table: Table, rowsPerChunk: number): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < table.rowCount; start += rowsPerChunk) {
    chunks.push(JSON.stringify(table.data.map((column) => column.slice(start, start + rowsPerChunk))));
  }
  return chunks;
}

const cars = tableFromRecords(JSON.parse(readFileSync(vegaDataPath('cars.json'), 'utf8')));

describe('tableFromChunks', () => {
  it('joins chunks in order back into the table they were cut from', () => {
    expect(tableFromChunks(cars.columns, toChunks(cars, 100))).toEqual(cars);
    expect(tableFromChunks(cars.columns, toChunks(cars, 1000))).toEqual(cars);
  });

  it('gives an empty table for no chunks', () => {
    expect(tableFromChunks([{ name: 'a', type: 'NUMBER' }], [])).toEqual({ columns: [{ name: 'a', type: 'NUMBER' }], data: [[]], rowCount: 0 });
  });

  it('throws a plain Error on a chunk that does not fit the columns, since stored chunks are ours', () => {
    const columns = cars.columns.slice(0, 2);
    expect(() => tableFromChunks(columns, ['[[1]]'])).toThrow('dataset chunk 0 is not an array of 2 column arrays');
    expect(() => tableFromChunks(columns, ['[[1],[2]]', '[[1],[2,3]]'])).toThrow('dataset chunk 1 has columns of different lengths');
  });
});

describe('stored table jobs', () => {
  it('carry chunk texts through shared memory unchanged, multi-byte characters included', () => {
    const chunks = ['[["ü","😀"]]', '[[""]]', '[["a\\nb"]]'];
    const job = storedTableJob('k', [{ name: 's', type: 'STRING' }], chunks);
    expect(job.text).toBeInstanceOf(SharedArrayBuffer);
    expect(chunkTexts(job)).toEqual(chunks);
    expect(chunkTexts(storedTableJob('none', [], []))).toEqual([]);
  });

  it('are parsed once per version in a thread: the same key gives the same table, another key its own', () => {
    const v1 = storedTableJob('cars@1', cars.columns, toChunks(cars, 100));
    const first = storedTable(v1);
    expect(first).toEqual(cars);
    expect(storedTable(storedTableJob('cars@1', cars.columns, toChunks(cars, 100)))).toBe(first);
    const v2 = storedTableJob('cars@2', cars.columns, toChunks(cars, 100).slice(0, 1));
    expect(storedTable(v2).rowCount).toBe(100);
    expect(storedTable(v1)).toBe(first);
  });
});

describe('dataset jobs', () => {
  const stored = storedTableJob('cars', cars.columns, toChunks(cars, 150));

  it('compute statistics, EDA and visualizations from stored chunks', () => {
    expect(datasetJobs.statistics(stored)).toEqual(computeStatistics(cars));
    expect(datasetJobs.eda(stored)).toEqual(computeEda(cars));
    const request = { kind: 'HISTOGRAM', column: 'Horsepower', column2: null, bins: 10 } as const;
    expect(datasetJobs.visualization({ ...stored, ...request })).toEqual(visualize(cars, request));
  });

  it('parse a CSV for a new dataset, and for appending to an existing one', () => {
    expect(datasetJobs.parseCsv({ text: 'a,b\n1,x\n' }).columns).toEqual([
      { name: 'a', type: 'NUMBER' },
      { name: 'b', type: 'STRING' },
    ]);
    const appended = datasetJobs.parseCsvForAppend({
      text: 'b,a\n007,2\n',
      columns: [
        { name: 'a', type: 'NUMBER' },
        { name: 'b', type: 'STRING' },
      ],
    });
    expect(appended.data).toEqual([[2], ['007']]);
    expectInputError(() => datasetJobs.parseCsv({ text: 'a\n12345\n', maxBytes: 4 }), 'CSV is 8 bytes; the limit is 4 bytes');
  });
});

describe('dataset.worker through a WorkerPool', () => {
  let pool: WorkerPool<DatasetJobs>;
  beforeAll(() => {
    pool = new WorkerPool(path.join(DATASETS_DIR, 'dataset.worker'));
  });
  afterAll(() => pool.close());

  it('computes statistics in a worker thread, equal to computing them in-process', async () => {
    const stats = await pool.run('statistics', storedTableJob('cars', cars.columns, toChunks(cars, 150)));
    expect(stats).toEqual(computeStatistics(cars));
    expect(stats.find((s) => s.column === 'Horsepower')).toMatchObject({ count: 400, nullCount: 6, p25: 75.75, p50: 95, p75: 130 });
  });

  it("brings a client's bad input back with its code", async () => {
    await expect(pool.run('parseCsv', { text: 'a,b\n1\n' })).rejects.toMatchObject({
      message: 'CSV line 2 has 1 fields; the header has 2',
      code: 'BAD_USER_INPUT',
    });
  });
});
