import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../helpers/databases';

const shippedVersions = () =>
  readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => f.replace(/\.sql$/, ''));

describe.each(DATABASE_KINDS)('database migrations (%s)', (kind) => {
  let test: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    test = await openTestDatabase(kind);
    dir = mkdtempSync(path.join(tmpdir(), 'cachegate-migrations-'));
  });

  afterAll(async () => {
    await test?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const tableExists = async (name: string) => {
    const [row] = await test.db.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [name]);
    return row.found !== null;
  };
  const recorded = async () =>
    (await test.db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version);

  it('applies every migration file once, in order, and a second run applies none', async () => {
    const versions = shippedVersions();
    expect(versions.length).toBeGreaterThanOrEqual(2);

    expect(await migrate(test.db)).toEqual(versions);
    expect(await recorded()).toEqual(versions);
    for (const table of ['dataset', 'dataset_chunk', 'progress_step', 'user_progress'])
      expect({ table, exists: await tableExists(table) }).toEqual({ table, exists: true });

    expect(await migrate(test.db)).toEqual([]);
    expect(await recorded()).toEqual(versions);
  });

  it('rolls back a migration whose later statement fails: its earlier statements leave no trace and it is not recorded', async () => {
    writeFileSync(path.join(dir, '001_ok.sql'), 'CREATE TABLE migration_ok (id integer PRIMARY KEY);\nINSERT INTO migration_ok VALUES (1);\n');
    writeFileSync(
      path.join(dir, '002_bad.sql'),
      'CREATE TABLE migration_bad (id integer PRIMARY KEY);\nINSERT INTO migration_bad VALUES (1);\nINSERT INTO migration_ok VALUES (2);\nSELECT * FROM table_that_does_not_exist;\n',
    );

    await expect(migrate(test.db, dir)).rejects.toThrow(/table_that_does_not_exist/);

    expect(await tableExists('migration_ok')).toBe(true);
    expect(await test.db.query('SELECT id FROM migration_ok ORDER BY id')).toEqual([{ id: 1 }]);
    expect(await tableExists('migration_bad')).toBe(false);
    const versions = await recorded();
    expect(versions).toContain('001_ok');
    expect(versions).not.toContain('002_bad');

    // Once fixed, the migration runs; the one that already succeeded does not run again.
    writeFileSync(path.join(dir, '002_bad.sql'), 'CREATE TABLE migration_bad (id integer PRIMARY KEY);\n');
    expect(await migrate(test.db, dir)).toEqual(['002_bad']);
    expect(await tableExists('migration_bad')).toBe(true);
    expect(await test.db.query('SELECT id FROM migration_ok ORDER BY id')).toEqual([{ id: 1 }]);
  });
});
