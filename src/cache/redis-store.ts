import type { RedisOptions } from 'ioredis';
import { batchReads, type ReadMany } from './read-batch';
import { closeRedis, connectRedis, mgetBuffers, type RedisClient, type RedisTopology, unlinkKeys } from './redis-topology';
import type { KeyValueStore, StoreEntry } from './store';

export interface RedisStoreOptions {
  /** One Redis; give topology instead for a cluster or Sentinel. */
  url?: string;
  topology?: RedisTopology;
  /** A command slower than this fails (and the caller computes instead), in milliseconds. */
  commandTimeoutMs: number;
  /** Connections to spread commands over. Default 1. A cluster keeps one connection per node instead. */
  poolSize?: number;
}

/**
 * ioredis options for the request path. The defaults suit a job queue, not a cache: they
 * retry a command up to 20 times and queue commands while disconnected, so requests would
 * wait on a dead Redis, and a queued write replayed after a reconnect can reinstate stale data.
 */
export function requestPathOptions(commandTimeoutMs: number): RedisOptions {
  return {
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(1000, commandTimeoutMs * 10),
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    retryStrategy: reconnectBackoff,
    connectionName: 'cachegate',
  };
}

/** How long to wait before reconnecting attempt n: keep trying in the background, never faster than 50 ms nor slower than 2 s. */
export function reconnectBackoff(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 6), 2000);
}

/** Resolves when client is ready, or rejects after timeoutMs. */
export function whenReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis not ready after ${timeoutMs} ms`)), timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The replies of a pipeline or MULTI, or the first error among them. */
export function repliesOf(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('Redis pipeline was not executed');
  for (const [err] of results) if (err) throw err;
  return results.map(([, value]) => value);
}

/** A Redis call that did not answer within the request path's deadline. */
export class CacheTimeoutError extends Error {
  constructor(
    readonly op: string,
    readonly timeoutMs: number,
  ) {
    super(`Redis ${op} did not answer within ${timeoutMs} ms`);
    this.name = 'CacheTimeoutError';
  }
}

/**
 * Rejects with CacheTimeoutError when call has not settled ms after it was made. The verdict
 * is given only after the event loop's next I/O phase: under a burst the loop itself runs
 * late, and a reply already waiting in the socket is not a slow Redis. (ioredis's own
 * commandTimeout fails such replies, and a 200-request storm then loads its value more than once.)
 */
export function withDeadline<T>(call: Promise<T>, ms: number, op: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // A promise settles once: a reply read in that I/O phase wins over the pending verdict.
    const timer = setTimeout(() => setImmediate(() => reject(new CacheTimeoutError(op, ms))), ms);
    call.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Deletes a key only while it holds the given value (a lease's token): one round trip, atomic. */
const DELETE_IF_EQUALS = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/**
 * Adds ARGV[1] to KEYS[1] unless the total would pass ARGV[2]; a counter without an expiry gets
 * ARGV[3] ms. One round trip, atomic, so instances sharing a counter never both take the last points.
 */
const ADD_WITHIN = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
if used + amount > tonumber(ARGV[2]) then return {used, 0} end
used = redis.call('INCRBY', KEYS[1], amount)
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {used, 1}`;

export class RedisStore implements KeyValueStore {
  readonly kind = 'redis';
  readonly clients: RedisClient[];
  readonly topology: RedisTopology;
  private next = 0;
  /** MGET over the topology, shared by the reads of one event-loop turn (on a cluster, one per slot group). */
  private readonly read: ReadMany;

  constructor(readonly opts: RedisStoreOptions) {
    const topology = opts.topology ?? (opts.url ? { kind: 'single' as const, url: opts.url } : undefined);
    if (!topology) throw new TypeError('RedisStore needs a url or a topology');
    this.topology = topology;
    const size = topology.kind === 'cluster' ? 1 : (opts.poolSize ?? 1);
    // Deadlines are kept here (withDeadline), not by ioredis.
    this.clients = Array.from({ length: size }, () =>
      connectRedis(topology, { ...requestPathOptions(opts.commandTimeoutMs), commandTimeout: undefined }),
    );
    // Errors surface on the commands that fail; without a listener ioredis would also print them.
    for (const c of this.clients) c.on('error', () => undefined);
    this.read = batchReads((keys) => mgetBuffers(this.client(), keys));
  }

  /** Round-robin over the pool. */
  client(): RedisClient {
    const c = this.clients[this.next];
    this.next = (this.next + 1) % this.clients.length;
    return c;
  }

  /** Resolves when every connection is ready, or rejects after timeoutMs. */
  async ready(timeoutMs: number): Promise<void> {
    await Promise.all(this.clients.map((c) => whenReady(c, timeoutMs)));
  }

  async getMany(keys: readonly string[]): Promise<(Buffer | null)[]> {
    if (keys.length === 0) return [];
    return withDeadline(this.read(keys), this.opts.commandTimeoutMs, 'get');
  }

  // The writes below are single commands, which auto-pipelining sends together with whatever
  // else this turn of the event loop asked for: the value, its tags' TTLs and the lease of one
  // field go out in one write, and on a cluster in one write per node (an explicit pipeline is a
  // write of its own, and on a cluster must stay on one node).

  async setMany(entries: readonly StoreEntry[]): Promise<boolean> {
    if (entries.length === 0) return true;
    const client = this.client();
    const px = (e: StoreEntry) => Math.max(1, Math.round(e.ttlMs));
    await withDeadline(Promise.all(entries.map((e) => client.set(e.key, e.value, 'PX', px(e)))), this.opts.commandTimeoutMs, 'set');
    return true;
  }

  async setIfAbsent(entries: readonly StoreEntry[]): Promise<(Buffer | null)[]> {
    if (entries.length === 0) return [];
    const client = this.client();
    // SET … NX GET (Redis 7): one command both creates a missing key and returns an existing one.
    const setNxGet = (e: StoreEntry) => client.setBuffer(e.key, e.value, 'PX', Math.max(1, Math.round(e.ttlMs)), 'NX', 'GET');
    const results = await withDeadline(Promise.all(entries.map(setNxGet)), this.opts.commandTimeoutMs, 'setIfAbsent');
    return results.map((previous, i) => previous ?? entries[i].value);
  }

  async delete(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return withDeadline(unlinkKeys(this.client(), keys), this.opts.commandTimeoutMs, 'delete');
  }

  async deleteIfEquals(key: string, value: Buffer): Promise<boolean> {
    const deleted = await withDeadline(this.client().eval(DELETE_IF_EQUALS, 1, key, value), this.opts.commandTimeoutMs, 'deleteIfEquals');
    return deleted === 1;
  }

  async addWithin(key: string, amount: number, ceiling: number, ttlMs: number): Promise<{ total: number; added: boolean }> {
    const call = this.client().eval(ADD_WITHIN, 1, key, String(amount), String(ceiling), String(Math.max(1, Math.round(ttlMs))));
    const [total, added] = (await withDeadline(call, this.opts.commandTimeoutMs, 'addWithin')) as [number, number];
    return { total: Number(total), added: added === 1 };
  }

  async extendTtl(keys: readonly string[], ttlMs: number): Promise<void> {
    if (keys.length === 0) return;
    const client = this.client();
    const px = String(Math.max(1, Math.round(ttlMs)));
    // GT: only ever lengthens, so an entry with a shorter life never cuts a version another relies on.
    await withDeadline(Promise.all(keys.map((k) => client.pexpire(k, px, 'GT'))), this.opts.commandTimeoutMs, 'extendTtl');
  }

  /** Round-trip time of a PING, in ms; rejects past timeoutMs (the request path's deadline unless given). */
  async ping(timeoutMs = this.opts.commandTimeoutMs): Promise<number> {
    const started = performance.now();
    await withDeadline(this.client().ping(), timeoutMs, 'ping');
    return performance.now() - started;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map(closeRedis));
  }
}
