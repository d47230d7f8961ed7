import type { ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { CircuitState } from '../cache/circuit-breaker';
import type { CacheRuntime } from '../cache/runtime';
import { BucketHistogram } from './bucket-histogram';
import type { RateLimiter } from './rate-limit';

/** Seconds: hits take well under a millisecond, misses as long as the computation. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const CIRCUIT_STATES: CircuitState[] = ['closed', 'half-open', 'open'];

export interface GatewayMetrics {
  readonly registry: Registry;
  /** Answers GET /metrics in the Prometheus text format. */
  send(res: ServerResponse): Promise<void>;
}

/**
 * GET /metrics: this instance's cache counters per field coordinate, fed by StatsRecorder
 * events, plus gauges read at scrape time and Node's default process metrics. A registry of
 * its own per gateway, so two gateways in one process (tests) never share counters.
 */
export function createMetrics(cache: CacheRuntime, rateLimit?: RateLimiter): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  // Hits and misses are counted in plain numbers per coordinate and handed to prom-client at
  // scrape time: its inc hashes the labels on every call, which showed in the hit path's profile.
  const counts = new Map<string, { hits: number; misses: number }>();
  const countersOf = (kind: 'hits' | 'misses') =>
    function (this: Counter<'coordinate'>) {
      this.reset();
      for (const [coordinate, c] of counts) if (c[kind] > 0) this.inc({ coordinate }, c[kind]);
    };
  new Counter({
    name: 'cachegate_cache_hits_total',
    help: 'Cache hits, by field coordinate',
    labelNames: ['coordinate'],
    registers,
    collect: countersOf('hits'),
  });
  new Counter({
    name: 'cachegate_cache_misses_total',
    help: 'Cache misses, by field coordinate',
    labelNames: ['coordinate'],
    registers,
    collect: countersOf('misses'),
  });
  const errors = new Counter({
    name: 'cachegate_cache_errors_total',
    help: 'Cache store failures, each served as a miss, by operation (get, set, setIfAbsent, delete, decode)',
    labelNames: ['op'],
    registers,
  });
  const sets = new Counter({ name: 'cachegate_cache_sets_total', help: 'Cache entries written', registers });
  const invalidations = new Counter({ name: 'cachegate_cache_invalidated_tags_total', help: 'Tags given a new version', registers });
  const oversize = new Counter({
    name: 'cachegate_cache_oversize_total',
    help: 'Values not cached because they exceeded CACHE_MAX_ENTRY_BYTES',
    registers,
  });
  const computations = new Counter({
    name: 'cachegate_cache_computations_total',
    help: 'Values computed after a miss (with leases, one per key across the instances)',
    registers,
  });
  const stale = new Counter({ name: 'cachegate_cache_stale_served_total', help: 'Stale values served within their swr window', registers });
  const duration = new BucketHistogram(
    'cachegate_cache_lookup_duration_seconds',
    'Time to answer a cached field, by coordinate and result (hit, or miss including the computation)',
    DURATION_BUCKETS,
    registry,
  );

  new Gauge({
    name: 'cachegate_cache_circuit_state',
    help: 'The Redis circuit breaker: 1 for the current state (closed, half-open, open), 0 for the others; absent without Redis',
    labelNames: ['state'],
    registers,
    collect() {
      const current = cache.state().circuit;
      if (current !== 'none') for (const state of CIRCUIT_STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
  new Gauge({
    name: 'cachegate_cache_l1_bytes',
    help: 'Bytes held by the in-process tier',
    registers,
    collect() {
      this.set(cache.state().memory?.bytes ?? 0);
    },
  });
  new Gauge({
    name: 'cachegate_cache_l1_entries',
    help: 'Entries in the in-process tier',
    registers,
    collect() {
      this.set(cache.state().memory?.entries ?? 0);
    },
  });

  if (rateLimit) {
    // Plain numbers kept by the limiter, handed over at scrape time like the cache counters.
    new Counter({
      name: 'cachegate_rate_limited_total',
      help: 'Requests refused with 429 because the identity had spent its cost points for the window, by role',
      labelNames: ['role'],
      registers,
      collect() {
        this.reset();
        for (const [role, n] of Object.entries(rateLimit.counts.refused)) this.inc({ role }, n);
      },
    });
    new Counter({
      name: 'cachegate_rate_limit_points_total',
      help: 'Cost points charged to requests that were let through',
      registers,
      collect() {
        this.reset();
        this.inc(rateLimit.counts.pointsCharged);
      },
    });
    new Counter({
      name: 'cachegate_rate_limit_fallback_total',
      help: 'Rate-limit charges counted in this process alone because Redis did not answer',
      registers,
      collect() {
        this.reset();
        this.inc(rateLimit.fallbacks);
      },
    });
  }

  // Everything a coordinate's events touch, resolved once: nothing is looked up by label per event.
  const perCoordinate = new Map<string, { hit: (seconds: number) => void; miss: (seconds: number) => void }>();
  const childrenOf = (coordinate: string) => {
    let c = perCoordinate.get(coordinate);
    if (!c) {
      const n = { hits: 0, misses: 0 };
      counts.set(coordinate, n);
      const hitSeconds = duration.child({ coordinate, result: 'hit' });
      const missSeconds = duration.child({ coordinate, result: 'miss' });
      c = {
        hit: (seconds) => {
          n.hits++;
          hitSeconds(seconds);
        },
        miss: (seconds) => {
          n.misses++;
          missSeconds(seconds);
        },
      };
      perCoordinate.set(coordinate, c);
    }
    return c;
  };

  cache.stats.onEvent((e) => {
    switch (e.type) {
      case 'hit':
        childrenOf(e.label).hit(e.ms / 1000);
        return;
      case 'miss':
        childrenOf(e.label).miss(e.ms / 1000);
        return;
      case 'error':
        errors.inc({ op: e.op });
        return;
      case 'set':
        sets.inc(e.count);
        return;
      case 'invalidate':
        invalidations.inc(e.count);
        return;
      case 'oversize':
        oversize.inc();
        return;
      case 'stale':
        stale.inc();
        return;
      case 'compute':
        computations.inc();
        return;
    }
  });

  return {
    registry,
    async send(res) {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      res.end(body);
    },
  };
}
