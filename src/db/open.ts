import path from 'node:path';
import type { Database } from './database';
import { openPglite } from './pglite';
import { openPostgres } from './postgres';

/** PostgreSQL when a URL is given, else PGlite under dataDir/pglite. */
export async function openDatabase(opts: { url?: string; dataDir: string }): Promise<Database> {
  if (opts.url) return openPostgres({ url: opts.url });
  return openPglite(path.join(opts.dataDir, 'pglite'));
}
