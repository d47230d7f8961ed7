import { seededRandom } from '../../lib/random';

/** Seeded uniform and normal draws for generated recordings: the same seed always gives the same sequence. */
export class SeededRandom {
  private readonly uniform: () => number;

  constructor(seed: number) {
    // Fold the high bits in so seeds beyond 32 bits still differ.
    this.uniform = seededRandom(Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32));
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uniform();
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Standard normal, by Box–Muller. */
  gaussian(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
