import { CircuitBreaker, type CircuitState } from '../../src/cache/circuit-breaker';
import { errorsAreMisses } from '../../src/cache/errors-are-misses';
import { MemoryStore } from '../../src/cache/memory-store';
import { StatsRecorder } from '../../src/cache/stats';
import { silentLogger } from './helpers';
import { sleep } from '../helpers/async';

describe('circuit breaker', () => {
  it('opens after the threshold of consecutive failures and then refuses calls', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 10_000, probe: async () => undefined });
    breaker.failure();
    breaker.failure();
    expect(breaker.allows()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allows()).toBe(false);
    breaker.dispose();
  });

  it('calls that failed together count once: only a call made after a counted failure counts again', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 10_000, probe: async () => undefined });
    // A burst: ten calls made at once, all answered late.
    const burst = performance.now();
    for (let i = 0; i < 10; i++) breaker.failure(burst);
    expect(breaker.state).toBe('closed');
    // Redis stays dead: each call made after the previous failure fails too.
    breaker.failure(performance.now());
    expect(breaker.state).toBe('closed');
    breaker.failure(performance.now());
    expect(breaker.state).toBe('open');
    breaker.dispose();
  });

  it('a success resets the streak', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, probe: async () => undefined });
    breaker.failure();
    breaker.success();
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.dispose();
  });

  it('probes while open and closes when the probe succeeds', async () => {
    let healthy = false;
    const states: CircuitState[] = [];
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      openMs: 20,
      maxOpenMs: 40,
      probe: async () => {
        if (!healthy) throw new Error('down');
      },
      onStateChange: (s) => states.push(s),
    });
    breaker.failure();
    await sleep(60);
    expect(breaker.state).not.toBe('closed');
    healthy = true;
    await sleep(100);
    expect(breaker.state).toBe('closed');
    expect(states[0]).toBe('open');
    expect(states).toContain('half-open');
    breaker.dispose();
  });

  it('probes at once when told the connection is back, instead of waiting out the back-off', async () => {
    let probes = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 60_000, probe: async () => void probes++ });
    breaker.failure();
    expect(breaker.state).toBe('open');
    breaker.probeNow();
    await sleep(0);
    expect(probes).toBe(1);
    expect(breaker.state).toBe('closed');
    // Closed: nothing to probe.
    breaker.probeNow();
    await sleep(0);
    expect(probes).toBe(1);
    breaker.dispose();
  });

  it('told the connection is back while a probe is in flight, probes again as soon as that probe fails', async () => {
    let probes = 0;
    let failFirst: (err: Error) => void = () => undefined;
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      openMs: 60_000,
      probe: () => (++probes === 1 ? new Promise((_, reject) => (failFirst = reject)) : Promise.resolve()),
    });
    breaker.failure();
    breaker.probeNow();
    expect(breaker.state).toBe('half-open');
    // The connection comes back while the first probe (on the dead one) is still out.
    breaker.probeNow();
    failFirst(new Error('stale connection'));
    await sleep(0);
    await sleep(0);
    expect(probes).toBe(2);
    expect(breaker.state).toBe('closed');
    breaker.dispose();
  });

  it('behind errorsAreMisses: a burst of reads that all time out leaves it closed; reads that keep failing one after another open it', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 10_000, probe: async () => undefined });
    const memory = new MemoryStore(1024);
    // Our own port, slow and failing: every read is answered late, with an error.
    const slow = {
      ...memory,
      kind: 'memory',
      getMany: () => sleep(20).then(() => Promise.reject(new Error('timed out'))),
    } as unknown as MemoryStore;
    const store = errorsAreMisses(slow, breaker, new StatsRecorder(), silentLogger);
    const burst = await Promise.all(Array.from({ length: 20 }, () => store.getMany(['k'])));
    expect(burst.every(([v]) => v === null)).toBe(true);
    expect(breaker.state).toBe('closed');
    for (let i = 0; i < 2; i++) await store.getMany(['k']);
    expect(breaker.state).toBe('open');
    breaker.dispose();
  });
});
