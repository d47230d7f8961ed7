import { fatigueSlope, leastSquaresSlope, windowedMedianFrequencies } from '../../../../src/domains/emg/signal/fatigue';
import { bandLimitedNoise, linearChirp, sine } from '../helpers';

describe('fatigue slope: the trend of the median frequency over consecutive windows', () => {
  test.each([
    [-1.5, 500],
    [-0.5, 250],
    [2, 1000],
  ])('of a chirp changing by %d Hz/s is that rate (windows of %d ms)', (rate, windowMs) => {
    const sampleRate = 2000;
    const x = linearChirp(150, rate, sampleRate, 40);
    const slope = fatigueSlope(x, sampleRate, (windowMs * sampleRate) / 1000);
    expect(slope).not.toBeNull();
    expect(Math.abs(slope! - rate)).toBeLessThan(0.03 * Math.abs(rate));
  });

  test('of a steady sine is zero', () => {
    expect(Math.abs(fatigueSlope(sine(1, 80, 1000, 20), 1000, 250)!)).toBeLessThan(1e-3);
  });

  test('is null with fewer than two windows', () => {
    const x = bandLimitedNoise(50, 150, 1000, 1.5);
    expect(fatigueSlope(x, 1000, 1000)).toBeNull();
    expect(fatigueSlope(x, 1000, 750)).not.toBeNull();
  });

  test('windows are consecutive, centred in time, and drop a partial last window', () => {
    const points = windowedMedianFrequencies(sine(1, 100, 1000, 2.3), 1000, 500);
    expect(points.map((p) => p.timeSeconds)).toEqual([0.25, 0.75, 1.25, 1.75]);
    points.forEach((p) => expect(p.medianFrequency).toBeCloseTo(100, 0));
  });

  test('silent windows are left out: a flat line has no frequency to track', () => {
    const x = new Float64Array(4000);
    x.set(sine(1, 100, 1000, 1), 0);
    x.set(sine(1, 80, 1000, 1), 3000);
    const points = windowedMedianFrequencies(x, 1000, 500);
    expect(points.map((p) => p.timeSeconds)).toEqual([0.25, 0.75, 3.25, 3.75]);
  });
});

describe('least-squares slope', () => {
  test('fits a line exactly and is null without two distinct x', () => {
    expect(leastSquaresSlope([0, 1, 2, 3], [5, 3, 1, -1])).toBeCloseTo(-2, 12);
    expect(leastSquaresSlope([1], [1])).toBeNull();
    expect(leastSquaresSlope([2, 2], [1, 3])).toBeNull();
  });
});
