import type { CacheLogger } from './errors-are-misses';
import type { EntityChange, InvalidationLog, LoggedChanges, LogState } from './invalidation-log';
import type { KeySpace } from './keys';
import type { Tag } from './tags';

/**
 * Where the relay applies the log: the shared tier (Redis) and this process's in-process tier.
 * The Redis implementation (redis-invalidation-sink.ts) is one Lua script: new tag versions, the
 * watermark raised, the pub/sub message, all or nothing (on a cluster too: the versions and the
 * watermark share one hash slot).
 */
export interface InvalidationSink {
  /**
   * Gives tags new versions and tells every instance; raises the watermark to lastSeq (never
   * lowers it), but only when the shared tier already holds everything through previousSeq: a
   * Redis that lost records (a restore) keeps its older watermark, so the gap is found and
   * replayed instead of hidden under the newer records. Rejects when the shared tier could not
   * take it (the records then stay pending).
   */
  apply(tags: readonly Tag[], lastSeq: number, previousSeq: number): Promise<void>;
  /** The last log position the shared tier has applied; undefined when it keeps none (memory only) or did not answer. */
  watermark(): Promise<number | undefined>;
  /** The shared tier's incarnation (Redis run_id), when known: it changes on a restart, a restore or a failover. */
  incarnation?(): string | undefined;
  /** Calls listener when the shared tier is reachable again (a reconnect): a restart may have made it older than the log. */
  onReconnect?(listener: () => void): void;
}

export interface InvalidationRelayOptions {
  log: InvalidationLog;
  sink: InvalidationSink;
  /** The key space every part of the cache builds keys in; the relay moves its generation. */
  space: KeySpace;
  /** The tags one logged entity change invalidates (its own and its type's). */
  tagsOf(change: EntityChange): Tag[];
  logger: CacheLogger;
  /** At most this long between two looks at the log without a NOTIFY, in milliseconds. Default 250. */
  pollMs?: number;
  /** Applied records older than this are pruned, in milliseconds. */
  retentionMs: number;
  /** Records applied per pass. Default 500. */
  batch?: number;
}

/** The relay's view of where the cache stands against the log, for cacheHealth. */
export interface RelayHealth {
  /** The log position Redis says it has applied; null without Redis or when it did not answer. */
  watermark: number | null;
  /** The log's last applied position (its sequence number). */
  logPosition: number;
  /** Committed records not applied yet. */
  pending: number;
  /** logPosition minus watermark: how far Redis is behind the log (0 when caught up). */
  lag: number;
  generation: number;
  /** Redis's run_id as last seen. */
  redisRunId: string | null;
  lastCatchUp: { at: Date; kind: 'replay' | 'generation'; records: number; fromSeq: number; toSeq: number } | null;
  /** Consecutive failed passes (Redis or the database unavailable). */
  failures: number;
}

/** A mutation waiting for the log to be applied through target (null: what the next pass finds recorded). */
interface Waiter {
  target: number | null;
  /** The reads of the log begun before it came (`reads` then). */
  after: number;
  resolve: (applied: boolean) => void;
}

const MAX_BACKOFF_MS = 500;
/** How long a relay waits for another gateway's relay to let go of the log, in milliseconds. */
const LOCK_WAIT_MS = 100;
const PRUNE_EVERY_MS = 60_000;

/**
 * Applies the invalidation log to the cache, in every gateway. Woken by NOTIFY when a
 * transaction adds records, and every pollMs regardless; one relay at a time applies (the log's
 * lock), so records left by a gateway that died after its commit are applied by whichever relay
 * looks next. Each look also compares Redis's watermark with the log: a Redis that came back
 * older (a restore, a restart without persistence, a lagging replica) gets the missing records
 * replayed, or, when they were pruned already, the whole cache moves to a new generation.
 */
export class InvalidationRelay {
  private readonly pollMs: number;
  private readonly batch: number;
  private timer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private stopListening?: () => Promise<void>;
  private running = false;
  private dirty = false;
  private stopped = false;
  private failures = 0;
  private retryAt = 0;
  private recorded = 0;
  private appliedThrough = 0;
  private lastSeq = 0;
  private watermarkSeen: number | null = null;
  private runId: string | null = null;
  private lastCatchUp: RelayHealth['lastCatchUp'] = null;
  private waiters: Waiter[] = [];
  /** Reads of the log's position begun so far: tells which reads began after a waiter came. */
  private reads = 0;
  private readonly generationListeners = new Set<(generation: number) => void>();

  constructor(private readonly opts: InvalidationRelayOptions) {
    this.pollMs = opts.pollMs ?? 250;
    this.batch = opts.batch ?? 500;
  }

  /** Takes the log's generation, catches Redis up, and starts listening and polling. */
  async start(): Promise<void> {
    this.opts.space.generation = await this.opts.log.generation();
    try {
      this.stopListening = await this.opts.log.onRecorded(() => this.kick());
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, 'cannot LISTEN for invalidation records; polling only');
    }
    this.opts.sink.onReconnect?.(() => this.kick());
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.pollMs);
    this.timer.unref();
    // At least twice per retention, so a short one (tests, small deployments) is honoured too.
    this.pruneTimer = setInterval(() => void this.prune(), Math.min(PRUNE_EVERY_MS, Math.max(100, this.opts.retentionMs / 2)));
    this.pruneTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.pruneTimer);
    for (const w of this.waiters.splice(0)) w.resolve(false);
    await this.stopListening?.().catch(() => undefined);
  }

  /** Look at the log soon (a NOTIFY, a reconnect, a waiting mutation). */
  kick(): void {
    if (!this.stopped) void this.runPasses();
  }

  /**
   * Resolves true once every record committed before the call is applied, or false after
   * timeoutMs (the records are applied later all the same). A mutation calls it after its commit.
   */
  async settle(timeoutMs: number): Promise<boolean> {
    // Never rejects: a database that does not answer now leaves the target to the next pass that reads the log.
    const recorded = await this.opts.log.position().then(
      (p) => p.recorded,
      () => null,
    );
    if (recorded !== null && this.appliedThrough >= recorded) return true;
    return new Promise((resolve) => {
      const waiter: Waiter = { target: recorded, after: this.reads, resolve };
      this.waiters.push(waiter);
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      waiter.resolve = (applied) => {
        clearTimeout(timer);
        resolve(applied);
      };
      this.kick();
    });
  }

  /**
   * Calls listener each time this process moves to a new cache generation (every older entry is
   * then a miss), whether its own relay moved it or another gateway's did. Returns the unsubscribe.
   */
  onNewGeneration(listener: (generation: number) => void): () => void {
    this.generationListeners.add(listener);
    return () => this.generationListeners.delete(listener);
  }

  health(): RelayHealth {
    const watermark = this.watermarkSeen;
    return {
      watermark,
      logPosition: this.lastSeq,
      pending: Math.max(0, this.recorded - this.appliedThrough),
      lag: watermark === null ? 0 : Math.max(0, this.lastSeq - watermark),
      generation: this.opts.space.generation ?? 0,
      redisRunId: this.runId,
      lastCatchUp: this.lastCatchUp,
      failures: this.failures,
    };
  }

  /**
   * One poll: apply what is pending, then check Redis against the log. The log is read once
   * first: when nothing is pending (the usual poll) that one read is all the database sees, where
   * a pass would take the lock in a transaction and read again.
   */
  private async tick(): Promise<void> {
    if (this.stopped) return;
    let state: LogState | undefined;
    const read = ++this.reads;
    if (this.failures === 0 && !this.running) {
      try {
        state = await this.opts.log.state();
      } catch (err) {
        this.failed(err);
        return;
      }
    }
    if (!state || state.appliedThrough < state.recorded) await this.runPasses();
    else this.noted(state.recorded, state.appliedThrough, read);
    await this.check(state).catch((err) => this.opts.logger.warn({ err: (err as Error).message }, 'invalidation catch-up check failed'));
  }

  private async runPasses(): Promise<void> {
    if (this.running) {
      this.dirty = true;
      return;
    }
    if (Date.now() < this.retryAt) return;
    this.running = true;
    try {
      do {
        this.dirty = false;
        await this.passOnce();
      } while (this.dirty && !this.stopped && Date.now() >= this.retryAt);
    } finally {
      this.running = false;
    }
  }

  private async passOnce(): Promise<void> {
    try {
      const outcome = await this.opts.log.applyPending((records, previousSeq) => this.applyRecords(records, previousSeq), {
        limit: this.batch,
        lockWaitMs: LOCK_WAIT_MS,
      });
      if (outcome !== 'busy') {
        this.lastSeq = Math.max(this.lastSeq, outcome.lastSeq);
        // The sink raised Redis's watermark with what it applied: health must not report lag for it.
        if (outcome.applied > 0 && this.watermarkSeen !== null) this.watermarkSeen = Math.max(this.watermarkSeen, outcome.lastSeq);
        if (outcome.applied === this.batch) this.dirty = true;
      }
      const read = ++this.reads;
      const { recorded, appliedThrough } = await this.opts.log.position();
      if (this.failures > 0) this.opts.logger.info({ failures: this.failures }, 'invalidation relay applies again');
      this.failures = 0;
      this.retryAt = 0;
      this.noted(recorded, appliedThrough, read);
      // Another gateway's relay holds the log: look again soon rather than at the next poll.
      if (outcome === 'busy' && this.waiters.length > 0) setTimeout(() => this.kick(), 20).unref();
    } catch (err) {
      this.failed(err);
    }
  }

  /**
   * Where read (a number from `reads`) found the log: resolves the waiters it satisfies. A waiter
   * without a target takes what a read found only if that read began after the waiter came (so
   * after its commit).
   */
  private noted(recorded: number, appliedThrough: number, read: number): void {
    this.recorded = recorded;
    this.appliedThrough = appliedThrough;
    for (const w of this.waiters) if (w.after < read) w.target ??= recorded;
    this.waiters = this.waiters.filter((w) => (w.target !== null && w.target <= appliedThrough ? (w.resolve(true), false) : true));
  }

  /** A look at the log that failed: tried again after a backoff that grows with each failure. */
  private failed(err: unknown): void {
    this.failures++;
    const backoffMs = Math.min(MAX_BACKOFF_MS, 25 * 2 ** this.failures);
    this.retryAt = Date.now() + backoffMs;
    setTimeout(() => this.kick(), backoffMs).unref();
    if (this.failures === 1 || this.failures % 20 === 0)
      this.opts.logger.warn({ err: (err as Error).message, failures: this.failures, backoffMs }, 'invalidation records not applied yet; retrying');
  }

  private async applyRecords(records: readonly LoggedChanges[], previousSeq: number): Promise<void> {
    if (records.length === 0) return;
    const tags = new Set<Tag>();
    for (const r of records) for (const c of r.changes) for (const t of this.opts.tagsOf(c)) tags.add(t);
    await this.opts.sink.apply([...tags], records[records.length - 1].seq, previousSeq);
  }

  /**
   * Redis against the log. The log's position is read first: a record marked applied there was
   * applied to Redis before (the script runs inside the marking transaction), so a watermark
   * lower than it means Redis lost what it had been given.
   */
  private async check(state?: LogState): Promise<void> {
    const [logSeq, generation] = state
      ? [state.lastSeq, state.generation]
      : await Promise.all([this.opts.log.lastAppliedSeq(), this.opts.log.generation()]);
    this.lastSeq = Math.max(this.lastSeq, logSeq);
    if (generation !== (this.opts.space.generation ?? 0)) this.moveTo(generation, 'another gateway moved the cache to a new generation');
    const runId = this.opts.sink.incarnation?.() ?? null;
    if (runId && this.runId && runId !== this.runId)
      this.opts.logger.warn({ previous: this.runId, runId }, 'Redis was restarted or replaced; checking it against the invalidation log');
    this.runId = runId ?? this.runId;
    const watermark = await this.opts.sink.watermark();
    this.watermarkSeen = watermark ?? null;
    if (watermark === undefined || watermark >= logSeq) return;
    await this.catchUp(watermark, logSeq);
  }

  /** Brings a Redis found behind the log up to it: replays the missing records, or moves to a new generation. */
  protected async catchUp(from: number, to: number): Promise<void> {
    let after = from;
    let records = 0;
    for (;;) {
      const page = await this.opts.log.appliedAfter(after, this.batch);
      if (page === 'expired') {
        const generation = await this.opts.log.nextGeneration(this.opts.space.generation ?? 0);
        this.moveTo(generation, 'Redis is older than the invalidation log keeps: every entry of the old generation is now a miss');
        await this.opts.sink.apply([], to, 0);
        this.watermarkSeen = to;
        this.lastCatchUp = { at: new Date(), kind: 'generation', records: 0, fromSeq: from, toSeq: to };
        return;
      }
      if (page.length === 0) break;
      await this.applyRecords(page, after);
      records += page.length;
      after = page[page.length - 1].seq;
      if (page.length < this.batch) break;
    }
    // Records pruned away at the top of the log leave the watermark short of `to`: raise it.
    await this.opts.sink.apply([], to, after);
    this.watermarkSeen = to;
    this.lastCatchUp = { at: new Date(), kind: 'replay', records, fromSeq: from, toSeq: to };
    this.opts.logger.warn({ fromSeq: from, toSeq: to, records }, 'Redis was behind the invalidation log; replayed the missing records');
  }

  private moveTo(generation: number, why: string): void {
    if (generation === (this.opts.space.generation ?? 0)) return;
    this.opts.logger.warn({ from: this.opts.space.generation ?? 0, to: generation }, why);
    this.opts.space.generation = generation;
    for (const listener of this.generationListeners) {
      try {
        listener(generation);
      } catch (err) {
        // A listener's bug must not stop the relay: it is what keeps the cache consistent.
        this.opts.logger.warn({ err: (err as Error).message }, 'a new-generation listener failed');
      }
    }
  }

  private async prune(): Promise<void> {
    try {
      const n = await this.opts.log.prune(this.opts.retentionMs);
      if (n > 0) this.opts.logger.debug({ records: n }, 'pruned applied invalidation records');
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, 'could not prune the invalidation log');
    }
  }
}
