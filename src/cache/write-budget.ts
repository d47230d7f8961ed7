/**
 * How many keys one request may still write to the cache (entries and tag versions): a request
 * over many ids must not fill Redis. Past it, values are computed and answered but not stored.
 * One per request, never shared; writes are counted when attempted, so what a request adds is
 * at most what it was given.
 */
export class WriteBudget {
  /** True once some write was refused for want of budget. */
  exhausted = false;

  constructor(private left: number) {}

  get remaining(): number {
    return this.left;
  }

  /** Takes n writes; false (and nothing taken) when fewer are left. */
  take(n: number): boolean {
    if (n > this.left) {
      this.exhausted = true;
      return false;
    }
    this.left -= n;
    return true;
  }
}
