import { migrate } from '../../../src/db/migrate';
import type { Queryable } from '../../../src/db/database';
import { chunkTexts, tableFromChunks, tableFromRecords } from '../../../src/domains/datasets/compute';
import * as repo from '../../../src/domains/datasets/dataset.repository';
import type { Dataset } from '../../../src/domains/datasets/dataset.type';
import { StoredTables } from '../../../src/domains/datasets/stored-tables';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../helpers/databases';

/** The real database, with the reads of chunk data counted. */
function counting(db: Queryable): { db: Queryable; dataReads: () => number; versionReads: () => number } {
  let reads = 0;
  let versions = 0;
  return {
    db: {
      query: (sql: string, params?: unknown[]) => {
        if (/\bdata FROM dataset_chunk/.test(sql)) reads++;
        else if (/FROM dataset_chunk/.test(sql)) versions++;
        return db.query(sql, params);
      },
    } as Queryable,
    dataReads: () => reads,
    versionReads: () => versions,
  };
}

describe.each(DATABASE_KINDS)('StoredTables (%s)', (kind) => {
  let test: TestDatabase;
  let dataset: Dataset;
  const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ x: from + i, label: `ü${from + i}` }));

  beforeAll(async () => {
    test = await openTestDatabase(kind);
    await migrate(test.db);
    dataset = await test.db.transaction((tx) => repo.insertDataset(tx, 'd', 'test', tableFromRecords(rows(0, 50)), null));
  });
  afterAll(() => test?.dispose());

  const cells = async (tables: StoredTables) => {
    const job = await tables.load(dataset);
    return tableFromChunks(job.columns, chunkTexts(job)).data[0];
  };

  it('reads a version once for concurrent and later jobs, and shares one buffer', async () => {
    const { db, dataReads } = counting(test.db);
    const tables = new StoredTables(db, 1 << 20);
    const jobs = await Promise.all(Array.from({ length: 30 }, () => tables.load(dataset)));
    expect(dataReads()).toBe(1);
    expect(new Set(jobs.map((j) => j.text)).size).toBe(1);
    expect((await tables.load(dataset)).text).toBe(jobs[0].text);
    expect(dataReads()).toBe(1);
    expect(await cells(tables)).toEqual(rows(0, 50).map((r) => r.x));
  });

  it('reads the version once for the uses asked in one turn, and afresh for a use asked after that read was sent', async () => {
    const { db, versionReads, dataReads } = counting(test.db);
    const tables = new StoredTables(db, 1 << 20);
    // Nothing kept yet: the first use reads the rows at once, without asking for the version first.
    await tables.load(dataset);
    expect(versionReads()).toBe(0);
    await Promise.all(Array.from({ length: 30 }, () => tables.load(dataset)));
    expect(versionReads()).toBe(1);
    const first = tables.load(dataset);
    await new Promise((resolve) => setImmediate(resolve));
    const second = tables.load(dataset);
    await Promise.all([first, second]);
    expect(versionReads()).toBe(3);
    expect(dataReads()).toBe(1);
  });

  it('sees a write made behind its back (an UPDATE in psql) as a new version, never the kept rows', async () => {
    const { db, dataReads } = counting(test.db);
    const tables = new StoredTables(db, 1 << 20);
    const before = await tables.load(dataset);
    await test.db.query(`UPDATE dataset_chunk SET data = replace(data, '[0,', '[1000,') WHERE dataset_id = $1 AND seq = 0`, [Number(dataset.id)]);
    const after = await tables.load(dataset);
    expect(after.key).not.toBe(before.key);
    expect(dataReads()).toBe(2);
    expect((await cells(tables))[0]).toBe(1000);
  });

  it('sees appended rows as a new version', async () => {
    const tables = new StoredTables(test.db, 1 << 20);
    const before = await tables.load(dataset);
    await test.db.transaction(async (tx) => repo.appendRows(tx, (await repo.lockDataset(tx, dataset.id))!, tableFromRecords(rows(50, 5))));
    const after = await tables.load(dataset);
    expect(after.key).not.toBe(before.key);
    expect(await cells(tables)).toHaveLength(55);
  });

  it('keeps nothing past its byte bound', async () => {
    const { db, dataReads } = counting(test.db);
    const tables = new StoredTables(db, 0);
    await tables.load(dataset);
    await tables.load(dataset);
    expect(dataReads()).toBe(2);
  });
});
