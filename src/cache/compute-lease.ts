import { randomBytes } from 'node:crypto';
import { type KeySpace, leaseKey } from './keys';
import type { KeyValueStore } from './store';

/** What trying to take the lease of a key gave. */
export type LeaseAttempt =
  /** This instance computes; release when the value is stored (or the load failed). */
  | { kind: 'acquired'; release(): Promise<void> }
  /** Another instance computes: wait for its value (or serve a stale one). */
  | { kind: 'held' }
  /** The shared store did not answer (slow, down, circuit open): compute here, once per process. */
  | { kind: 'unavailable' };

export interface ComputeLeasesOptions {
  /** The shared store itself (Redis behind errorsAreMisses), never an in-process tier: a lease must be seen by every instance. */
  store: KeyValueStore;
  space: Pick<KeySpace, 'prefix'>;
  /** How long a lease lasts, in milliseconds: a crashed holder's lease runs out after this. */
  leaseMs: number;
}

/**
 * One computation per key across the fleet: before computing a missing value, an instance
 * takes a short lease in Redis (SET NX PX with a token of its own); the others see it held and
 * wait for the value instead. The holder deletes the lease, by its token, once the value is
 * stored; a holder that crashed never does, and its lease simply runs out.
 *
 * A lease never makes a request wait on Redis: its one command goes through the request path's
 * deadline and circuit, and a store that does not answer means "unavailable" (compute here,
 * with the per-process single flight in front, as without a lease).
 */
export class ComputeLeases {
  constructor(readonly opts: ComputeLeasesOptions) {}

  get leaseMs(): number {
    return this.opts.leaseMs;
  }

  async acquire(entryKey: string): Promise<LeaseAttempt> {
    const key = leaseKey(this.opts.space, entryKey);
    const token = randomBytes(12);
    const [holder] = await this.opts.store.setIfAbsent([{ key, value: token, ttlMs: this.opts.leaseMs }]);
    if (!holder) return { kind: 'unavailable' };
    if (!holder.equals(token)) return { kind: 'held' };
    return {
      kind: 'acquired',
      release: async () => {
        // Only our own token: a lease that ran out and was taken by another instance stays theirs.
        await this.opts.store.deleteIfEquals?.(key, token);
      },
    };
  }

  /** True while some instance holds the lease of entryKey; false also when the store did not answer. */
  async isHeld(entryKey: string): Promise<boolean> {
    const [value] = await this.opts.store.getMany([leaseKey(this.opts.space, entryKey)]);
    return value !== null;
  }
}
