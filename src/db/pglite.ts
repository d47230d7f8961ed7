import { mkdirSync } from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import type { Database, Queryable } from './database';

/**
 * Opens embedded PGlite in dir (created if missing), or in memory when dir is undefined.
 * template: a data directory dumped by PGlite (dumpDataDir) to start from instead of running initdb.
 */
export async function openPglite(dir?: string, template?: Blob): Promise<Database> {
  if (dir) mkdirSync(dir, { recursive: true });
  const db = new PGlite(dir, { parsers: { [types.INT8]: (v: string) => Number(v) }, ...(template ? { loadDataDir: template } : {}) });
  await db.waitReady;
  const wrap = (c: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query(sql, params) {
      return (await c.query(sql, params as unknown[])).rows as any[];
    },
    async exec(sql) {
      await c.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    async listen(channel, onNotify) {
      const stop = await db.listen(channel, onNotify);
      return async () => stop();
    },
    close: () => db.close(),
  };
}
