import DataLoader from 'dataloader';
import type { CacheMode, CacheRequest, Lookup, TaggedCache } from '../cache/tagged-cache';

export interface FieldCounts {
  hits: number;
  misses: number;
}

/**
 * The cache as one request sees it. Every cached field of the request asks through one
 * DataLoader, so the fields resolved in one tick (one level of the query) cost one MGET
 * however many there are. Created per request; nothing here outlives it.
 */
export class RequestCache {
  private readonly lookups: DataLoader<CacheRequest, Lookup, string>;
  /** Per field coordinate, for CACHE_DEBUG's extensions.cache. */
  readonly counts: Record<string, FieldCounts> = {};
  /** Smallest TTL and whether anything private was touched (HTTP Cache-Control). */
  minTtlSeconds = Infinity;
  private: boolean = false;
  /** Tags of every cached field the request touched. */
  readonly tags = new Set<string>();

  constructor(
    private readonly cache: TaggedCache,
    readonly mode: CacheMode = 'normal',
  ) {
    // The only read path to the store for fields: one batch, one lookupMany, one MGET.
    this.lookups = new DataLoader((reqs) => cache.lookupMany(reqs), { cacheKeyFn: (r) => r.key });
  }

  /** The value of one cached field: from the cache, or loaded (once per key in the process) and stored. */
  async resolve<T>(req: CacheRequest, load: () => Promise<T>, isPrivate: boolean): Promise<T> {
    this.minTtlSeconds = Math.min(this.minTtlSeconds, req.ttlSeconds);
    if (isPrivate) this.private = true;
    for (const t of req.tags) this.tags.add(t);
    const started = performance.now();
    if (this.mode !== 'normal') {
      const value = await this.cache.get(req, load, this.mode);
      this.count(req.label, false);
      return value;
    }
    const found = await this.lookups.load(req);
    if (found.hit) {
      this.cache.stats.record({ type: 'hit', label: req.label, ms: performance.now() - started });
      this.count(req.label, true);
      if (found.stale) this.cache.refreshInBackground(req, load);
      return found.value as T;
    }
    const value = await this.cache.fill(req, found.versions, load);
    // The memoised miss must not send a later read of this key in the same request to load again.
    this.lookups.clear(req);
    this.cache.stats.record({ type: 'miss', label: req.label, ms: performance.now() - started });
    this.count(req.label, false);
    return value;
  }

  private count(label: string, hit: boolean): void {
    const c = (this.counts[label] ??= { hits: 0, misses: 0 });
    if (hit) c.hits++;
    else c.misses++;
  }
}
