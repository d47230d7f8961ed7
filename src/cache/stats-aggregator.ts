import type { CacheLogger } from './errors-are-misses';
import { type KeySpace, statsKey } from './keys';
import { repliesOf } from './redis-store';
import type { RedisClient } from './redis-topology';
import { type Counters, emptyCounters, type FieldCounters, type StatsRecorder, TOTALS } from './stats';

export interface StatsAggregatorOptions {
  stats: StatsRecorder;
  /** A connection of its own (not the request path's pool, whose timeout is a few milliseconds). */
  client: RedisClient;
  space: Pick<KeySpace, 'prefix'>;
  logger: CacheLogger;
  /** How long after the first unsent event this process's counts are sent, in milliseconds; 0: only on flush(). Default 1000. */
  flushDelayMs?: number;
}

/** The stats hashes expire this long after the last write, in milliseconds, so an abandoned prefix does not stay forever. */
export const STATS_TTL_MS = 30 * 24 * 3600 * 1000;

/**
 * Bookkeeping fields of the totals hash (not counters): `since` when counting began (the last
 * reset, or the hash's creation), `lostAt` and `losses` when a flush found a hash gone that it
 * had written before (evicted under allkeys-lru, or expired): the counts before then are lost.
 */
const SINCE = 'since';
const LOST_AT = 'lostAt';
const LOSSES = 'losses';

/** What the stats hashes hold besides the counters. */
export interface StatsMeta {
  /** Epoch ms when counting began: the last reset, or when the hashes were (re)created; null before the first flush. */
  since: number | null;
  /** Epoch ms of the last time counts were found lost (a hash evicted or expired); null if never. */
  lostAt: number | null;
  /** How many times a flush found a hash it had written gone. */
  losses: number;
}

const FIELD_COUNTS = ['hits', 'misses'] as const;
const FIELD_DURATIONS = ['hitMs', 'missMs'] as const;

/**
 * Deployment-wide counters: each instance adds what it counted to two Redis hashes
 * (`{prefix}:stats:totals`, `{prefix}:stats:fields`) in one MULTI, at most once per
 * flushDelayMs and only when something happened, so instances behind a load balancer
 * report the sum. An instance that reads the sum flushes its own counts first.
 *
 * A flush Redis refuses is kept and added to the next one. One that times out after Redis
 * applied it would be counted twice; stats are an approximation under failure, never a cause
 * of one.
 */
export class StatsAggregator {
  private carry: Counters = emptyCounters();
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private closed = false;
  private failing = false;
  /** A flush of this process reached Redis: a hash missing after that was evicted or expired, not new. */
  private flushedBefore = false;
  private readonly totalsKey: string;
  private readonly fieldsKey: string;
  private readonly delayMs: number;

  constructor(private readonly opts: StatsAggregatorOptions) {
    this.totalsKey = statsKey(opts.space, 'totals');
    this.fieldsKey = statsKey(opts.space, 'fields');
    this.delayMs = opts.flushDelayMs ?? 1000;
    opts.stats.onEvent(() => this.schedule());
  }

  /** Sends this process's counts since the last flush; resolves true once they are in Redis (or there were none). */
  flush(): Promise<boolean> {
    return this.serialized(() => this.send());
  }

  /** The deployment's totals as Redis holds them (call flush first to include this process). */
  async read(): Promise<Counters> {
    return (await this.readWithMeta()).counters;
  }

  /** The totals and the bookkeeping beside them: since when they count, and whether counts were lost. */
  async readWithMeta(): Promise<{ counters: Counters; meta: StatsMeta }> {
    const [totals, fields] = repliesOf(await this.opts.client.multi().hgetall(this.totalsKey).hgetall(this.fieldsKey).exec()) as Record<
      string,
      string
    >[];
    const out = emptyCounters();
    for (const name of TOTALS) out[name] = Number(totals[name] ?? 0);
    for (const [name, raw] of Object.entries(fields)) {
      const bar = name.lastIndexOf('|');
      if (bar < 0) continue;
      const f = (out.fields[name.slice(0, bar)] ??= { hits: 0, misses: 0, hitMs: 0, missMs: 0 });
      const counter = name.slice(bar + 1) as keyof FieldCounters;
      if (counter in f) f[counter] = Number(raw);
    }
    const num = (v: string | undefined) => (v === undefined ? null : Number(v));
    return { counters: out, meta: { since: num(totals[SINCE]), lostAt: num(totals[LOST_AT]), losses: Number(totals[LOSSES] ?? 0) } };
  }

  /** Zeroes the deployment's counters and this process's (other instances' unsent counts still arrive). */
  reset(): Promise<void> {
    return this.serialized(async () => {
      this.opts.stats.reset();
      this.carry = emptyCounters();
      // Recreated at once with their start time: a later flush that finds them gone knows they were evicted, not reset.
      const now = Date.now();
      repliesOf(
        await this.opts.client
          .multi()
          .unlink(this.totalsKey, this.fieldsKey)
          .hset(this.totalsKey, SINCE, now)
          .hset(this.fieldsKey, SINCE, now)
          .pexpire(this.totalsKey, STATS_TTL_MS)
          .pexpire(this.fieldsKey, STATS_TTL_MS)
          .exec(),
      );
      this.flushedBefore = true;
    });
  }

  /** Sends what is left and stops (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush().catch(() => false);
  }

  /** Says in the hashes, for cacheStats to tell, that counts written before now are gone. */
  private async recordLoss(now: number): Promise<void> {
    repliesOf(await this.opts.client.multi().hset(this.totalsKey, LOST_AT, now).hincrby(this.totalsKey, LOSSES, 1).exec());
    this.opts.logger.warn(
      { totals: this.totalsKey, fields: this.fieldsKey },
      'cache stats hashes were gone (evicted or expired): counts before now are lost, and cacheStats says so',
    );
  }

  private schedule(): void {
    if (this.timer || this.closed || this.delayMs === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.delayMs);
    this.timer.unref();
  }

  /** Runs one flush or reset at a time, in call order. */
  private serialized<T>(run: () => Promise<T>): Promise<T> {
    const next = this.running.then(run);
    this.running = next.catch(() => undefined);
    return next;
  }

  private async send(): Promise<boolean> {
    const counts = addCounters(this.carry, this.opts.stats.drain());
    this.carry = emptyCounters();
    if (isEmpty(counts)) return true;
    try {
      const now = Date.now();
      // HSETNX answers 1 when the hash did not exist: new, or, if this process wrote it before, evicted or expired.
      const tx = this.opts.client.multi().hsetnx(this.totalsKey, SINCE, now).hsetnx(this.fieldsKey, SINCE, now);
      for (const name of TOTALS) if (counts[name]) tx.hincrby(this.totalsKey, name, counts[name]);
      for (const [coordinate, f] of Object.entries(counts.fields)) {
        for (const name of FIELD_COUNTS) if (f[name]) tx.hincrby(this.fieldsKey, `${coordinate}|${name}`, f[name]);
        for (const name of FIELD_DURATIONS) if (f[name]) tx.hincrbyfloat(this.fieldsKey, `${coordinate}|${name}`, f[name]);
      }
      tx.pexpire(this.totalsKey, STATS_TTL_MS).pexpire(this.fieldsKey, STATS_TTL_MS);
      const [totalsCreated, fieldsCreated] = repliesOf(await tx.exec()) as number[];
      if ((totalsCreated === 1 || fieldsCreated === 1) && this.flushedBefore) await this.recordLoss(now);
      this.flushedBefore = true;
      if (this.failing) this.opts.logger.info({}, 'cache stats reach Redis again');
      this.failing = false;
      return true;
    } catch (err) {
      this.carry = addCounters(this.carry, counts);
      if (!this.failing)
        this.opts.logger.warn({ err: (err as Error).message }, 'could not add cache stats to Redis; keeping them for the next flush');
      this.failing = true;
      this.schedule();
      return false;
    }
  }
}

/** a + b, as a new object. */
export function addCounters(a: Counters, b: Counters): Counters {
  const out = emptyCounters();
  for (const name of TOTALS) out[name] = a[name] + b[name];
  for (const source of [a.fields, b.fields]) {
    for (const [coordinate, f] of Object.entries(source)) {
      const t = (out.fields[coordinate] ??= { hits: 0, misses: 0, hitMs: 0, missMs: 0 });
      t.hits += f.hits;
      t.misses += f.misses;
      t.hitMs += f.hitMs;
      t.missMs += f.missMs;
    }
  }
  return out;
}

function isEmpty(c: Counters): boolean {
  return TOTALS.every((name) => c[name] === 0) && Object.keys(c.fields).length === 0;
}
