import { LRUCache } from 'lru-cache';
import { type KeySpace, rateKey } from './keys';
import type { KeyValueStore } from './store';

/** What charging an identity some points gave. */
export interface WindowCharge {
  /** False when the points would have taken the identity past its limit: nothing was added. */
  allowed: boolean;
  /** Points the identity has spent in this window, after the charge (before it, when refused). */
  used: number;
  /** When this window ends and a fresh budget starts, in epoch milliseconds. */
  resetAt: number;
  /** False when the shared store did not answer and this process counted alone. */
  shared: boolean;
}

export interface WindowCountersOptions {
  /** The shared store (Redis behind errorsAreMisses); absent: this process counts alone. */
  store?: Pick<KeyValueStore, 'addWithin'>;
  space: Pick<KeySpace, 'prefix'>;
  windowMs: number;
  now?: () => number;
}

/** Identities whose in-process count is kept; the least recent are forgotten past this. */
const MAX_LOCAL_IDENTITIES = 50_000;

/**
 * Points per identity per fixed window, shared by every instance through one atomic Redis call
 * per charge (ADD_WITHIN in redis-store.ts: add unless past the limit, expire with the window).
 * When Redis does not answer, the charge is counted in this process instead (`fallbacks`): a
 * rate limit must never fail a request because its store failed, and a client stays limited
 * by each instance alone meanwhile.
 *
 * Windows are numbered from the epoch, so every instance agrees on when one ends without
 * talking to the others (within their clocks' skew).
 */
export class WindowCounters {
  /** Charges counted in this process because the shared store did not answer. */
  fallbacks = 0;
  private readonly local = new LRUCache<string, { window: number; used: number }>({ max: MAX_LOCAL_IDENTITIES });
  private readonly now: () => number;

  constructor(private readonly opts: WindowCountersOptions) {
    this.now = opts.now ?? Date.now;
  }

  get windowMs(): number {
    return this.opts.windowMs;
  }

  /** Adds points to identity's window unless that would pass limit. */
  async charge(identity: string, points: number, limit: number): Promise<WindowCharge> {
    const now = this.now();
    const window = Math.floor(now / this.opts.windowMs);
    const resetAt = (window + 1) * this.opts.windowMs;
    const addWithin = this.opts.store?.addWithin;
    // What this process knows is a floor of what was spent (counts only grow within a window):
    // a charge it already knows to be too much is refused without a round trip, or a write.
    const mine = this.local.get(identity);
    const knownUsed = mine?.window === window ? mine.used : 0;
    if (knownUsed + points > limit) return { allowed: false, used: knownUsed, resetAt, shared: false };
    if (addWithin) {
      // The key outlives its window a little: a charge made at its very end still finds it.
      const shared = await addWithin.call(this.opts.store, rateKey(this.opts.space, identity, window), points, limit, resetAt - now + 1000);
      if (shared) {
        this.remember(identity, window, shared.total);
        return { allowed: shared.added, used: shared.total, resetAt, shared: true };
      }
      this.fallbacks++;
    }
    this.local.set(identity, { window, used: knownUsed + points });
    return { allowed: true, used: knownUsed + points, resetAt, shared: false };
  }

  /**
   * What this process last knew identity had spent in the current window, without asking
   * anyone (0 when it knows nothing): lets a cheap request be refused without a round trip.
   */
  known(identity: string): { used: number; resetAt: number } {
    const now = this.now();
    const window = Math.floor(now / this.opts.windowMs);
    const mine = this.local.get(identity);
    return { used: mine?.window === window ? mine.used : 0, resetAt: (window + 1) * this.opts.windowMs };
  }

  private remember(identity: string, window: number, used: number): void {
    this.local.set(identity, { window, used });
  }
}
