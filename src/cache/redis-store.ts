import { Redis, type RedisOptions } from 'ioredis';
import type { KeyValueStore, StoreEntry } from './store';

export interface RedisStoreOptions {
  url: string;
  /** A command slower than this fails (and the caller computes instead), in milliseconds. */
  commandTimeoutMs: number;
  /** Connections to spread commands over. Default 1. */
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
export function whenReady(client: Redis, timeoutMs: number): Promise<void> {
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

export class RedisStore implements KeyValueStore {
  readonly kind = 'redis';
  readonly clients: Redis[];
  private next = 0;

  constructor(readonly opts: RedisStoreOptions) {
    const size = opts.poolSize ?? 1;
    // Deadlines are kept here (withDeadline), not by ioredis.
    this.clients = Array.from(
      { length: size },
      () => new Redis(opts.url, { ...requestPathOptions(opts.commandTimeoutMs), commandTimeout: undefined }),
    );
    // Errors surface on the commands that fail; without a listener ioredis would also print them.
    for (const c of this.clients) c.on('error', () => undefined);
  }

  /** Round-robin over the pool. */
  client(): Redis {
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
    return withDeadline(this.client().mgetBuffer(...keys), this.opts.commandTimeoutMs, 'get');
  }

  async setMany(entries: readonly StoreEntry[]): Promise<boolean> {
    if (entries.length === 0) return true;
    const pipeline = this.client().pipeline();
    for (const e of entries) pipeline.set(e.key, e.value, 'PX', Math.max(1, Math.round(e.ttlMs)));
    repliesOf(await withDeadline(pipeline.exec(), this.opts.commandTimeoutMs, 'set'));
    return true;
  }

  async setIfAbsent(entries: readonly StoreEntry[]): Promise<(Buffer | null)[]> {
    if (entries.length === 0) return [];
    const pipeline = this.client().pipeline();
    // SET … NX GET (Redis 7): one command both creates a missing key and returns an existing one.
    for (const e of entries) pipeline.setBuffer(e.key, e.value, 'PX', Math.max(1, Math.round(e.ttlMs)), 'NX', 'GET');
    const results = repliesOf(await withDeadline(pipeline.exec(), this.opts.commandTimeoutMs, 'setIfAbsent'));
    return results.map((previous, i) => (previous as Buffer | null) ?? entries[i].value);
  }

  async delete(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return withDeadline(this.client().unlink(...keys), this.opts.commandTimeoutMs, 'delete');
  }

  async ping(): Promise<number> {
    const started = performance.now();
    await withDeadline(this.client().ping(), this.opts.commandTimeoutMs, 'ping');
    return performance.now() - started;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
