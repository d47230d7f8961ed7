/**
 * A second-order band-pass filter (RBJ cookbook, 0 dB peak) whose centre frequency may
 * change while it runs; the demo generator sweeps it down to imitate fatigue.
 */
export class BandPassFilter {
  private b0 = 0;
  private a1 = 0;
  private a2 = 0;
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;

  constructor(
    private readonly sampleRate: number,
    private readonly q: number,
    centreHz: number,
  ) {
    this.tune(centreHz);
  }

  tune(centreHz: number): void {
    const w0 = (2 * Math.PI * centreHz) / this.sampleRate;
    const alpha = Math.sin(w0) / (2 * this.q);
    const a0 = 1 + alpha;
    this.b0 = alpha / a0;
    this.a1 = (-2 * Math.cos(w0)) / a0;
    this.a2 = (1 - alpha) / a0;
  }

  /** b1 is 0 and b2 is −b0 for this band-pass. */
  process(x: number): number {
    const y = this.b0 * (x - this.x2) - this.a1 * this.y1 - this.a2 * this.y2;
    this.x2 = this.x1;
    this.x1 = x;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}
