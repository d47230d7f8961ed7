import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from './database';

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

// Any constant works; it only keeps two gateways starting together from migrating twice.
const MIGRATION_LOCK = 7_364_001;

/**
 * Applies the versioned SQL files of MIGRATIONS_DIR (NNN_name.sql) that have not run yet,
 * each in its own transaction together with its bookkeeping row. Returns the versions applied.
 */
export async function migrate(db: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const files = readdirSync(dir)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .sort();
  const applied: string[] = [];
  for (const file of files) {
    const version = file.replace(/\.sql$/, '');
    const ran = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [version]);
      if (done.length > 0) return false;
      await tx.exec(readFileSync(path.join(dir, file), 'utf8'));
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
      return true;
    });
    if (ran) applied.push(version);
  }
  return applied;
}

/** The random identity the migrations gave this database (see 005_database_identity.sql). */
export async function databaseIdentity(db: Database): Promise<string> {
  const [row] = await db.query<{ value: string }>("SELECT value FROM gateway_meta WHERE key = 'database_id'");
  if (!row) throw new Error('gateway_meta has no database_id: run the migrations first');
  return row.value;
}
