import { createHash } from 'node:crypto';
import type { Queryable } from '../../db/database';
import { storedTableJob, type StoredTableJob } from './compute';
import * as repo from './dataset.repository';
import type { Dataset } from './dataset.type';

/**
 * Datasets' stored rows for worker jobs: each version read from the database once, however many
 * jobs want it at the same time, and kept (least recently used out first, within maxBytes) in
 * memory shared with the worker threads. The version is read from the database for every use, as
 * the list of chunks and the transactions that wrote them: a write made anywhere, psql included,
 * makes a new version, so what is kept can never be served for rows that have since changed.
 *
 * Uses asked for in one turn of the event loop (a request's thirty charts of one dataset) share
 * one version read, sent after the last of them asked: each caller read its cache's tag versions
 * before asking, so the rows are never older than the versions they will be stamped with.
 */
export class StoredTables {
  private readonly kept = new Map<string, StoredTableJob>();
  private readonly loading = new Map<string, Promise<StoredTableJob>>();
  private readonly versionReads = new Map<string, Promise<string>>();
  private keptBytes = 0;

  constructor(
    private readonly db: Queryable,
    private readonly maxBytes: number,
  ) {}

  async load(dataset: Dataset): Promise<StoredTableJob> {
    const key = await this.currentVersion(dataset.id);
    const hit = this.kept.get(key);
    if (hit) {
      this.kept.delete(key);
      this.kept.set(key, hit);
      return hit;
    }
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.read(dataset).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  /** The dataset's version, read after this turn of the event loop, together with every other caller's of this turn. */
  private currentVersion(id: string): Promise<string> {
    let read = this.versionReads.get(id);
    if (!read) {
      read = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.versionReads.delete(id);
        return repo.loadChunkVersions(this.db, id).then((chunks) => versionKey(id, chunks));
      });
      this.versionReads.set(id, read);
    }
    return read;
  }

  private async read(dataset: Dataset): Promise<StoredTableJob> {
    const chunks = await repo.loadChunks(this.db, dataset.id);
    // Keyed by what was read, which a write between the two queries may have made newer.
    const job = storedTableJob(
      versionKey(dataset.id, chunks),
      dataset.columns,
      chunks.map((c) => c.data),
    );
    this.keep(job);
    return job;
  }

  private keep(job: StoredTableJob): void {
    const bytes = job.text.byteLength;
    if (bytes > this.maxBytes || this.kept.has(job.key)) return;
    for (const [key, old] of this.kept) {
      if (this.keptBytes + bytes <= this.maxBytes) break;
      this.kept.delete(key);
      this.keptBytes -= old.text.byteLength;
    }
    this.kept.set(job.key, job);
    this.keptBytes += bytes;
  }
}

function versionKey(id: string, chunks: readonly { seq: number; xmin: string }[]): string {
  const hash = createHash('sha1');
  for (const c of chunks) hash.update(`${c.seq}:${c.xmin},`);
  return `${id}:${hash.digest('base64url')}`;
}
