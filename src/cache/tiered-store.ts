import type { CacheLogger } from './errors-are-misses';
import type { MemoryStore } from './memory-store';
import type { RedisClient } from './redis-topology';
import type { InvalidationBus, KeyValueStore, StoreEntry } from './store';

/** How long the in-process tier keeps a copy, in milliseconds: a bound on staleness should a message be lost. */
export const L1_MAX_TTL_MS = 60_000;

/**
 * The in-process tier in front of the shared one. Reads try memory first and fill it from
 * Redis; writes go to both. Other instances' invalidations arrive over Redis pub/sub and
 * drop the changed keys (tag versions) from memory.
 *
 * On a cluster, PUBLISH reaches the subscribers of every node, so one subscription on any
 * node hears every instance.
 *
 * Two rules keep memory from holding a stale tag version:
 * - a value read from Redis is copied into memory only if no write or invalidation message
 *   arrived while it was in flight (it may predate them);
 * - while the subscription is down, memory is emptied and bypassed, since invalidations
 *   could be missed; it fills again once the subscription is back.
 */
export class TieredStore implements KeyValueStore, InvalidationBus {
  readonly kind = 'tiered';
  private generation = 0;
  private subscribed = false;
  private disposed = false;

  constructor(
    readonly memory: MemoryStore,
    private readonly shared: KeyValueStore,
    private readonly publisher: Pick<RedisClient, 'publish'>,
    private readonly subscriber: RedisClient,
    readonly channel: string,
    private readonly logger: CacheLogger,
  ) {
    subscriber.on('message', (ch: string, message: string) => {
      if (ch !== this.channel) return;
      this.generation++;
      let keys: string[];
      try {
        keys = JSON.parse(message);
      } catch {
        keys = [];
      }
      void this.memory.delete(keys);
    });
    const lost = (event: string) => () => {
      if (!this.subscribed || this.disposed) return;
      this.subscribed = false;
      this.generation++;
      this.memory.clear();
      this.logger.warn({ event, channel }, 'invalidation subscription lost: in-process tier emptied and bypassed until it is back');
    };
    subscriber.on('close', lost('close'));
    subscriber.on('reconnecting', lost('reconnecting'));
    subscriber.on('ready', () => void this.subscribe());
    if (subscriber.status === 'ready') void this.subscribe();
  }

  /** Stops listening (shutdown): closing the subscription then is not a loss worth a warning. */
  dispose(): void {
    this.disposed = true;
    this.subscribed = false;
  }

  /** True while invalidation messages are being received (and memory is in use). */
  get isSubscribed(): boolean {
    return this.subscribed;
  }

  peekMany(keys: readonly string[]): (Buffer | null)[] | undefined {
    if (!this.subscribed) return undefined;
    const local = this.memory.peekMany(keys);
    return local.includes(null) ? undefined : local;
  }

  async getMany(keys: readonly string[]): Promise<(Buffer | null)[]> {
    if (!this.subscribed) return this.shared.getMany(keys);
    const local = this.memory.peekMany(keys);
    const missing = local.flatMap((v, i) => (v === null ? [i] : []));
    if (missing.length === 0) return local;
    const generation = this.generation;
    const fetched = await this.shared.getMany(missing.map((i) => keys[i]));
    const fill: StoreEntry[] = [];
    missing.forEach((i, j) => {
      local[i] = fetched[j];
      if (fetched[j]) fill.push({ key: keys[i], value: fetched[j]!, ttlMs: L1_MAX_TTL_MS });
    });
    if (this.subscribed && generation === this.generation) await this.memory.setMany(fill);
    return local;
  }

  async setMany(entries: readonly StoreEntry[]): Promise<boolean> {
    this.generation++;
    const ok = await this.shared.setMany(entries);
    if (this.subscribed) await this.memory.setMany(entries.map((e) => ({ ...e, ttlMs: Math.min(e.ttlMs, L1_MAX_TTL_MS) })));
    return ok;
  }

  async setIfAbsent(entries: readonly StoreEntry[]): Promise<(Buffer | null)[]> {
    const generation = this.generation;
    const stored = await this.shared.setIfAbsent(entries);
    if (this.subscribed && generation === this.generation) {
      await this.memory.setMany(
        entries.flatMap((e, i) => (stored[i] ? [{ key: e.key, value: stored[i]!, ttlMs: Math.min(e.ttlMs, L1_MAX_TTL_MS) }] : [])),
      );
    }
    return stored;
  }

  async delete(keys: readonly string[]): Promise<number> {
    this.generation++;
    await this.memory.delete(keys);
    const n = await this.shared.delete(keys);
    await this.publish(keys);
    return n;
  }

  /** Tells every instance (this one included) to drop keys from its in-process tier. */
  async publish(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.publisher.publish(this.channel, JSON.stringify(keys));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, channel: this.channel }, 'could not publish an invalidation to other instances');
    }
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
      this.memory.clear();
      this.generation++;
      this.subscribed = true;
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message, channel: this.channel },
        'could not subscribe to invalidations; in-process tier stays bypassed',
      );
    }
  }
}
