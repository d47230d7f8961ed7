import path from 'node:path';
import type { Logger } from '../logger';
import type { Database } from './database';
import { openPglite } from './pglite';
import { openPostgres } from './postgres';

export interface OpenDatabaseOptions {
  url?: string;
  dataDir: string;
  /** PostgreSQL only: see PostgresOptions. PGlite runs in the process, with no connection to wait for. */
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  logger?: Logger;
}

/** PostgreSQL when a URL is given, else PGlite under dataDir/pglite. */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.url)
    return openPostgres({ url: opts.url, connectTimeoutMs: opts.connectTimeoutMs, statementTimeoutMs: opts.statementTimeoutMs, logger: opts.logger });
  return openPglite(path.join(opts.dataDir, 'pglite'));
}
