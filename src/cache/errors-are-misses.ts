import type { CircuitBreaker } from './circuit-breaker';
import type { StatsRecorder } from './stats';
import type { KeyValueStore, StoreEntry } from './store';

/** The slice of a structured logger the cache core uses (pino's signature). */
export interface CacheLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
  /** pino's: lets per-event debug logging be skipped entirely when it would not print. */
  isLevelEnabled?(level: string): boolean;
}

/**
 * The cache must never make a request fail. This wrapper turns every backend error or
 * timeout into a miss (reads) or a dropped write, counts it, and logs the first error of a
 * streak; while the circuit is open it does not call the backend at all.
 */
export function errorsAreMisses(store: KeyValueStore, breaker: CircuitBreaker, stats: StatsRecorder, logger: CacheLogger): KeyValueStore {
  let streak = 0;
  async function guarded<T>(op: string, fallback: T, call: () => Promise<T>): Promise<T> {
    if (!breaker.allows()) return fallback;
    const startedAt = performance.now();
    try {
      const result = await call();
      breaker.success();
      streak = 0;
      return result;
    } catch (err) {
      stats.record({ type: 'error', op });
      if (streak++ === 0) logger.warn({ err: (err as Error).message, op, store: store.kind }, 'cache store failed; computing values instead');
      breaker.failure(startedAt);
      return fallback;
    }
  }
  return {
    kind: store.kind,
    getMany: (keys) =>
      guarded(
        'get',
        keys.map(() => null),
        () => store.getMany(keys),
      ),
    setMany: (entries: readonly StoreEntry[]) => guarded('set', false, () => store.setMany(entries)),
    setIfAbsent: (entries) =>
      guarded(
        'setIfAbsent',
        entries.map(() => null),
        () => store.setIfAbsent(entries),
      ),
    delete: (keys) => guarded('delete', 0, () => store.delete(keys)),
    deleteIfEquals: store.deleteIfEquals && ((key, value) => guarded('deleteIfEquals', false, () => store.deleteIfEquals!(key, value))),
    addWithin: store.addWithin && ((key, amount, ceiling, ttlMs) => guarded('addWithin', null, () => store.addWithin!(key, amount, ceiling, ttlMs))),
    extendTtl: store.extendTtl && ((keys, ttlMs) => guarded('extendTtl', undefined, () => store.extendTtl!(keys, ttlMs))),
  };
}
