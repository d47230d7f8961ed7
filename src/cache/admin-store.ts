import { repliesOf } from './redis-store';
import { mastersOf, mgetBuffers, type RedisClient, unlinkKeys } from './redis-topology';
import { globToRegExp } from './glob';
import type { MemoryStore } from './memory-store';

/**
 * What cache administration needs from a backend beyond the store port: enumerating keys,
 * deleting them, reading one back with its TTL, and the server's own state. Implemented for
 * Redis (SCAN, UNLINK, PTTL, INFO, PING) and for the in-process MemoryStore.
 *
 * Unlike the request path, these calls report failures (an admin must know a clear did not
 * happen); they never FLUSH and never KEYS: the Redis is shared with other applications.
 */
export interface AdminStore {
  readonly backend: 'redis' | 'memory';
  /** Keys matching a Redis glob (SCAN MATCH … COUNT batchSize), a batch at a time; a key may repeat across batches. */
  scan(match: string, batchSize: number): AsyncIterable<string[]>;
  /** Deletes keys (UNLINK: freed in the background); resolves with how many existed. */
  unlink(keys: readonly string[]): Promise<number>;
  /** Values of keys in order, null where absent (or not a string). */
  getMany(keys: readonly string[]): Promise<(Buffer | null)[]>;
  /** One key: its value if it is a string, its type, and its remaining TTL. */
  inspect(key: string): Promise<KeyInspection>;
  /** Round trip time of a PING, in milliseconds. */
  ping(): Promise<number>;
  /** INFO memory of the server; undefined for the in-process store. */
  memoryInfo(): Promise<{ usedBytes: number; usedHuman: string } | undefined>;
}

export interface KeyInspection {
  exists: boolean;
  /** 'string', 'hash', … ('none' when absent). */
  type: string;
  /** The value of a string key; null otherwise. */
  value: Buffer | null;
  /** Remaining time to live in milliseconds; null when the key is absent or never expires. */
  ttlMs: number | null;
}

/**
 * Administration of a Redis, on a connection of its own (see runtime.ts): not bound by the
 * request path's short timeout. On a cluster, SCAN and INFO run on every master (each holds its
 * own slots' keys) and multi-key commands are split by hash slot.
 */
export class RedisAdminStore implements AdminStore {
  readonly backend = 'redis';

  constructor(readonly client: RedisClient) {}

  async *scan(match: string, batchSize: number): AsyncIterable<string[]> {
    for (const node of mastersOf(this.client)) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', batchSize);
        cursor = next;
        if (keys.length > 0) yield keys;
      } while (cursor !== '0');
    }
  }

  async unlink(keys: readonly string[]): Promise<number> {
    return unlinkKeys(this.client, keys);
  }

  async getMany(keys: readonly string[]): Promise<(Buffer | null)[]> {
    return mgetBuffers(this.client, keys);
  }

  async inspect(key: string): Promise<KeyInspection> {
    const [type, pttl] = repliesOf(await this.client.multi().type(key).pttl(key).exec()) as [string, number];
    if (type === 'none') return { exists: false, type, value: null, ttlMs: null };
    // Read after TYPE: GET on a hash would fail with WRONGTYPE.
    const value = type === 'string' ? await this.client.getBuffer(key) : null;
    return { exists: true, type, value, ttlMs: pttl >= 0 ? pttl : null };
  }

  async ping(): Promise<number> {
    const started = performance.now();
    await this.client.ping();
    return performance.now() - started;
  }

  /** used_memory of the Redis, or the sum over a cluster's masters. */
  async memoryInfo(): Promise<{ usedBytes: number; usedHuman: string }> {
    const masters = mastersOf(this.client);
    const infos = await Promise.all(masters.map((m) => m.info('memory')));
    const field = (info: string, name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
    if (infos.length === 1)
      return { usedBytes: Number(field(infos[0], 'used_memory') ?? NaN), usedHuman: field(infos[0], 'used_memory_human') ?? '' };
    const usedBytes = infos.reduce((sum, info) => sum + Number(field(info, 'used_memory') ?? NaN), 0);
    return { usedBytes, usedHuman: `${(usedBytes / 1024 / 1024).toFixed(2)}M` };
  }
}

/** Administration of the in-process tier alone (no REDIS_URL): the same operations over the LRU. */
export class MemoryAdminStore implements AdminStore {
  readonly backend = 'memory';

  constructor(readonly memory: MemoryStore) {}

  async *scan(match: string, batchSize: number): AsyncIterable<string[]> {
    const re = globToRegExp(match);
    // Snapshot first: deleting while iterating the LRU would skip entries.
    const keys = [...this.memory.keysWithPrefix()].filter((k) => re.test(k));
    for (let i = 0; i < keys.length; i += batchSize) yield keys.slice(i, i + batchSize);
  }

  unlink(keys: readonly string[]): Promise<number> {
    return this.memory.delete(keys);
  }

  getMany(keys: readonly string[]): Promise<(Buffer | null)[]> {
    return this.memory.getMany(keys);
  }

  async inspect(key: string): Promise<KeyInspection> {
    const [value] = await this.memory.getMany([key]);
    if (!value) return { exists: false, type: 'none', value: null, ttlMs: null };
    return { exists: true, type: 'string', value, ttlMs: this.memory.remainingTtlMs(key) ?? null };
  }

  async ping(): Promise<number> {
    return 0;
  }

  async memoryInfo(): Promise<undefined> {
    return undefined;
  }
}
