export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (calls that failed together count once, see failure()). Default 3. */
  failureThreshold?: number;
  /** First wait before probing an open circuit, in milliseconds; doubles per failed probe. Default 500. */
  openMs?: number;
  /** Longest wait between probes, in milliseconds. Default 5000. */
  maxOpenMs?: number;
  /** Checks the backend (PING); resolves when it answers. */
  probe: () => Promise<unknown>;
  onStateChange?: (state: CircuitState, previous: CircuitState) => void;
}

/**
 * Stops waiting on a dead backend: after repeated failures the circuit opens and callers are
 * answered at once (as misses) while a timer probes the backend, closing the circuit when it
 * answers again.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  /** When the last failure that counted was reported (performance.now()). */
  private lastCountedAt = -Infinity;
  private waitMs: number;
  private timer?: NodeJS.Timeout;
  /** The connection came back while a probe was in flight (probeNow). */
  private probeAgain = false;
  private readonly threshold: number;
  private readonly maxOpenMs: number;

  constructor(private readonly opts: CircuitBreakerOptions) {
    this.threshold = opts.failureThreshold ?? 3;
    this.waitMs = opts.openMs ?? 500;
    this.maxOpenMs = opts.maxOpenMs ?? 5000;
  }

  get state(): CircuitState {
    return this.current;
  }

  /** True when calls should go to the backend. */
  allows(): boolean {
    return this.current === 'closed';
  }

  success(): void {
    this.failures = 0;
  }

  /**
   * Reports a failed call. startedAt (performance.now() when the call was made) makes calls
   * that were in flight together one piece of evidence: a failure counts only if its call began
   * after the last counted failure was seen. A burst of 60 lookups that a momentarily slow Redis
   * (or a starved machine) answers late is Redis being slow once, not 60 times; opening the
   * circuit on it would make every instance compute what the lease (compute-lease.ts) exists to
   * compute once. A dead Redis still opens it: the calls made after each failure fail too.
   * Without startedAt every failure counts.
   */
  failure(startedAt?: number): void {
    if (startedAt !== undefined && startedAt < this.lastCountedAt) return;
    this.lastCountedAt = performance.now();
    this.failures++;
    if (this.current === 'closed' && this.failures >= this.threshold) this.open();
  }

  /**
   * Probes at once when the circuit is open: the connection is back (a reconnect, a failover
   * to a new master), so waiting out the back-off would only delay the hits.
   */
  probeNow(): void {
    // Told while a probe is in flight: that probe may have gone out on the connection that just
    // died, so if it fails, probe again at once instead of waiting out a doubled back-off.
    if (this.current === 'half-open') this.probeAgain = true;
    if (this.current !== 'open') return;
    clearTimeout(this.timer);
    void this.runProbe();
  }

  /** Stops probing (shutdown). */
  dispose(): void {
    clearTimeout(this.timer);
  }

  private open(): void {
    this.transition('open');
    this.timer = setTimeout(() => void this.runProbe(), this.waitMs);
    this.timer.unref();
  }

  private async runProbe(): Promise<void> {
    this.transition('half-open');
    this.probeAgain = false;
    try {
      await this.opts.probe();
      this.failures = 0;
      this.lastCountedAt = -Infinity;
      this.waitMs = this.opts.openMs ?? 500;
      this.transition('closed');
    } catch {
      if (this.probeAgain) {
        this.transition('open');
        void this.runProbe();
        return;
      }
      this.waitMs = Math.min(this.waitMs * 2, this.maxOpenMs);
      this.open();
    }
  }

  private transition(next: CircuitState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.opts.onStateChange?.(next, previous);
  }
}
