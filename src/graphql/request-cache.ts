import DataLoader from 'dataloader';
import type { CacheMode, CacheRequest, Lookup, TaggedCache } from '../cache/tagged-cache';
import type { WriteBudget } from '../cache/write-budget';

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
  /** False once something makes the whole response unfit to store (a stale hit, a bypass, an error). */
  wholeResponseStorable = true;

  constructor(
    private readonly cache: TaggedCache,
    readonly mode: CacheMode = 'normal',
    /** false sends one read per field instead of one per batch: only for measuring what batching saves. */
    batch = true,
    /** Keys this request may write (CACHE_MAX_KEYS_PER_REQUEST); absent: no bound. */
    private readonly budget?: WriteBudget,
  ) {
    this.lookups = new DataLoader((reqs) => cache.lookupMany(reqs), { cacheKeyFn: (r) => r.key, batch });
  }

  /** The value of one cached field: from the cache, or loaded (once per key in the process) and stored. */
  async resolve<T>(req: CacheRequest, load: () => Promise<T>, isPrivate: boolean): Promise<T> {
    this.minTtlSeconds = Math.min(this.minTtlSeconds, req.ttlSeconds);
    if (isPrivate) this.private = true;
    const read = await this.cache.read(req, load, { mode: this.mode, lookup: (r) => this.lookups.load(r), budget: this.budget });
    if (!read.hit && this.mode === 'normal') {
      // The memoised miss must not send a later read of this key in the same request to load again.
      this.lookups.clear(req);
    }
    if (this.mode === 'bypass' || read.stale) this.wholeResponseStorable = false;
    else this.stamp(req.tags, read.versions);
    this.count(req.label, read.hit);
    return read.value;
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
