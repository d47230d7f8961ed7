import type { AdminStore, ServerInfo } from './admin-store';
import type { CircuitBreaker, CircuitState } from './circuit-breaker';
import { summarizeEntry } from './codec';
import { CacheRequestError, CacheUnavailableError } from './errors';
import { globToRegExp, invalidGlobReason } from './glob';
import {
  isBookkeepingKey,
  isPrivateKeyOf,
  isUnderPrefix,
  type KeyKind,
  keyKind,
  type KeySpace,
  patternUnderPrefix,
  tagKey,
  userKeysPattern,
} from './keys';
import type { MemoryStore } from './memory-store';
import type { Counters } from './stats';
import type { StatsAggregator } from './stats-aggregator';
import type { RelayHealth } from './invalidation-relay';
import type { InvalidationBus } from './store';
import { normalizeTags, type TaggedCache } from './tagged-cache';
import { invalidTagReason, userTag } from './tags';

/** More tags than this in one invalidation is refused (split the call). */
export const MAX_TAGS_PER_CALL = 1000;
export const MAX_PATTERN_LENGTH = 1024;
/** SCAN COUNT: keys Redis looks at per call while enumerating the prefix. */
export const SCAN_BATCH = 1000;
/** How long a key count (one SCAN of the keyspace) is reused, in milliseconds. */
export const KEY_COUNT_MAX_AGE_MS = 10_000;

export interface CacheAdminOptions {
  cache: TaggedCache;
  store: AdminStore;
  /** The in-process tier, alone (backend memory) or in front of Redis. */
  memory?: MemoryStore;
  /** Tells other instances to drop keys from their in-process tiers. */
  bus?: InvalidationBus;
  breaker?: CircuitBreaker;
  aggregator?: StatsAggregator;
  /** Where the cache stands against the database's invalidation log; null without a relay. */
  invalidation?: () => RelayHealth | null;
  /** Where Redis is, passwords masked (describeTopology), for health answers. */
  redisLocation?: string;
}

export interface StatsReport {
  backend: 'redis' | 'memory';
  /** 'deployment' when the counters are the sum over every instance (from Redis); 'process' when they are this process's own. */
  scope: 'deployment' | 'process';
  redisAvailable: boolean;
  counters: Counters;
  uptimeSeconds: number;
  l1Entries: number;
  l1Bytes: number;
  redisUsedMemoryBytes: number | null;
  redisUsedMemoryHuman: string | null;
  /** Keys under the prefix (stats hashes excluded); see keyCount. */
  keyCount: number | null;
  /** Seconds since the counters began: the last reset (or, without one, the hashes' creation or this process's start). */
  sinceResetSeconds: number;
  /** The Redis server's own INFO: every application on it; null without Redis or when it did not answer. */
  redis: ServerInfo | null;
  /** Set when the stats hashes were found gone (evicted under allkeys-lru, or expired): counts before then are lost. */
  lost: { at: number; times: number } | null;
}

export interface HealthNumbers {
  /** hits / (hits + misses) of the counters cacheStats reports (deployment or process). */
  hitRate: number;
  /** The in-process tier's size. */
  l1Bytes: number;
  l1MaxBytes: number;
  redisUsedMemoryBytes: number | null;
  /** maxmemory, null without Redis or without a limit. */
  redisMaxMemoryBytes: number | null;
}

export interface HealthReport {
  healthy: boolean;
  backend: 'redis' | 'memory';
  /** The Redis circuit breaker's state; 'none' without Redis (as /readyz says). */
  circuit: CircuitState | 'none';
  /** True when an in-process tier sits in front of Redis. */
  tiered: boolean;
  redis: { available: boolean; latencyMs: number | null; url: string } | null;
  /** Figures an operator watches; none of them tells anything about a key, a value or a user. */
  numbers: HealthNumbers;
  /** The relay of the invalidation log: null when the gateway runs without one. */
  invalidation: RelayHealth | null;
}

export interface TagState {
  tag: string;
  /** True when the tag's version is the one the entry was stamped with: the entry is still valid for this tag. */
  current: boolean;
  stampedVersion: string | null;
  currentVersion: string | null;
}

export interface EntryReport {
  key: string;
  kind: KeyKind;
  exists: boolean;
  /** Redis type ('string', 'hash' …), null when absent. */
  type: string | null;
  ttlSeconds: number | null;
  bytes: number | null;
  compressed: boolean | null;
  tags: string[];
  tagStates: TagState[];
  /** Epoch ms. */
  createdAt: number | null;
  freshUntil: number | null;
}

export interface InvalidationReport {
  /** Tags given a new version plus keys deleted (or, in a dry run, that would be). */
  invalidated: number;
  tags: string[];
  deletedKeys: number;
  dryRun: boolean;
}

export interface DryRun {
  /** Count what would be invalidated, change nothing. */
  dryRun?: boolean;
}

/**
 * Cache administration for one gateway: deployment-wide stats, health, reading an entry
 * back, and invalidation by tag, key, pattern or user. Everything stays under this gateway's
 * prefix: patterns match the part of a key after `{prefix}:`, and keys outside it are refused.
 * Knows no GraphQL (src/admin exposes it) and no domain (the admin layer maps a dataset or a
 * model to its tag).
 */
export class CacheAdmin {
  readonly backend: 'redis' | 'memory';
  readonly space: KeySpace;
  private keyCountCache?: { at: number; value: Promise<number> };

  constructor(private readonly opts: CacheAdminOptions) {
    this.backend = opts.store.backend;
    this.space = opts.cache.space;
  }

  /** The counters (deployment-wide with Redis, after flushing this process's own), the tiers' sizes and the key count. */
  async stats(): Promise<StatsReport> {
    const { aggregator, memory, store } = this.opts;
    let counters = this.opts.cache.stats.snapshot();
    let scope: StatsReport['scope'] = 'process';
    let redisAvailable = false;
    let usedMemory: ServerInfo | undefined;
    let since = this.opts.cache.stats.resetAt;
    let lost: StatsReport['lost'] = null;
    if (aggregator) {
      try {
        await aggregator.flush();
        const read = await aggregator.readWithMeta();
        counters = read.counters;
        if (read.meta.since !== null) since = read.meta.since;
        if (read.meta.lostAt !== null) lost = { at: read.meta.lostAt, times: read.meta.losses };
        scope = 'deployment';
        redisAvailable = true;
      } catch {
        // Redis is down: this process's own counts are the best answer there is.
      }
      usedMemory = await store.serverInfo().catch(() => undefined);
    }
    return {
      sinceResetSeconds: Math.max(0, (Date.now() - since) / 1000),
      redis: usedMemory ?? null,
      lost,
      backend: this.backend,
      scope,
      redisAvailable,
      counters,
      uptimeSeconds: (Date.now() - this.opts.cache.stats.startedAt) / 1000,
      l1Entries: memory?.entryCount ?? 0,
      l1Bytes: memory?.bytes ?? 0,
      redisUsedMemoryBytes: usedMemory && Number.isFinite(usedMemory.usedBytes) ? usedMemory.usedBytes : null,
      redisUsedMemoryHuman: usedMemory?.usedHuman || null,
      keyCount: await this.keyCount().catch(() => null),
    };
  }

  /** Zeroes the counters: in Redis for the whole deployment, and this process's own. */
  async resetStats(): Promise<void> {
    if (this.opts.aggregator) await this.unavailableOnError('reset the stats', () => this.opts.aggregator!.reset());
    else this.opts.cache.stats.reset();
  }

  /**
   * Keys under the prefix, stats hashes excluded. With Redis: one SCAN of the keyspace (MATCH
   * `{prefix}:*`; DBSIZE would count other applications' keys), reused for
   * KEY_COUNT_MAX_AGE_MS and shared by concurrent callers; an invalidation here drops it. A
   * key SCAN returns twice while Redis rehashes is counted twice.
   */
  keyCount(): Promise<number> {
    if (this.backend === 'memory') return Promise.resolve([...(this.opts.memory?.keysWithPrefix(`${this.space.prefix}:`) ?? [])].length);
    const cached = this.keyCountCache;
    if (cached && Date.now() - cached.at < KEY_COUNT_MAX_AGE_MS) return cached.value;
    const value = (async () => {
      let n = 0;
      for await (const batch of this.opts.store.scan(patternUnderPrefix(this.space, '*'), SCAN_BATCH))
        n += batch.filter((k) => !isBookkeepingKey(this.space, k)).length;
      return n;
    })();
    const entry = { at: Date.now(), value };
    this.keyCountCache = entry;
    value.catch(() => {
      if (this.keyCountCache === entry) this.keyCountCache = undefined;
    });
    return value;
  }

  /**
   * Health, and the figures operators watch beside it: the hit rate (this instance's counts, so
   * an open health check costs no Redis read of the stats) and memory.
   */
  async health(): Promise<HealthReport> {
    const circuit = this.opts.breaker?.state ?? 'none';
    const counts = this.opts.cache.stats.snapshot();
    const numbers: HealthNumbers = {
      hitRate: counts.hits + counts.misses === 0 ? 0 : counts.hits / (counts.hits + counts.misses),
      l1Bytes: this.opts.memory?.bytes ?? 0,
      l1MaxBytes: this.opts.memory?.maxBytes ?? 0,
      redisUsedMemoryBytes: null,
      redisMaxMemoryBytes: null,
    };
    const invalidation = this.opts.invalidation?.() ?? null;
    // Behind the log or failing to apply it: entries may be stale, whatever PING says.
    const invalidating = !invalidation || (invalidation.lag === 0 && invalidation.failures === 0);
    if (this.backend === 'memory') return { healthy: invalidating, backend: 'memory', circuit, tiered: false, redis: null, invalidation, numbers };
    let latencyMs: number | null;
    try {
      latencyMs = Math.round((await this.opts.store.ping()) * 100) / 100;
    } catch {
      // Unreachable: reported as such below.
      latencyMs = null;
    }
    const available = latencyMs !== null;
    if (available) {
      const info = await this.opts.store.serverInfo().catch(() => undefined);
      if (info && Number.isFinite(info.usedBytes)) numbers.redisUsedMemoryBytes = info.usedBytes;
      if (info && info.maxBytes > 0) numbers.redisMaxMemoryBytes = info.maxBytes;
    }
    return {
      numbers,
      healthy: available && circuit === 'closed' && invalidating,
      backend: 'redis',
      circuit,
      tiered: Boolean(this.opts.memory),
      redis: { available, latencyMs, url: this.opts.redisLocation ?? '' },
      invalidation,
    };
  }

  /** One key read back: TTL, size, compression, and for entries their tags and whether each is still current. */
  async entry(key: string): Promise<EntryReport> {
    this.assertUnderPrefix(key);
    const found = await this.unavailableOnError('read the key', () => this.opts.store.inspect(key));
    const report: EntryReport = {
      key,
      kind: keyKind(this.space, key),
      exists: found.exists,
      type: found.exists ? found.type : null,
      ttlSeconds: found.ttlMs === null ? null : found.ttlMs / 1000,
      bytes: found.value?.length ?? null,
      compressed: null,
      tags: [],
      tagStates: [],
      createdAt: null,
      freshUntil: null,
    };
    if (!found.value || (report.kind !== 'field' && report.kind !== 'response')) return report;
    const summary = summarizeEntry(found.value);
    if (!summary || summary.kind !== report.kind) return report;
    const { tags, versions: stamped } = summary;
    report.compressed = summary.compressed;
    report.createdAt = numberOrNull(summary.createdAt);
    report.freshUntil = numberOrNull(summary.freshUntil);
    const current = await this.unavailableOnError('read tag versions', () => this.opts.store.getMany(tags.map((t) => tagKey(this.space, t))));
    report.tags = tags;
    report.tagStates = tags.map((tag, i) => {
      const currentVersion = current[i]?.toString() ?? null;
      const stampedVersion = stamped[i] ?? null;
      return { tag, stampedVersion, currentVersion, current: currentVersion !== null && currentVersion === stampedVersion };
    });
    return report;
  }

  /** New versions for tags: every entry stamped with an old one becomes a miss (one write per tag). */
  async invalidateTags(tags: readonly string[], opts: DryRun = {}): Promise<InvalidationReport> {
    const unique = this.validTags(tags);
    const invalidated = opts.dryRun ? unique.length : await this.opts.cache.invalidate(unique);
    this.keyCountCache = undefined;
    return { invalidated, tags: unique, deletedKeys: 0, dryRun: Boolean(opts.dryRun) };
  }

  /** Deletes one key under the prefix, from Redis and from every instance's in-process tier. */
  async invalidateKey(key: string, opts: DryRun = {}): Promise<InvalidationReport> {
    this.assertUnderPrefix(key);
    const deletedKeys = opts.dryRun
      ? Number((await this.unavailableOnError('read the key', () => this.opts.store.inspect(key))).exists)
      : await this.dropKeys([key]);
    return { invalidated: deletedKeys, tags: [], deletedKeys, dryRun: Boolean(opts.dryRun) };
  }

  /** Deletes the keys whose part after `{prefix}:` matches a Redis glob (SCAN in batches, UNLINK). */
  async invalidatePattern(pattern: string, opts: DryRun = {}): Promise<InvalidationReport> {
    if (pattern.length > MAX_PATTERN_LENGTH) throw new CacheRequestError(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
    const reason = invalidGlobReason(pattern);
    if (reason) throw new CacheRequestError(`invalid pattern ${JSON.stringify(pattern)}: ${reason}`, { pattern });
    const deletedKeys = await this.deleteMatching(pattern, Boolean(opts.dryRun));
    return { invalidated: deletedKeys, tags: [], deletedKeys, dryRun: Boolean(opts.dryRun) };
  }

  /** Everything private to a user: their tag (`User:{id}`) gets a new version and their PRIVATE entries are deleted. */
  async invalidateUser(userId: string, opts: DryRun = {}): Promise<InvalidationReport> {
    if (userId === '') throw new CacheRequestError('userId is empty');
    const tags = this.validTags([userTag(userId)]);
    const deletedKeys = await this.deleteMatching(userKeysPattern(userId), Boolean(opts.dryRun), (k) => isPrivateKeyOf(this.space, k, userId));
    const invalidatedTags = opts.dryRun ? tags.length : await this.opts.cache.invalidate(tags);
    return { invalidated: invalidatedTags + deletedKeys, tags, deletedKeys, dryRun: Boolean(opts.dryRun) };
  }

  /**
   * Deletes every cache key of this gateway's prefix (entries, whole responses, tag versions),
   * from Redis and the in-process tiers, and nothing else: no other prefix, no tag bump, and
   * the stats hashes stay (resetStats zeroes those).
   */
  async clear(opts: DryRun = {}): Promise<InvalidationReport> {
    const deletedKeys = await this.deleteMatching('*', Boolean(opts.dryRun));
    return { invalidated: deletedKeys, tags: [], deletedKeys, dryRun: Boolean(opts.dryRun) };
  }

  private validTags(tags: readonly string[]): string[] {
    if (tags.length > MAX_TAGS_PER_CALL)
      throw new CacheRequestError(`at most ${MAX_TAGS_PER_CALL} tags per call (got ${tags.length}); split the call`);
    const problems = tags.flatMap((t) => invalidTagReason(t) ?? []);
    if (problems.length > 0) {
      const shown = problems.slice(0, 5).join('; ');
      throw new CacheRequestError(`${shown}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`, { invalidTags: problems.length });
    }
    return normalizeTags(tags);
  }

  private assertUnderPrefix(key: string): void {
    if (!isUnderPrefix(this.space, key)) {
      throw new CacheRequestError(`key ${JSON.stringify(key)} is outside this gateway's prefix "${this.space.prefix}:"`, {
        prefix: this.space.prefix,
      });
    }
  }

  /** SCANs `{prefix}:{pattern}` and deletes (or, dry, counts) what it finds; returns the count. */
  private async deleteMatching(pattern: string, dryRun: boolean, accept: (key: string) => boolean = () => true): Promise<number> {
    const match = patternUnderPrefix(this.space, pattern);
    const wanted = (k: string) => isUnderPrefix(this.space, k) && !isBookkeepingKey(this.space, k) && accept(k);
    const seen = new Set<string>();
    let deleted = 0;
    await this.unavailableOnError(dryRun ? 'count keys' : 'delete keys', async () => {
      for await (const batch of this.opts.store.scan(match, SCAN_BATCH)) {
        const keys = batch.filter(wanted);
        if (keys.length === 0) continue;
        if (dryRun) for (const k of keys) seen.add(k);
        else deleted += await this.dropKeys(keys);
      }
    });
    if (dryRun) return seen.size;
    // Copies in the in-process tier whose Redis key has expired already: drop them too, here and elsewhere.
    const { memory, bus } = this.opts;
    if (memory && this.backend === 'redis') {
      const re = globToRegExp(match);
      const local = [...memory.keysWithPrefix(`${this.space.prefix}:`)].filter((k) => re.test(k) && wanted(k));
      await memory.delete(local);
      this.opts.cache.forget(local);
      await bus?.publish(local);
    }
    this.keyCountCache = undefined;
    return deleted;
  }

  /** Deletes keys from the shared store and every in-process tier; resolves with how many the store held. */
  private async dropKeys(keys: readonly string[]): Promise<number> {
    const n = await this.unavailableOnError('delete keys', () => this.opts.store.unlink(keys));
    // Deletions by key, pattern, user or clear count as deletes, like tags given a new version.
    if (n > 0) this.opts.cache.stats.record({ type: 'delete', count: n });
    this.opts.cache.forget(keys);
    const { memory, bus } = this.opts;
    if (this.backend === 'redis') {
      await memory?.delete(keys);
      // Published whatever this instance's own tiers: other instances may hold copies (issue 21).
      await bus?.publish(keys);
    }
    this.keyCountCache = undefined;
    return n;
  }

  private async unavailableOnError<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof CacheRequestError) throw err;
      throw new CacheUnavailableError(what, err);
    }
  }
}

const numberOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
