import { CircuitBreaker } from '../../src/cache/circuit-breaker';
import { ComputeLeases } from '../../src/cache/compute-lease';
import { errorsAreMisses } from '../../src/cache/errors-are-misses';
import { leaseKey } from '../../src/cache/keys';
import { RedisStore } from '../../src/cache/redis-store';
import { StatsRecorder } from '../../src/cache/stats';
import type { KeyValueStore } from '../../src/cache/store';
import { TaggedCache } from '../../src/cache/tagged-cache';
import { gate, sleep, waitFor } from '../helpers/async';
import { OwnRedis, testPrefix } from '../helpers/redis';
import { deleteUnderPrefix, sharedTopology, sharedTopologyName } from '../helpers/shared-topology';
import { get, ManualClock, request, silentLogger } from './helpers';

/**
 * Instances are TaggedCaches of their own over one Redis (or the topology of the quick profile),
 * each with its own single flight, as separate gateway processes would have.
 */
const prefix = testPrefix();
const space = { prefix, schemaVersion: 'stest' };

function instance(store: KeyValueStore, opts: { leaseMs?: number; clock?: ManualClock } = {}): TaggedCache {
  return new TaggedCache({
    store,
    space,
    stats: new StatsRecorder(),
    logger: silentLogger,
    compressMinBytes: 1024,
    maxEntryBytes: 1024 * 1024,
    leases: new ComputeLeases({ store, space, leaseMs: opts.leaseMs ?? 5000 }),
    now: opts.clock?.now,
  });
}

describe(`one computation per key across instances (${sharedTopologyName()})`, () => {
  const redis = new RedisStore({ topology: sharedTopology(), commandTimeoutMs: 2000 });
  beforeAll(() => redis.ready(10_000));
  afterAll(async () => {
    await deleteUnderPrefix(prefix);
    await redis.close();
  });
  let n = 0;
  const name = () => `lease${++n}`;

  it('200 concurrent misses spread over 3 instances compute the value once', async () => {
    const instances = [instance(redis), instance(redis), instance(redis)];
    const req = request(prefix, name(), ['Thing:1']);
    let computations = 0;
    const load = async () => {
      computations++;
      await sleep(150);
      return 'computed';
    };
    const values = await Promise.all(Array.from({ length: 200 }, (_, i) => get(instances[i % 3], req, load)));
    expect(values.every((v) => v === 'computed')).toBe(true);
    expect(computations).toBe(1);
  });

  it('a holder that crashed (never released) costs the others at most the lease, then one of them computes', async () => {
    const req = request(prefix, name(), ['Thing:2']);
    // The crashed instance: it took the lease and died.
    const crashed = await new ComputeLeases({ store: redis, space, leaseMs: 400 }).acquire(req.key);
    expect(crashed.kind).toBe('acquired');
    const instances = [instance(redis, { leaseMs: 400 }), instance(redis, { leaseMs: 400 })];
    let computations = 0;
    const started = Date.now();
    const values = await Promise.all(instances.map((c) => get(c, req, async () => ++computations)));
    expect(values).toEqual([1, 1]);
    expect(computations).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('the holder releases its lease once the value is stored, and after a failed load, so the next miss computes at once', async () => {
    const req = request(prefix, name(), ['Thing:3']);
    const c = instance(redis);
    await expect(get(c, req, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect((await redis.getMany([leaseKey(space, req.key)]))[0]).toBeNull();
    expect(await get(c, req, async () => 'ok')).toBe('ok');
    expect((await redis.getMany([leaseKey(space, req.key)]))[0]).toBeNull();
  });

  it('a waiter whose looks Redis does not answer keeps waiting for the holder instead of computing', async () => {
    const req = request(prefix, name(), ['Thing:5']);
    const computing = gate();
    const release = gate();
    let computations = 0;
    const load = async () => {
      computations++;
      computing.open();
      await release.promise;
      return 'computed';
    };
    // The waiter's store: answers like Redis, except that a few reads while it waits come back
    // empty, as errorsAreMisses answers a read that timed out.
    let unanswered = 0;
    const flaky: KeyValueStore = {
      kind: 'redis',
      getMany: async (keys) => (unanswered > 0 ? (unanswered--, keys.map(() => null)) : redis.getMany(keys)),
      setMany: (e) => redis.setMany(e),
      setIfAbsent: (e) => redis.setIfAbsent(e),
      delete: (k) => redis.delete(k),
      deleteIfEquals: (k, v) => redis.deleteIfEquals(k, v),
    };
    const holder = get(instance(redis), req, load);
    await computing.promise;
    const waiter = get(instance(flaky), req, load);
    await sleep(30);
    unanswered = 4;
    await waitFor(() => unanswered === 0, 'the unanswered looks');
    release.open();
    expect(await Promise.all([holder, waiter])).toEqual(['computed', 'computed']);
    expect(computations).toBe(1);
  });

  it('within swr exactly one instance refreshes a stale value, the others serve it stale', async () => {
    const clock = new ManualClock();
    const instances = [instance(redis, { clock }), instance(redis, { clock }), instance(redis, { clock })];
    const req = request(prefix, name(), ['Thing:4'], 60, 600);
    let loads = 0;
    const held = gate();
    const load = async () => {
      const n = ++loads;
      if (n > 1) await held.promise;
      return n;
    };
    expect(await get(instances[0], req, load)).toBe(1);
    clock.advance(61);
    const stale = await Promise.all(instances.flatMap((c) => [get(c, req, load), get(c, req, load)]));
    expect(stale).toEqual([1, 1, 1, 1, 1, 1]);
    await waitFor(() => loads === 2, 'the one refresh');
    await sleep(100);
    held.open();
    expect(loads).toBe(2);
  });
});

describe('a lease never makes a request wait on a Redis that does not answer', () => {
  let own: OwnRedis;
  beforeAll(async () => {
    own = await OwnRedis.start();
  });
  afterAll(() => own.stop());

  it('with Redis gone, every instance computes (once per process) without waiting', async () => {
    const raw = new RedisStore({ url: own.url, commandTimeoutMs: 100 });
    await raw.ready(5000);
    const breaker = new CircuitBreaker({ probe: () => raw.ping() });
    const store = errorsAreMisses(raw, breaker, new StatsRecorder(), silentLogger);
    try {
      await own.kill();
      const instances = [instance(store), instance(store)];
      const req = request(prefix, 'gone', ['Thing:9']);
      let computations = 0;
      const started = Date.now();
      const values = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          get(instances[i % 2], req, async () => {
            computations++;
            await sleep(50);
            return 'computed';
          }),
        ),
      );
      expect(values.every((v) => v === 'computed')).toBe(true);
      // One per process: the single flight still holds.
      expect(computations).toBe(2);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      breaker.dispose();
      await raw.close();
    }
  });
});
