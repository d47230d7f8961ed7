import type { CacheLogger } from './errors-are-misses';
import type { MemoryStore } from './memory-store';
import type { RedisClient } from './redis-topology';
import type { InvalidationBus, KeyValueStore, StoreEntry } from './store';

/** How long the in-process tier keeps a copy, in milliseconds: a bound on staleness should a message be lost. */
export const L1_MAX_TTL_MS = 60_000;

/** The heartbeat message: every instance publishes it on the invalidation channel; hearing any proves the link. */
export const HEARTBEAT = 'hb';

export interface TieredStoreOptions {
  /** How often this instance publishes a heartbeat, in milliseconds. Default 100. */
  heartbeatMs?: number;
  /** Without a heartbeat heard for this long (and the event loop on time), memory is emptied and bypassed. Default 300. */
  silenceMs?: number;
  /** While the shared tier is unreachable (its circuit is not closed), memory serves what it stored for at most this long, in milliseconds. Default 1000. */
  outageTtlMs?: number;
  /** True while the shared tier is unreachable. Default: never. */
  sharedDown?: () => boolean;
}

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
 * - while the subscription is down, or silent (no heartbeat heard for silenceMs while this
 *   process's own event loop was on time), memory is emptied and bypassed, since invalidations
 *   could be missed; it fills again once the link is back.
 *
 * One exception, the gutter: while Redis itself is unreachable, memory keeps what this process
 * computes for at most outageTtlMs, so an outage does not send every request to the database.
 * This process's own invalidations reach it at once (dropLocal); other instances' do not, which
 * is the outageTtlMs bound on staleness across instances. It is emptied when the link comes back.
 */
export class TieredStore implements KeyValueStore, InvalidationBus {
  readonly kind = 'tiered';
  private generation = 0;
  private subscribed = false;
  private disposed = false;
  /** Subscribed, but no heartbeat heard for too long. */
  private silent = false;
  private lastHeard = Date.now();
  private heartbeat?: NodeJS.Timeout;
  private readonly heartbeatMs: number;
  private readonly silenceMs: number;
  private readonly outageTtlMs: number;
  private readonly sharedDown: () => boolean;

  constructor(
    readonly memory: MemoryStore,
    private readonly shared: KeyValueStore,
    private readonly publisher: Pick<RedisClient, 'publish'>,
    private readonly subscriber: RedisClient,
    readonly channel: string,
    private readonly logger: CacheLogger,
    opts: TieredStoreOptions = {},
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? 100;
    this.silenceMs = opts.silenceMs ?? 300;
    this.outageTtlMs = opts.outageTtlMs ?? 1000;
    this.sharedDown = opts.sharedDown ?? (() => false);
    subscriber.on('message', (ch: string, message: string) => {
      if (ch !== this.channel) return;
      if (message === HEARTBEAT) return this.heard();
      this.lastHeard = Date.now();
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
      this.onLinkLost(event);
    };
    subscriber.on('close', lost('close'));
    subscriber.on('reconnecting', lost('reconnecting'));
    subscriber.on('ready', () => void this.subscribe());
    if (subscriber.status === 'ready') void this.subscribe();
    this.startHeartbeat();
  }

  /**
   * The link to other instances' invalidations is lost (the subscription dropped, or went
   * silent): what memory holds may have missed one, so it is emptied, and bypassed until the link
   * is back. Planted-bug tests override this to keep serving.
   */
  protected onLinkLost(event: string): void {
    this.generation++;
    this.memory.clear();
    this.logger.warn({ event, channel: this.channel }, 'invalidation link lost: in-process tier emptied and bypassed until it is back');
  }

  /**
   * The link is back: whatever was missed meanwhile may still be in memory (another process's
   * copy, or one filled in the moment before the loss was noticed), so memory starts empty.
   * Planted-bug tests override this too.
   */
  protected onLinkRestored(): void {
    this.memory.clear();
    this.generation++;
  }

  /** Stops listening (shutdown): closing the subscription then is not a loss worth a warning. */
  dispose(): void {
    this.disposed = true;
    this.subscribed = false;
    clearInterval(this.heartbeat);
  }

  /** True while invalidation messages are being received (and memory is in use). */
  get isSubscribed(): boolean {
    return this.live;
  }

  /** Subscribed and hearing heartbeats: memory may serve. */
  protected get live(): boolean {
    return this.subscribed && !this.silent;
  }

  /** Redis unreachable and the link down: memory serves what this process stored, briefly (the gutter). */
  private get gutter(): boolean {
    return !this.live && this.sharedDown();
  }

  /** Publishes a heartbeat every heartbeatMs and judges the silence, but only when this event loop ran on time. */
  private startHeartbeat(): void {
    let due = Date.now() + this.heartbeatMs;
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      const late = now - due > this.heartbeatMs / 2;
      due = now + this.heartbeatMs;
      this.publisher.publish(this.channel, HEARTBEAT).catch(() => undefined);
      // A late loop has not read its socket either: messages may be waiting there, unheard.
      if (late || !this.subscribed || this.silent || this.disposed) return;
      if (now - this.lastHeard > this.silenceMs) {
        this.silent = true;
        this.onLinkLost('silence');
      }
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  private heard(): void {
    this.lastHeard = Date.now();
    if (!this.silent) return;
    this.onLinkRestored();
    this.silent = false;
    this.logger.info({ channel: this.channel }, 'invalidation link heard again: in-process tier back in use');
  }

  peekMany(keys: readonly string[]): (Buffer | null)[] | undefined {
    if (!this.live && !this.gutter) return undefined;
    const local = this.memory.peekMany(keys);
    return local.includes(null) ? undefined : local;
  }

  async getMany(keys: readonly string[]): Promise<(Buffer | null)[]> {
    if (this.gutter) {
      const local = this.memory.peekMany(keys);
      if (!local.includes(null)) return local;
      const fetched = await this.shared.getMany(keys);
      return local.map((v, i) => v ?? fetched[i]);
    }
    if (!this.live) return this.shared.getMany(keys);
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
    if (this.live && generation === this.generation) await this.memory.setMany(fill);
    return local;
  }

  async setMany(entries: readonly StoreEntry[]): Promise<boolean> {
    this.generation++;
    const ok = await this.shared.setMany(entries);
    const ttlCap = this.live ? L1_MAX_TTL_MS : this.gutter ? this.outageTtlMs : 0;
    if (ttlCap > 0) await this.memory.setMany(entries.map((e) => ({ ...e, ttlMs: Math.min(e.ttlMs, ttlCap) })));
    // Kept in memory or not, only a write Redis took counts: an invalidation Redis refused is retried.
    return ok;
  }

  async setIfAbsent(entries: readonly StoreEntry[]): Promise<(Buffer | null)[]> {
    const generation = this.generation;
    if (this.gutter) {
      // Tag versions live in memory for the outage: created here, they let values be stamped and kept briefly.
      return this.memory.setIfAbsent(entries.map((e) => ({ ...e, ttlMs: Math.min(e.ttlMs, this.outageTtlMs) })));
    }
    const stored = await this.shared.setIfAbsent(entries);
    if (this.live && generation === this.generation) {
      await this.memory.setMany(
        entries.flatMap((e, i) => (stored[i] ? [{ key: e.key, value: stored[i]!, ttlMs: Math.min(e.ttlMs, L1_MAX_TTL_MS) }] : [])),
      );
    }
    return stored;
  }

  async extendTtl(keys: readonly string[], ttlMs: number): Promise<void> {
    // The in-process tier keeps versions for a short while of its own; only the shared copy's life matters.
    await this.shared.extendTtl?.(keys, ttlMs);
  }

  async delete(keys: readonly string[]): Promise<number> {
    this.generation++;
    await this.memory.delete(keys);
    const n = await this.shared.delete(keys);
    await this.publish(keys);
    return n;
  }

  /** Drops keys (tag versions the invalidation log changed) from this process's memory, at once. */
  dropLocal(keys: readonly string[]): void {
    if (keys.length === 0) return;
    this.generation++;
    void this.memory.delete(keys);
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

  private everSubscribed = false;

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
      this.onLinkRestored();
      this.lastHeard = Date.now();
      this.silent = false;
      // Only a restored subscription is news: the first one at start is what every instance does.
      if (this.everSubscribed && !this.disposed)
        this.logger.info({ channel: this.channel }, 'invalidation subscription restored: in-process tier in use again (it starts empty)');
      this.everSubscribed = true;
      this.subscribed = true;
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message, channel: this.channel },
        'could not subscribe to invalidations; in-process tier stays bypassed',
      );
    }
  }
}
