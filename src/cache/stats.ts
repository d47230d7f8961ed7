/**
 * Counters of one process. `drain()` hands the increments since the last drain to whoever
 * aggregates them across the deployment; `snapshot()` shows the process's own totals.
 */
export interface FieldCounters {
  hits: number;
  misses: number;
  /** Sum of the durations of hits, in milliseconds (average = hitMs / hits). */
  hitMs: number;
  missMs: number;
}

export interface Counters {
  hits: number;
  misses: number;
  sets: number;
  /** Tags given a new version. */
  invalidations: number;
  /** Keys deleted outright (administration by key, pattern or clear). */
  deletes: number;
  errors: number;
  /** Values not stored because they exceeded CACHE_MAX_ENTRY_BYTES. */
  oversize: number;
  /** Stale values served within their swr window while one refresh ran. */
  staleServed: number;
  /** Values computed after a miss (the loader ran): with leases, one per key across the fleet. */
  computations: number;
  fields: Record<string, FieldCounters>;
}

export type CacheEvent =
  /** label: the field coordinate; key: the cache key, for debug logs (hashed there, never logged as is). */
  | { type: 'hit' | 'miss'; label: string; ms: number; key?: string }
  | { type: 'set' | 'invalidate' | 'delete'; count: number }
  | { type: 'error'; op: string }
  | { type: 'oversize' | 'stale' | 'compute' };

/** The totals every Counters has, besides the per-field ones. */
export const TOTALS = ['hits', 'misses', 'sets', 'invalidations', 'deletes', 'errors', 'oversize', 'staleServed', 'computations'] as const;

export function emptyCounters(): Counters {
  return { hits: 0, misses: 0, sets: 0, invalidations: 0, deletes: 0, errors: 0, oversize: 0, staleServed: 0, computations: 0, fields: {} };
}

/** Records the cache's events as counters, and tells listeners (metrics, debug logs) of each. */
export class StatsRecorder {
  private totals = emptyCounters();
  private pending = emptyCounters();
  private readonly listeners: ((e: CacheEvent) => void)[] = [];
  readonly startedAt = Date.now();
  /** When this process's counts began: its start, or its last reset (epoch ms). */
  resetAt = this.startedAt;

  /** Called for every event (metrics exporters). */
  onEvent(listener: (e: CacheEvent) => void): void {
    this.listeners.push(listener);
  }

  record(event: CacheEvent): void {
    apply(this.totals, event);
    apply(this.pending, event);
    for (const l of this.listeners) l(event);
  }

  snapshot(): Counters {
    return structuredClone(this.totals);
  }

  /** The increments since the previous drain. */
  drain(): Counters {
    const out = this.pending;
    this.pending = emptyCounters();
    return out;
  }

  reset(): void {
    this.totals = emptyCounters();
    this.pending = emptyCounters();
    this.resetAt = Date.now();
  }
}

function apply(c: Counters, e: CacheEvent): void {
  switch (e.type) {
    case 'hit':
    case 'miss': {
      const f = (c.fields[e.label] ??= { hits: 0, misses: 0, hitMs: 0, missMs: 0 });
      if (e.type === 'hit') {
        c.hits++;
        f.hits++;
        f.hitMs += e.ms;
      } else {
        c.misses++;
        f.misses++;
        f.missMs += e.ms;
      }
      return;
    }
    case 'set':
      c.sets += e.count;
      return;
    case 'invalidate':
      c.invalidations += e.count;
      return;
    case 'delete':
      c.deletes += e.count;
      return;
    case 'error':
      c.errors++;
      return;
    case 'oversize':
      c.oversize++;
      return;
    case 'stale':
      c.staleServed++;
      return;
    case 'compute':
      c.computations++;
      return;
  }
}

/** hits / (hits + misses), 0 when both are 0. */
export function hitRate(hits: number, misses: number): number {
  return hits + misses === 0 ? 0 : hits / (hits + misses);
}
