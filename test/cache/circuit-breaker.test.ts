import { CircuitBreaker, type CircuitState } from '../../src/cache/circuit-breaker';
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
});
