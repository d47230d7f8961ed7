/**
 * The cache store port: the one abstraction every tier implements. Everything else in
 * src/cache (errors-as-misses, tiering, tags, compression, stats) wraps or uses it.
 *
 * There is deliberately no `flush()`: a store is shared with other gateways and other
 * applications, so clearing means deleting this gateway's own keys (see the admin scanner).
 */
export interface StoreEntry {
  key: string;
  value: Buffer;
  /** Time to live in milliseconds. */
  ttlMs: number;
}

export interface KeyValueStore {
  /** 'redis', 'memory' or 'tiered'. */
  readonly kind: string;
  /** The values of keys, in order, null where absent. One round trip. */
  getMany(keys: readonly string[]): Promise<(Buffer | null)[]>;
  /** Writes every entry, in one round trip where the backend allows; false when it could not. */
  setMany(entries: readonly StoreEntry[]): Promise<boolean>;
  /**
   * For each entry: stores it only if its key is absent; returns what the key holds afterwards
   * (the existing value or the one just stored), in order, or null where the store could not answer.
   */
  setIfAbsent(entries: readonly StoreEntry[]): Promise<(Buffer | null)[]>;
  /** Deletes keys; resolves with how many existed. */
  delete(keys: readonly string[]): Promise<number>;
  /**
   * The values of keys right away, when this process's memory alone can answer for all of
   * them (a hit needs no waiting); undefined when getMany would have to ask another tier.
   */
  peekMany?(keys: readonly string[]): (Buffer | null)[] | undefined;
  /**
   * Deletes key only while it holds value, atomically; false when it held something else, or
   * nothing. Shared stores have it (a lease is released only by its holder).
   */
  deleteIfEquals?(key: string, value: Buffer): Promise<boolean>;
  /**
   * Adds amount to the integer at key unless the total would pass ceiling, atomically; a key
   * created by it expires after ttlMs. Resolves with the total afterwards (or the unchanged one
   * when refused), or null where the store could not answer. Shared stores have it (rate limits).
   */
  addWithin?(key: string, amount: number, ceiling: number, ttlMs: number): Promise<{ total: number; added: boolean } | null>;
  /**
   * Lengthens the time to live of the keys that exist to at least ttlMs (never shortens, never
   * changes a value). A tag version created short-lived lives as long as the entries stamped with it.
   */
  extendTtl?(keys: readonly string[], ttlMs: number): Promise<void>;
}

/** A store that can tell others about invalidations (Redis pub/sub), so in-process tiers drop what changed. */
export interface InvalidationBus {
  publish(keys: readonly string[]): Promise<void>;
}
