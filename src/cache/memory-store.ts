import { LRUCache } from 'lru-cache';
import type { KeyValueStore, StoreEntry } from './store';

/** Per-entry bookkeeping that lru-cache does not count in the value itself. */
const ENTRY_OVERHEAD_BYTES = 64;

/**
 * The in-process tier: a byte-bounded LRU with per-entry TTLs. Used alone when there is no
 * Redis, and as the first tier in front of Redis.
 */
export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory';
  private readonly lru: LRUCache<string, Buffer>;

  constructor(readonly maxBytes: number) {
    this.lru = new LRUCache<string, Buffer>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (value, key) => value.length + key.length * 2 + ENTRY_OVERHEAD_BYTES,
      ttlAutopurge: false,
    });
  }

  async getMany(keys: readonly string[]): Promise<(Buffer | null)[]> {
    return this.peekMany(keys);
  }

  peekMany(keys: readonly string[]): (Buffer | null)[] {
    return keys.map((k) => this.lru.get(k) ?? null);
  }

  async setMany(entries: readonly StoreEntry[]): Promise<boolean> {
    for (const e of entries) this.lru.set(e.key, e.value, { ttl: e.ttlMs });
    return true;
  }

  async setIfAbsent(entries: readonly StoreEntry[]): Promise<(Buffer | null)[]> {
    return entries.map((e) => {
      const existing = this.lru.get(e.key);
      if (existing) return existing;
      this.lru.set(e.key, e.value, { ttl: e.ttlMs });
      return e.value;
    });
  }

  async extendTtl(keys: readonly string[], ttlMs: number): Promise<void> {
    for (const k of keys) {
      const value = this.lru.get(k);
      if (value && this.lru.getRemainingTTL(k) < ttlMs) this.lru.set(k, value, { ttl: ttlMs });
    }
  }

  async delete(keys: readonly string[]): Promise<number> {
    let n = 0;
    for (const k of keys) if (this.lru.delete(k)) n++;
    return n;
  }

  /** Drops every entry: the tier is this process's own, so clearing it touches no one else. */
  clear(): void {
    this.lru.clear();
  }

  /** Keys with the prefix (admin enumeration of the in-process tier). */
  *keysWithPrefix(prefix = ''): Iterable<string> {
    for (const k of this.lru.keys()) if (k.startsWith(prefix)) yield k;
  }

  remainingTtlMs(key: string): number | undefined {
    if (!this.lru.has(key)) return undefined;
    const ms = this.lru.getRemainingTTL(key);
    return Number.isFinite(ms) ? ms : undefined;
  }

  get entryCount(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }
}
