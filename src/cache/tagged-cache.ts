import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { decodeFieldEntry, encodeFieldEntry, type FieldEntry } from './codec';
import type { ComputeLeases } from './compute-lease';
import type { CacheLogger } from './errors-are-misses';
import { type KeySpace, tagKey } from './keys';
import { SingleFlight } from './single-flight';
import type { StatsRecorder } from './stats';
import type { InvalidationBus, KeyValueStore } from './store';
import { NEGATIVE_TTL_SECONDS, NEW_TAG_VERSION_TTL_SECONDS, TAG_VERSION_TTL_SECONDS } from './ttl';
import type { WriteBudget } from './write-budget';

/** One cacheable value: where it lives, what it depends on, how long it stays. */
export interface CacheRequest {
  key: string;
  /** Tags the value depends on, sorted and unique (see normalizeTags). */
  tags: readonly string[];
  ttlSeconds: number;
  /** Seconds past ttl during which a stale value is served while one refresh runs. */
  swrSeconds: number;
  /** Names the value in stats (a field coordinate). */
  label: string;
}

export interface Stamped<T> {
  value: T;
  /** versions[i] is the version of tags[i] read before the value was loaded; null where the store gave none. */
  versions: (string | null)[];
}

export type Lookup =
  | { hit: true; value: unknown; stale: boolean; entry: FieldEntry }
  /** versions[i] is the current version of tags[i], read in the same round trip; null if it has none. */
  | { hit: false; versions: (string | null)[] };

/** 'refresh' computes fresh values and stores them (Cache-Control: no-cache); 'bypass' neither reads nor writes (no-store). */
export type CacheMode = 'normal' | 'refresh' | 'bypass';

/** What one read gave: the value, whether it came from the cache, and the tag versions it is stamped with. */
export interface ReadResult<T> {
  value: T;
  hit: boolean;
  /** A hit past its TTL, served within swr while one refresh runs. */
  stale: boolean;
  /** versions[i] is the version of the request's tags[i] the value is stamped with; null where unknown. */
  versions: (string | null)[];
}

export interface ReadOptions {
  mode?: CacheMode;
  /**
   * How the entry and its tags' versions are read; a request passes its batching loader, so
   * every field of one level shares one round trip. Default: one lookupMany of its own.
   */
  lookup?: (req: CacheRequest) => Promise<Lookup>;
  /** Keys the request may still write; past it, a miss is computed and not stored. */
  budget?: WriteBudget;
}

export interface TaggedCacheOptions {
  store: KeyValueStore;
  space: KeySpace;
  stats: StatsRecorder;
  logger: CacheLogger;
  compressMinBytes: number;
  maxEntryBytes: number;
  /** Tells in-process tiers of other instances which tag versions changed. */
  bus?: InvalidationBus;
  /** One computation per key across instances (a Redis lease); absent: once per process. */
  leases?: ComputeLeases;
  /** Entries live up to this fraction less than their TTL, at random (0 to 0.5), so entries written together do not expire together. Default 0. */
  ttlJitter?: number;
  now?: () => number;
}

/** Sorted, unique tags: the canonical order entries are stamped in. */
export function normalizeTags(tags: Iterable<string>): string[] {
  return [...new Set(tags)].sort();
}

/** Equal and all known: a null version never matches anything. */
function sameVersions(a: readonly (string | null)[], b: readonly (string | null)[]): boolean {
  return a.length === b.length && a.every((v, i) => v !== null && v === b[i]);
}

/** A fresh tag version: random, so two writers never give a tag the same one. */
export const newVersion = () => Buffer.from(randomBytes(6).toString('base64url'));

/** How often an instance waiting on another's lease looks for the value, in milliseconds. */
const LEASE_POLL_MS = 20;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The caching protocol: versioned tags, so a committed mutation is never undone by a slow
 * reader (the "stale set" race).
 *
 * - Every tag has a version in the store. A reader reads the versions of its tags together
 *   with the entries (one MGET) and, for a miss, creates the missing ones before it loads.
 * - The entry is stored stamped with those versions. A lookup whose stamps differ from the
 *   current versions is a miss; a tag without a version is a miss too, never a match.
 * - Invalidation writes a new version per tag (one write per tag however many entries
 *   depend on it), after the mutation has committed.
 *
 * A reader that loaded old data before a mutation committed therefore stores it stamped
 * with the version the mutation replaced, and nobody reads it.
 */
export class TaggedCache {
  readonly space: KeySpace;
  readonly stats: StatsRecorder;
  private readonly flights = new SingleFlight();
  /**
   * Values loaded in the last moment, with the versions they were stamped with. A request that
   * saw a miss just before a concurrent load finished would otherwise load again; it may take
   * this value instead only if it saw the very same tag versions (nothing was invalidated since).
   */
  private readonly justLoaded = new LRUCache<string, Stamped<unknown> & { freshUntil: number }>({ max: 10_000, ttl: 1000 });
  /** Tags whose invalidation could not be written yet: lookups treat them as changed until it is. */
  private readonly pendingTags = new Set<string>();
  /**
   * Tags the invalidation log changed that the relay could not apply to the store yet (Redis
   * unreachable, no in-process tier to invalidate instead): lookups treat them as changed here until it does.
   */
  private readonly unappliedTags = new Map<string, number>();
  private retryTimer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly opts: TaggedCacheOptions) {
    this.space = opts.space;
    this.stats = opts.stats;
    this.now = opts.now ?? Date.now;
  }

  /**
   * The value of one request: from the cache, or loaded (once per key in this process) and
   * stored stamped with the tag versions read before loading. The one read path: the GraphQL
   * binding and the tests both come through here.
   */
  async read<T>(req: CacheRequest, load: () => Promise<T>, opts: ReadOptions = {}): Promise<ReadResult<T>> {
    const mode = opts.mode ?? 'normal';
    if (mode === 'bypass') return { value: await this.counted(load)(), hit: false, stale: false, versions: req.tags.map(() => null) };
    if (mode === 'refresh') {
      const versions = await this.readVersions(req.tags);
      if (!this.withinBudget(versions, opts.budget)) return this.unstored(req, load);
      return { ...(await this.fillStamped(req, versions, load, false)), hit: false, stale: false };
    }
    const started = performance.now();
    const found = await (opts.lookup ? opts.lookup(req) : this.lookupMany([req]).then(([one]) => one));
    if (found.hit) {
      this.stats.record({ type: 'hit', label: req.label, key: req.key, ms: performance.now() - started });
      if (found.stale) this.refreshInBackground(req, load);
      return { value: found.value as T, hit: true, stale: found.stale, versions: found.entry.versions };
    }
    if (!this.withinBudget(found.versions, opts.budget)) return this.unstored(req, load);
    const filled = await this.fillStamped(req, found.versions, load, true);
    this.stats.record({ type: 'miss', label: req.label, key: req.key, ms: performance.now() - started });
    return { ...filled, hit: false, stale: false };
  }

  /** Takes the writes a miss may make (its entry, and each version it must create) from the request's budget. */
  private withinBudget(versions: readonly (string | null)[], budget: WriteBudget | undefined): boolean {
    if (!budget) return true;
    let writes = 1;
    for (const v of versions) if (v === null) writes++;
    return budget.take(writes);
  }

  /** A miss past the request's key budget: computed and answered, nothing written, so the response is not stored either. */
  private async unstored<T>(req: CacheRequest, load: () => Promise<T>): Promise<ReadResult<T>> {
    this.opts.logger.debug({ key: req.key }, 'request key budget spent; value computed, not cached');
    return { value: await this.counted(load)(), hit: false, stale: false, versions: req.tags.map(() => null) };
  }

  /** Entries and their tags' current versions for every request, in one store round trip. */
  async lookupMany(reqs: readonly CacheRequest[]): Promise<Lookup[]> {
    const tagIndex = new Map<string, number>();
    for (const r of reqs) for (const t of r.tags) if (!tagIndex.has(t)) tagIndex.set(t, tagIndex.size);
    const tagKeys = [...tagIndex.keys()].map((t) => tagKey(this.space, t));
    const values = await this.opts.store.getMany([...reqs.map((r) => r.key), ...tagKeys]);
    const versionOf = (t: string) => values[reqs.length + tagIndex.get(t)!]?.toString() ?? null;
    const now = this.now();
    return reqs.map((req, i) => {
      const versions = req.tags.map(versionOf);
      const bytes = values[i];
      if (!bytes) return { hit: false, versions };
      let entry: FieldEntry;
      try {
        entry = decodeFieldEntry(bytes);
      } catch (err) {
        this.stats.record({ type: 'error', op: 'decode' });
        this.opts.logger.warn({ err: (err as Error).message, key: req.key }, 'unreadable cache entry; treating it as a miss');
        return { hit: false, versions };
      }
      if (!this.stampsCurrent(req, entry, versions)) return { hit: false, versions };
      if (now < entry.freshUntil) return { hit: true, value: entry.value, stale: false, entry };
      if (now < entry.freshUntil + req.swrSeconds * 1000) return { hit: true, value: entry.value, stale: true, entry };
      return { hit: false, versions };
    });
  }

  /**
   * After a miss: runs load once per key in this process and stores its value stamped with
   * `versions` (read before loading; missing ones are created first). reuseJustLoaded lets a
   * miss take a value a concurrent load finished a moment ago; refreshes pass false, since
   * they exist to load again.
   */
  private async fillStamped<T>(
    req: CacheRequest,
    versions: readonly (string | null)[],
    load: () => Promise<T>,
    reuseJustLoaded: boolean,
  ): Promise<Stamped<T>>;
  private async fillStamped<T>(
    req: CacheRequest,
    versions: readonly (string | null)[],
    load: () => Promise<T>,
    reuseJustLoaded: boolean,
    whenLeased: 'skip',
  ): Promise<Stamped<T> | undefined>;
  private async fillStamped<T>(
    req: CacheRequest,
    versions: readonly (string | null)[],
    load: () => Promise<T>,
    reuseJustLoaded: boolean,
    whenLeased: 'wait' | 'skip' = 'wait',
  ): Promise<Stamped<T> | undefined> {
    // Missing versions are created (or learnt, if another reader just created them) first, so
    // every caller of one tag state agrees on its versions.
    const seen = versions.some((v) => v === null) ? await this.ensureVersions(req.tags, versions) : versions;
    if (reuseJustLoaded) {
      const recent = this.justLoaded.get(req.key) as (Stamped<T> & { freshUntil: number }) | undefined;
      if (recent && this.now() < recent.freshUntil && sameVersions(recent.versions, seen)) return { value: recent.value, versions: recent.versions };
    }
    // Only callers that saw the same tag versions share a load: one that looked after an
    // invalidation must not be handed a value loaded before it.
    return this.flights.run(`${req.key}\n${seen.join('\n')}\n${whenLeased}`, async () => {
      const done = await this.loadOnceAcrossInstances(req, seen, load, whenLeased, reuseJustLoaded);
      if (!done) return undefined;
      const { stored, ...stamped } = done;
      if (stored) this.justLoaded.set(req.key, { ...stamped, freshUntil: this.now() + this.ttlOf(req, stamped.value) * 1000 });
      return stamped;
    });
  }

  /**
   * Loads and stores the value unless another instance holds the key's lease: then waits for
   * the value it stores (whenLeased 'wait'), or leaves it to that instance ('skip', a stale
   * value's refresh). Without leases, or when Redis does not answer, it loads here.
   */
  private async loadOnceAcrossInstances<T>(
    req: CacheRequest,
    seen: readonly (string | null)[],
    load: () => Promise<T>,
    whenLeased: 'wait' | 'skip',
    reuseStored: boolean,
  ): Promise<(Stamped<T> & { stored: boolean }) | undefined> {
    const leases = this.opts.leases;
    if (!leases || seen.some((v) => v === null)) return this.loadAndStore(req, seen, load);
    // Each holder gets one lease's time; a reader waits for two holders at most.
    const giveUpAt = Date.now() + 2 * leases.leaseMs;
    for (;;) {
      const deadline = Math.min(Date.now() + leases.leaseMs, giveUpAt);
      const lease = await leases.acquire(req.key);
      if (lease.kind === 'unavailable') return this.loadAndStore(req, seen, load);
      if (lease.kind === 'acquired') {
        try {
          // The previous holder may have stored the value after this reader missed and released
          // its lease before this one was taken: a miss looks once more before computing (a
          // refresh exists to compute again).
          const stored = reuseStored ? await this.storedWith<T>(req, seen) : undefined;
          return stored ?? (await this.loadAndStore(req, seen, load));
        } finally {
          await lease.release();
        }
      }
      if (whenLeased === 'skip') return undefined;
      // Another instance computes: take its value once stored with the versions this reader saw.
      while (Date.now() < deadline) {
        await sleep(LEASE_POLL_MS);
        const [[found], held] = await Promise.all([this.lookupMany([req]), leases.isHeld(req.key)]);
        if (found.hit && sameVersions(found.entry.versions, seen)) return { value: found.value as T, versions: found.entry.versions, stored: false };
        // Invalidated meanwhile: the holder's value would be stamped with versions this reader
        // did not see; load here. A look Redis did not answer (versions unknown, null) proves
        // nothing: look again. Released (or run out) without a value: try to take the lease.
        if (!found.hit && found.versions.every((v) => v !== null) && !sameVersions(found.versions, seen)) return this.loadAndStore(req, seen, load);
        if (!held) break;
      }
      if (Date.now() >= giveUpAt) return this.loadAndStore(req, seen, load);
    }
  }

  /** The value stored under req's key with exactly the versions seen, fresh; undefined otherwise. */
  private async storedWith<T>(req: CacheRequest, seen: readonly (string | null)[]): Promise<(Stamped<T> & { stored: boolean }) | undefined> {
    const [found] = await this.lookupMany([req]);
    if (!found.hit || found.stale || !sameVersions(found.entry.versions, seen)) return undefined;
    return { value: found.value as T, versions: found.entry.versions, stored: false };
  }

  /** Serves a stale hit's refresh: one per key, versions read before loading, failures only logged. */
  private refreshInBackground<T>(req: CacheRequest, load: () => Promise<T>): void {
    this.stats.record({ type: 'stale' });
    // Across instances, one refresh: the one that takes the lease; the others keep serving stale.
    this.readVersions(req.tags)
      .then((versions) => this.fillStamped(req, versions, load, false, 'skip'))
      .catch((err) => this.opts.logger.warn({ err: (err as Error).message, key: req.key }, 'background refresh failed'));
  }

  /** The current versions of tags (null where none). */
  async readVersions(tags: readonly string[]): Promise<(string | null)[]> {
    const values = await this.opts.store.getMany(tags.map((t) => tagKey(this.space, t)));
    return values.map((v) => v?.toString() ?? null);
  }

  /**
   * Gives each tag a new version, so every entry stamped with an older one becomes a miss.
   * Call after the change has committed. Resolves with the number of tags invalidated; a
   * write the store refuses is retried, and until then this process treats the tags as changed.
   */
  async invalidate(tags: readonly string[]): Promise<number> {
    const unique = normalizeTags(tags);
    if (unique.length === 0) return 0;
    for (const t of unique) this.pendingTags.add(t);
    await this.flushPending();
    return unique.length;
  }

  /** Treats tags as changed in this process until releaseUnapplied (the relay's records are pending). */
  holdUnapplied(tags: readonly string[]): void {
    for (const t of tags) this.unappliedTags.set(t, (this.unappliedTags.get(t) ?? 0) + 1);
  }

  releaseUnapplied(tags: readonly string[]): void {
    for (const t of tags) {
      const n = (this.unappliedTags.get(t) ?? 0) - 1;
      if (n > 0) this.unappliedTags.set(t, n);
      else this.unappliedTags.delete(t);
    }
  }

  /** Stops background retries (shutdown). */
  dispose(): void {
    clearTimeout(this.retryTimer);
  }

  /**
   * Forgets what this process loaded a moment ago for keys that were just deleted (admin
   * invalidation by key or pattern): deleting a key changes no tag version, so a value kept
   * for reuse would otherwise still be handed to the next miss.
   */
  forget(keys: readonly string[]): void {
    for (const key of keys) this.justLoaded.delete(key);
  }

  private stampsCurrent(req: CacheRequest, entry: FieldEntry, versions: readonly (string | null)[]): boolean {
    if (entry.tags.length !== req.tags.length) return false;
    for (let i = 0; i < req.tags.length; i++) {
      if (entry.tags[i] !== req.tags[i]) return false;
      if (versions[i] === null || entry.versions[i] !== versions[i]) return false;
      if (this.pendingTags.has(req.tags[i]) || this.unappliedTags.has(req.tags[i])) return false;
    }
    return true;
  }

  private async loadAndStore<T>(
    req: CacheRequest,
    seen: readonly (string | null)[],
    load: () => Promise<T>,
  ): Promise<Stamped<T> & { stored: boolean }> {
    const { value, versions } = await this.loadStamped(req, seen, this.counted(load));
    const stampable = versions.every((v) => v !== null) && !this.anyPending(req.tags);
    const stored = stampable && (await this.store(req, versions as string[], value));
    return { value, versions: stampable ? versions : versions.map(() => null), stored };
  }

  /**
   * The protocol's ordering: the tags' versions are settled (created where missing) before the
   * value is loaded, so a value loaded before an invalidation carries the version it replaced.
   * Reading them after loading is the classic stale-set bug the race tests plant by overriding this.
   */
  protected async loadStamped<T>(
    req: CacheRequest,
    seen: readonly (string | null)[],
    load: () => Promise<T>,
  ): Promise<{ value: T; versions: (string | null)[] }> {
    const versions = await this.ensureVersions(req.tags, seen);
    return { value: await load(), versions };
  }

  /** load, counted as a computation when it runs (what leases exist to make rare). */
  private counted<T>(load: () => Promise<T>): () => Promise<T> {
    return () => {
      this.stats.record({ type: 'compute' });
      return load();
    };
  }

  /** True when one of tags has an invalidation this process could not write yet. */
  anyPending(tags: readonly string[]): boolean {
    return tags.some((t) => this.pendingTags.has(t) || this.unappliedTags.has(t));
  }

  /** Creates the versions that are missing (SET NX GET), keeping any another reader created first. */
  async ensureVersions(tags: readonly string[], seen: readonly (string | null)[]): Promise<(string | null)[]> {
    const missing = tags.map((t, i) => (seen[i] === null ? i : -1)).filter((i) => i >= 0);
    if (missing.length === 0) return [...seen];
    const created = await this.opts.store.setIfAbsent(
      // Short-lived until an entry is stored with it (store extends it to that entry's life): a
      // version created for an entity that does not exist goes with the negative entry.
      missing.map((i) => ({ key: tagKey(this.space, tags[i]), value: newVersion(), ttlMs: NEW_TAG_VERSION_TTL_SECONDS * 1000 })),
    );
    const out = [...seen];
    missing.forEach((i, j) => (out[i] = created[j]?.toString() ?? null));
    return out;
  }

  /** A not-found answer is cached briefly: long enough to absorb a burst, short enough not to hide a create. */
  private ttlOf(req: CacheRequest, value: unknown): number {
    return value === null ? Math.min(req.ttlSeconds, NEGATIVE_TTL_SECONDS) : req.ttlSeconds;
  }

  /** Stores an entry; false when it was too large or the store refused it. */
  private async store(req: CacheRequest, versions: string[], value: unknown): Promise<boolean> {
    // Jitter only shortens: an entry never outlives the TTL its field declares.
    const ttlMs = this.ttlOf(req, value) * 1000 * (1 - (this.opts.ttlJitter ?? 0) * Math.random());
    const now = this.now();
    const { bytes } = encodeFieldEntry({ value, tags: [...req.tags], versions, freshUntil: now + ttlMs, createdAt: now }, this.opts.compressMinBytes);
    if (bytes.length > this.opts.maxEntryBytes) {
      this.stats.record({ type: 'oversize' });
      this.opts.logger.debug({ key: req.key, bytes: bytes.length }, 'value larger than CACHE_MAX_ENTRY_BYTES; not cached');
      return false;
    }
    const entryTtlMs = ttlMs + req.swrSeconds * 1000;
    const [ok] = await Promise.all([
      this.opts.store.setMany([{ key: req.key, value: bytes, ttlMs: entryTtlMs }]),
      // A found value keeps its tags' versions as long as itself; a not-found one leaves them short-lived.
      value === null
        ? undefined
        : this.opts.store.extendTtl?.(
            req.tags.map((t) => tagKey(this.space, t)),
            entryTtlMs,
          ),
    ]);
    if (ok) this.stats.record({ type: 'set', count: 1 });
    return ok;
  }

  private async flushPending(): Promise<void> {
    clearTimeout(this.retryTimer);
    const tags = [...this.pendingTags];
    if (tags.length === 0) return;
    const keys = tags.map((t) => tagKey(this.space, t));
    const ok = await this.opts.store.setMany(keys.map((key) => ({ key, value: newVersion(), ttlMs: TAG_VERSION_TTL_SECONDS * 1000 })));
    if (ok) {
      for (const t of tags) this.pendingTags.delete(t);
      this.stats.record({ type: 'invalidate', count: tags.length });
      await this.opts.bus?.publish(keys).catch((err) => this.opts.logger.warn({ err: (err as Error).message }, 'could not publish invalidation'));
      return;
    }
    this.opts.logger.warn({ tags }, 'invalidation not written (cache store unavailable); retrying, and treating the tags as changed meanwhile');
    this.retryTimer = setTimeout(() => void this.flushPending(), 1000);
    this.retryTimer.unref();
  }
}
