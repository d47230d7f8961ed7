import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Queryable } from '../../db/database';
import { storedTableJob, type StoredTableJob } from './compute';
import * as repo from './dataset.repository';
import type { Dataset } from './dataset.type';

/**
 * Datasets' stored rows for worker jobs: each version read from the database once and kept (its
 * newest version per dataset, least recently used out first, within maxBytes) in memory shared
 * with the worker threads. The version is read from the database for every use, as the list of
 * chunks and the transactions that wrote them: a write made anywhere, psql included, makes a new
 * version, so what is kept can never be served for rows that have since changed.
 *
 * Uses asked for in one turn of the event loop (a request's thirty charts of one dataset) share
 * one read, sent after the last of them asked: each caller read its cache's tag versions before
 * asking, so the rows are never older than the versions they will be stamped with.
 */
export class StoredTables {
  /** By dataset id, its newest version read; none kept when maxBytes is 0. */
  private readonly kept?: LRUCache<string, StoredTableJob>;
  private readonly thisTurn = new Map<string, Promise<StoredTableJob>>();

  constructor(
    private readonly db: Queryable,
    maxBytes: number,
  ) {
    if (maxBytes > 0) this.kept = new LRUCache({ maxSize: maxBytes, sizeCalculation: (job) => Math.max(1, job.text.byteLength) });
  }

  /** The dataset's rows as they are now, read together with every other use asked for in this turn. */
  load(dataset: Dataset): Promise<StoredTableJob> {
    let read = this.thisTurn.get(dataset.id);
    if (!read) {
      read = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.thisTurn.delete(dataset.id);
        return this.current(dataset);
      });
      this.thisTurn.set(dataset.id, read);
    }
    return read;
  }

  private async current(dataset: Dataset): Promise<StoredTableJob> {
    // Nothing kept: read the rows at once (one query, not a version read and then the rows).
    const kept = this.kept?.get(dataset.id);
    if (kept && kept.key === versionKey(dataset.id, await repo.loadChunkVersions(this.db, dataset.id))) return kept;
    const chunks = await repo.loadChunks(this.db, dataset.id);
    const job = storedTableJob(
      versionKey(dataset.id, chunks),
      dataset.columns,
      chunks.map((c) => c.data),
    );
    this.kept?.set(dataset.id, job);
    return job;
  }
}

function versionKey(id: string, chunks: readonly { seq: number; xmin: string }[]): string {
  const hash = createHash('sha1');
  for (const c of chunks) hash.update(`${c.seq}:${c.xmin},`);
  return `${id}:${hash.digest('base64url')}`;
}
