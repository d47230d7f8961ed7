import { meanFrequency, medianFrequency } from '../../../../src/domains/emg/signal/spectral-features';
import { welchPowerSpectrum, welchSegmentLength } from '../../../../src/domains/emg/signal/welch';
import { bandLimitedNoise, sine } from '../helpers';

describe("Welch's power spectrum", () => {
  test('segments are a power of two of about a quarter second, never longer than the signal', () => {
    expect(welchSegmentLength(100_000, 2000)).toBe(512);
    expect(welchSegmentLength(100_000, 990)).toBe(256);
    expect(welchSegmentLength(300, 2000)).toBe(256);
    expect(welchSegmentLength(8, 2000)).toBe(8);
    expect(() => welchSegmentLength(7, 2000)).toThrow(/at least 8 samples/);
  });

  test('segments overlap by half and bins run from 0 Hz to Nyquist', () => {
    const s = welchPowerSpectrum(
      new Float64Array(2048).fill(1).map((_, i) => Math.sin(i)),
      2000,
    );
    expect(s).toMatchObject({ segmentLength: 512, segmentCount: 7, binWidth: 2000 / 512 });
    expect(s.frequencies[0]).toBe(0);
    expect(s.frequencies[s.frequencies.length - 1]).toBe(1000);
  });

  test('is a density: its integral is the signal variance (Parseval)', () => {
    const x = bandLimitedNoise(20, 400, 2000, 8, 4);
    const s = welchPowerSpectrum(x, 2000);
    const integral = s.power.reduce((sum, p) => sum + p * s.binWidth, 0);
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
    expect(integral / variance).toBeGreaterThan(0.95);
    expect(integral / variance).toBeLessThan(1.05);
  });

  test('removes each segment mean, so a DC offset changes nothing', () => {
    const x = sine(1, 100, 2000, 2);
    const plain = welchPowerSpectrum(x, 2000).power;
    const offset = welchPowerSpectrum(
      x.map((v) => v + 50),
      2000,
    ).power;
    plain.forEach((p, k) => expect(offset[k]).toBeCloseTo(p, 9));
  });
});

describe('mean and median frequency', () => {
  test.each([50, 73.3, 180])('of a sine at %d Hz are that frequency', (f) => {
    const s = welchPowerSpectrum(sine(3, f, 2000, 10, 0.4), 2000);
    expect(meanFrequency(s)).toBeCloseTo(f, 0);
    expect(Math.abs(medianFrequency(s) - f)).toBeLessThan(0.5);
  });

  test.each([
    [20, 120],
    [60, 250],
    [100, 400],
  ])('of noise band-limited to [%d, %d] Hz lie near the middle of the band', (a, b) => {
    const s = welchPowerSpectrum(bandLimitedNoise(a, b, 2000, 10, a), 2000);
    const middle = (a + b) / 2;
    expect(Math.abs(medianFrequency(s) - middle)).toBeLessThan(0.03 * middle);
    expect(Math.abs(meanFrequency(s) - middle)).toBeLessThan(0.03 * middle);
  });

  test('of a spectrum without power are 0 rather than NaN', () => {
    const s = welchPowerSpectrum(new Float64Array(1024), 1000);
    expect([meanFrequency(s), medianFrequency(s)]).toEqual([0, 0]);
  });
});
