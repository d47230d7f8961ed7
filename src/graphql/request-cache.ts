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
  /**
   * The version of every tag a cached field of this request depended on, as read before its
   * value was loaded (or as stamped on the hit). A whole response built from these fields is
   * stamped with them; null marks a tag whose version is unknown, so the response is not stored.
   */
  readonly stamps = new Map<string, string | null>();
  /** False once something makes the whole response unfit to store (a stale hit, a bypass). */
  wholeResponseStorable = true;

  constructor(
    private readonly cache: TaggedCache,
    readonly mode: CacheMode = 'normal',
    /** false sends one read per field instead of one per batch: only for measuring what batching saves. */
    batch = true,
  ) {
    // The only read path to the store for fields: one batch, one lookupMany, one MGET.
    this.lookups = new DataLoader((reqs) => cache.lookupMany(reqs), { cacheKeyFn: (r) => r.key, batch });
  }

  /** The value of one cached field: from the cache, or loaded (once per key in the process) and stored. */
  async resolve<T>(req: CacheRequest, load: () => Promise<T>, isPrivate: boolean): Promise<T> {
    this.minTtlSeconds = Math.min(this.minTtlSeconds, req.ttlSeconds);
    if (isPrivate) this.private = true;
    const started = performance.now();
    if (this.mode === 'bypass') {
      this.wholeResponseStorable = false;
      this.count(req.label, false);
      return load();
    }
    if (this.mode === 'refresh') {
      const { value, versions } = await this.cache.fillStamped(req, await this.cache.readVersions(req.tags), load, false);
      this.stamp(req.tags, versions);
      this.count(req.label, false);
      return value;
    }
    const found = await this.lookups.load(req);
    if (found.hit) {
      this.cache.stats.record({ type: 'hit', label: req.label, key: req.key, ms: performance.now() - started });
      this.count(req.label, true);
      if (found.stale) {
        this.wholeResponseStorable = false;
        this.cache.refreshInBackground(req, load);
      } else this.stamp(found.entry.tags, found.entry.versions);
      return found.value as T;
    }
    const { value, versions } = await this.cache.fillStamped(req, found.versions, load, true);
    // The memoised miss must not send a later read of this key in the same request to load again.
    this.lookups.clear(req);
    this.stamp(req.tags, versions);
    this.cache.stats.record({ type: 'miss', label: req.label, key: req.key, ms: performance.now() - started });
    this.count(req.label, false);
    return value;
  }

  private stamp(tags: readonly string[], versions: readonly (string | null)[]): void {
    tags.forEach((tag, i) => {
      const known = this.stamps.get(tag);
      // Two fields that saw different versions of one tag straddled an invalidation: trust neither.
      this.stamps.set(tag, known === undefined || known === versions[i] ? versions[i] : null);
    });
  }

  private count(label: string, hit: boolean): void {
    const c = (this.counts[label] ??= { hits: 0, misses: 0 });
    if (hit) c.hits++;
    else c.misses++;
  }
}
