import { LRUCache } from 'lru-cache';
import type { ColumnInfo, Table } from '../table';
import { tableFromChunks } from './chunks';

/**
 * One version of a stored dataset as jobs receive it: its chunks' JSON text as UTF-8, one after
 * another, in memory shared with the worker threads. Thirty jobs on one version (thirty aliased
 * charts) cost no copy each, where thirty copies of flights-200k's text froze the event loop.
 */
export interface StoredTableJob {
  /** Names the version: jobs with equal keys carry equal chunks (the gateway's StoredTables makes it so). */
  key: string;
  columns: ColumnInfo[];
  text: SharedArrayBuffer;
  /** Where each chunk ends in text, in bytes. */
  ends: number[];
}

/** Packs a version's chunk texts into shared memory. */
export function storedTableJob(key: string, columns: ColumnInfo[], chunks: readonly string[]): StoredTableJob {
  const lengths = chunks.map((c) => Buffer.byteLength(c, 'utf8'));
  const text = new SharedArrayBuffer(lengths.reduce((a, b) => a + b, 0));
  const bytes = Buffer.from(text);
  const ends: number[] = [];
  let at = 0;
  chunks.forEach((chunk, k) => {
    bytes.write(chunk, at, lengths[k], 'utf8');
    ends.push((at += lengths[k]));
  });
  return { key, columns, text, ends };
}

/** The chunks' JSON texts back from a job. */
export function chunkTexts(job: StoredTableJob): string[] {
  const bytes = Buffer.from(job.text);
  return job.ends.map((end, k) => bytes.toString('utf8', k === 0 ? 0 : job.ends[k - 1], end));
}

/**
 * Parsed tables kept in this thread by version, least recently used out first: charts, EDA and
 * training on one version parse its rows once. Bounded by cells (flights-200k is 1.2 million), so
 * a worker holds a few large versions at most; a larger table is parsed for its job and not kept.
 */
const kept = new LRUCache<string, Table>({ maxSize: 2_000_000, sizeCalculation: (t) => Math.max(1, t.rowCount * t.columns.length) });

/** The job's table, parsed once per version in this thread. Callers must not change it: later jobs get the same object. */
export function storedTable(job: StoredTableJob): Table {
  let table = kept.get(job.key);
  if (!table) {
    table = tableFromChunks(job.columns, chunkTexts(job));
    kept.set(job.key, table);
  }
  return table;
}
