import { createHash } from 'node:crypto';
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
  private readonly kept = new Map<string, StoredTableJob>();
  /** The newest kept version of each dataset: without one, a use reads the rows straight away (one query, not two). */
  private readonly newest = new Map<string, string>();
  private readonly thisTurn = new Map<string, Promise<StoredTableJob>>();
  private keptBytes = 0;

  constructor(
    private readonly db: Queryable,
    private readonly maxBytes: number,
  ) {}

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
    if (this.newest.has(dataset.id)) {
      const hit = this.kept.get(versionKey(dataset.id, await repo.loadChunkVersions(this.db, dataset.id)));
      if (hit) {
        this.kept.delete(hit.key);
        this.kept.set(hit.key, hit);
        return hit;
      }
    }
    const chunks = await repo.loadChunks(this.db, dataset.id);
    const job = storedTableJob(
      versionKey(dataset.id, chunks),
      dataset.columns,
      chunks.map((c) => c.data),
    );
    this.keep(dataset.id, job);
    return job;
  }

  private keep(id: string, job: StoredTableJob): void {
    const bytes = job.text.byteLength;
    if (bytes > this.maxBytes || this.kept.has(job.key)) return;
    // The dataset's older versions go first: no use can ask for them again.
    const older = this.newest.get(id);
    if (older) this.drop(older);
    for (const [key] of this.kept) {
      if (this.keptBytes + bytes <= this.maxBytes) break;
      this.drop(key);
    }
    this.kept.set(job.key, job);
    this.newest.set(id, job.key);
    this.keptBytes += bytes;
  }

  private drop(key: string): void {
    const job = this.kept.get(key);
    if (!job) return;
    this.kept.delete(key);
    this.keptBytes -= job.text.byteLength;
    const id = key.slice(0, key.indexOf(':'));
    if (this.newest.get(id) === key) this.newest.delete(id);
  }
}

function versionKey(id: string, chunks: readonly { seq: number; xmin: string }[]): string {
  const hash = createHash('sha1');
  for (const c of chunks) hash.update(`${c.seq}:${c.xmin},`);
  return `${id}:${hash.digest('base64url')}`;
}
