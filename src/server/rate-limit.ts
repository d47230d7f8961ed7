import type { IncomingMessage } from 'node:http';
import type { WindowCounters } from '../cache/rate-counter';
import type { User } from '../identity';

export interface RateLimitSettings {
  /** RATE_LIMIT_POINTS: cost points an anonymous caller or a user may spend per window; 0 turns rate limiting off. */
  points: number;
  /** RATE_LIMIT_ADMIN_POINTS: an admin's budget per window. */
  adminPoints: number;
}

/** Where an identity stands after a request was charged (or refused). */
export interface RateDecision {
  allowed: boolean;
  /** The identity's budget per window. */
  limit: number;
  /** Points left in this window. */
  remaining: number;
  /** When the window ends, in epoch milliseconds. */
  resetAt: number;
  /** Points this request was charged, or would have been. */
  cost: number;
}

/** Counted for /metrics, read at scrape time. */
export interface RateLimitCounts {
  refused: { anonymous: number; user: number; admin: number };
  pointsCharged: number;
}

/**
 * Cost points per identity per window: the verified user (`u:<id>`), or for an anonymous caller
 * the client's address (`a:<address>`). A request that executes (a miss, a forced refresh, a
 * mutation) is charged its cost, computed by the guard before it runs, and refused with 429
 * when that would pass the budget; the charge is one atomic call to Redis, shared by every
 * instance (WindowCounters). A whole-response hit costs no points and no round trip, but an
 * identity this process knows to be out of points is refused even a hit.
 */
export class RateLimiter {
  readonly counts: RateLimitCounts = { refused: { anonymous: 0, user: 0, admin: 0 }, pointsCharged: 0 };

  constructor(
    private readonly counters: WindowCounters,
    private readonly settings: RateLimitSettings,
  ) {}

  /** Charges cost points (at least 1) before the request does any work. */
  async charge(req: IncomingMessage, user: User | undefined, cost: number): Promise<RateDecision> {
    const points = Math.max(1, Math.ceil(cost));
    const limit = this.limitOf(user);
    const charged = await this.counters.charge(identityOf(req, user), points, limit);
    if (charged.allowed) this.counts.pointsCharged += points;
    else this.counts.refused[roleOf(user)]++;
    return { allowed: charged.allowed, limit, remaining: Math.max(0, limit - charged.used), resetAt: charged.resetAt, cost: points };
  }

  /** A hit's check, without waiting: refused only when this process knows the identity has no points left. */
  admitHit(req: IncomingMessage, user: User | undefined): RateDecision {
    const limit = this.limitOf(user);
    const known = this.counters.known(identityOf(req, user));
    const allowed = known.used < limit;
    if (!allowed) this.counts.refused[roleOf(user)]++;
    return { allowed, limit, remaining: Math.max(0, limit - known.used), resetAt: known.resetAt, cost: 0 };
  }

  /** Charges that Redis did not answer and this process counted alone. */
  get fallbacks(): number {
    return this.counters.fallbacks;
  }

  private limitOf(user: User | undefined): number {
    return user?.role === 'admin' ? this.settings.adminPoints : this.settings.points;
  }
}

/**
 * Who is charged: the verified user, else the address the connection comes from. Forwarded
 * headers are not trusted: any client can write them.
 */
export function identityOf(req: IncomingMessage, user: User | undefined): string {
  return user ? `u:${user.id}` : `a:${req.socket.remoteAddress ?? 'unknown'}`;
}

const roleOf = (user: User | undefined): keyof RateLimitCounts['refused'] => (user ? user.role : 'anonymous');

/** The headers every rate-limited response carries (IETF RateLimit fields, and Retry-After on a refusal), as a flat list (name, value, …). */
export function rateLimitHeaders(d: RateDecision, now = Date.now()): string[] {
  const reset = Math.max(0, Math.ceil((d.resetAt - now) / 1000));
  const headers = ['ratelimit-limit', String(d.limit), 'ratelimit-remaining', String(d.remaining), 'ratelimit-reset', String(reset)];
  if (!d.allowed) headers.push('retry-after', String(Math.max(1, reset)));
  return headers;
}
