import type { CacheMode } from '../../cache/tagged-cache';
import type { User } from '../../identity';
import type { Logger } from '../../logger';
import type { Operated, OperationRequest } from '../graphql-handler';
import type { WarmEntry } from './warm-file';

/** Runs one operation in process, as an HTTP request with that body would run (graphql-handler.ts's operate). */
export type Operate = (request: OperationRequest, user: User | undefined, mode: CacheMode) => Promise<Operated>;

/** What one entry's run found: already cached, computed (and stored), or failed. */
export type WarmResult = 'hit' | 'miss' | 'error';

export type WarmReason = 'startup' | 'generation';

/** One pass over every entry. */
export interface WarmPass {
  reason: WarmReason;
  /** Entry names in the order they ran. */
  order: string[];
  hits: number;
  misses: number;
  errors: number;
  ms: number;
}

export interface WarmerOptions {
  entries: readonly WarmEntry[];
  operate: Operate;
  logger: Logger;
}

/**
 * Keeps the warm file's entries in the cache: one pass in priority order at startup, another
 * whenever the cache moves to a new generation (everything older is a miss then), and each entry
 * with a refresh interval recomputed on its own timer, so it is replaced before it expires
 * rather than missed after. Passes never overlap: one asked for while another runs follows it.
 * Progress goes to the structured log, one line per entry (n/total, key, result, ms).
 */
export class Warmer {
  private readonly entries: readonly WarmEntry[];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private current?: Promise<WarmPass>;
  private queued?: Promise<WarmPass>;
  private stopped = false;
  /** Every pass so far, most recent last (cacheHealth-like introspection for tests and operators). */
  readonly passes: WarmPass[] = [];

  constructor(private readonly opts: WarmerOptions) {
    // Highest priority first; Array.prototype.sort is stable, so ties keep the file's order.
    this.entries = [...opts.entries].sort((a, b) => b.priority - a.priority);
  }

  /** The startup pass (in the background: the gateway answers meanwhile) and the refresh timers. */
  start(): void {
    void this.warmAll('startup');
    for (const entry of this.entries) {
      if (entry.refreshIntervalMs === undefined) continue;
      let busy = false;
      const timer = setInterval(() => {
        if (busy || this.stopped) return;
        busy = true;
        void this.track(this.refresh(entry)).finally(() => (busy = false));
      }, entry.refreshIntervalMs);
      // A refresh timer must never be what keeps the process alive.
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Runs every entry once, in priority order; while a pass runs, one more is queued (never more). */
  warmAll(reason: WarmReason): Promise<WarmPass> {
    if (!this.current) {
      this.current = this.track(this.pass(reason)).finally(() => (this.current = undefined));
      return this.current;
    }
    this.queued ??= this.current.then(() => {
      this.queued = undefined;
      return this.warmAll(reason);
    });
    return this.queued;
  }

  /** Resolves once no pass runs or waits. */
  async idle(): Promise<void> {
    while (this.current || this.queued) await (this.queued ?? this.current);
  }

  /** Stops the timers and waits for what is running (it stops between entries). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled([...this.running]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    void p.finally(() => this.running.delete(p)).catch(() => undefined);
    return p;
  }

  private async pass(reason: WarmReason): Promise<WarmPass> {
    const started = performance.now();
    const total = this.entries.length;
    const pass: WarmPass = { reason, order: [], hits: 0, misses: 0, errors: 0, ms: 0 };
    this.opts.logger.info({ warm: reason, total }, `cache warming (${reason}): ${total} entr${total === 1 ? 'y' : 'ies'}`);
    for (const [i, entry] of this.entries.entries()) {
      if (this.stopped) break;
      const result = await this.runEntry(entry, 'normal', { warm: reason, n: i + 1, total });
      pass.order.push(entry.name);
      if (result === 'hit') pass.hits++;
      else if (result === 'miss') pass.misses++;
      else pass.errors++;
    }
    pass.ms = Math.round(performance.now() - started);
    this.passes.push(pass);
    const { hits, misses, errors, ms } = pass;
    const log = errors > 0 ? this.opts.logger.warn.bind(this.opts.logger) : this.opts.logger.info.bind(this.opts.logger);
    log(
      { warm: reason, total, hits, misses, errors, ms },
      `cache warming (${reason}) done: ${hits} hit(s), ${misses} computed, ${errors} failed in ${ms} ms`,
    );
    return pass;
  }

  /** Recomputes and stores the entry (as a request with Cache-Control: no-cache would), before it expires. */
  private async refresh(entry: WarmEntry): Promise<void> {
    await this.runEntry(entry, 'refresh', { warm: 'refresh' });
  }

  private async runEntry(entry: WarmEntry, mode: CacheMode, progress: Record<string, unknown>): Promise<WarmResult> {
    const started = performance.now();
    let result: WarmResult;
    let key: string | undefined;
    let error: string | undefined;
    try {
      const done = await this.opts.operate({ query: entry.query, operationName: entry.operationName, variables: entry.variables }, entry.user, mode);
      key = done.key;
      if (done.errors.length > 0) {
        result = 'error';
        error = done.errors.join('; ');
      } else result = outcomeOf(done);
    } catch (err) {
      result = 'error';
      error = (err as Error).message;
    }
    const ms = Math.round((performance.now() - started) * 100) / 100;
    const step = progress.n === undefined ? '' : `${progress.n}/${progress.total} `;
    const line = { ...progress, entry: entry.name, key, result, ms, ...(error ? { error } : {}) };
    if (result === 'error') this.opts.logger.warn(line, `warm ${step}${entry.name}: error: ${error}`);
    else this.opts.logger.info(line, `warm ${step}${entry.name}: ${result} in ${ms} ms`);
    return result;
  }
}

/** A hit when nothing was computed: the whole response was stored, or every cached field hit. */
function outcomeOf(done: Operated): WarmResult {
  if (done.verdict === 'HIT') return 'hit';
  if (done.verdict === 'MISS') return 'miss';
  const counts = Object.values(done.fields);
  const misses = counts.reduce((n, c) => n + c.misses, 0);
  const hits = counts.reduce((n, c) => n + c.hits, 0);
  return misses === 0 && hits > 0 ? 'hit' : 'miss';
}
