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
  /** INFO memory and INFO stats of the server; undefined for the in-process store. */
  serverInfo(): Promise<ServerInfo | undefined>;
}

/** What the Redis server says of itself: the whole server, every application on it. NaN where it did not say. */
export interface ServerInfo {
  usedBytes: number;
  usedHuman: string;
  /** maxmemory; 0 means no limit. */
  maxBytes: number;
  /** maxmemory-policy, e.g. allkeys-lru. */
  policy: string;
  /** keyspace_hits, keyspace_misses, evicted_keys of INFO stats (since the server started or CONFIG RESETSTAT). */
  keyspaceHits: number;
  keyspaceMisses: number;
  evictedKeys: number;
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

  /** Memory and keyspace figures of the Redis, summed over a cluster's masters. */
  async serverInfo(): Promise<ServerInfo> {
    const infos = await Promise.all(
      mastersOf(this.client).map(async (m) => repliesOf(await m.pipeline().info('memory').info('stats').exec()) as [string, string]),
    );
    const field = (info: string, name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
    const sum = (part: 0 | 1, name: string) => infos.reduce((total, info) => total + Number(field(info[part], name) ?? NaN), 0);
    const usedBytes = sum(0, 'used_memory');
    return {
      usedBytes,
      usedHuman: infos.length === 1 ? (field(infos[0][0], 'used_memory_human') ?? '') : `${(usedBytes / 1024 / 1024).toFixed(2)}M`,
      maxBytes: sum(0, 'maxmemory'),
      policy: field(infos[0]?.[0] ?? '', 'maxmemory_policy') ?? '',
      keyspaceHits: sum(1, 'keyspace_hits'),
      keyspaceMisses: sum(1, 'keyspace_misses'),
      evictedKeys: sum(1, 'evicted_keys'),
    };
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

  async serverInfo(): Promise<undefined> {
    return undefined;
  }
}
