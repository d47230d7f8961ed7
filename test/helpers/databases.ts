import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Database } from '../../src/db/database';
import { openPglite } from '../../src/db/pglite';
import { openPostgres } from '../../src/db/postgres';

/** The shared PostgreSQL of the machine; each test file works in a schema of its own, dropped after. */
export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type DatabaseKind = 'pglite' | 'postgres';
export const DATABASE_KINDS: DatabaseKind[] = ['pglite', 'postgres'];

export interface TestDatabase {
  db: Database;
  /** For PostgreSQL: a DATABASE_URL that puts a gateway process in this test's schema. */
  url?: string;
  /** Drops what the test created (the PostgreSQL schema) and closes the connections. */
  dispose(): Promise<void>;
}

/** Set by test/global-setup.ts: an initialised, empty PGlite data directory, so no test file waits for initdb. */
export const PGLITE_TEMPLATE_ENV = 'CACHEGATE_TEST_PGLITE_TEMPLATE';

let template: Blob | undefined;
function pgliteTemplate(): Blob | undefined {
  const file = process.env[PGLITE_TEMPLATE_ENV];
  if (!template && file && existsSync(file)) template = new Blob([readFileSync(file)]);
  return template;
}

export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await openPglite(undefined, pgliteTemplate());
    return { db, dispose: () => db.close() };
  }
  const schema = `cachegate_test_${randomBytes(6).toString('hex')}`;
  const admin = openPostgres({ url: TEST_POSTGRES_URL, max: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const db = openPostgres({ url: TEST_POSTGRES_URL, schema, max: 5 });
  return {
    db,
    url: `${TEST_POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    async dispose() {
      await db.close();
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}
