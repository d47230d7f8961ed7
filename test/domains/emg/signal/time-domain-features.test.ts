import { meanAbsoluteValue, peakAmplitude, rootMeanSquare, waveformLength, zeroCrossings } from '../../../../src/domains/emg/signal/time-domain';
import { sine } from '../helpers';

describe('amplitude features of a sine of amplitude A at f Hz', () => {
  // 40 samples per period and a whole number of periods, so the sampled sine hits its peaks.
  const A = 2;
  const f = 50;
  const sampleRate = 2000;
  const seconds = 10;
  const x = sine(A, f, sampleRate, seconds);

  test('RMS is A/√2', () => {
    expect(rootMeanSquare(x)).toBeCloseTo(A / Math.SQRT2, 10);
  });

  test('MAV is 2A/π (within the 0.2 % that sampling 40 points per period costs)', () => {
    expect(meanAbsoluteValue(x) / ((2 * A) / Math.PI)).toBeCloseTo(1, 2);
  });

  test('peak amplitude is A', () => {
    expect(peakAmplitude(x)).toBeCloseTo(A, 12);
    expect(peakAmplitude(x.map((v) => -v))).toBeCloseTo(A, 12);
  });

  test('waveform length is 4A per period', () => {
    // The last period lacks its final step back to zero, hence a relative tolerance.
    expect(waveformLength(x) / (4 * A * f * seconds)).toBeCloseTo(1, 3);
  });

  test('zero crossings are 2·f·duration', () => {
    expect(Math.abs(zeroCrossings(x) - 2 * f * seconds)).toBeLessThanOrEqual(1);
  });

  test('a DC offset does not hide the zero crossings, because the mean is removed first', () => {
    expect(zeroCrossings(x.map((v) => v + 10))).toBe(zeroCrossings(x));
  });
});

describe('amplitude features at the edges', () => {
  test('samples exactly at the mean are skipped: +, 0, − is one crossing', () => {
    expect(zeroCrossings([1, 0, -1, 0, 1, 0, -1])).toBe(3);
  });

  test('a constant signal has no crossings and no waveform length', () => {
    const flat = new Float64Array(100).fill(3);
    expect([zeroCrossings(flat), waveformLength(flat), rootMeanSquare(flat), meanAbsoluteValue(flat), peakAmplitude(flat)]).toEqual([0, 0, 3, 3, 3]);
  });

  test('an empty signal gives zeros, not NaN', () => {
    const empty = new Float64Array(0);
    expect([rootMeanSquare(empty), meanAbsoluteValue(empty), waveformLength(empty), peakAmplitude(empty), zeroCrossings(empty)]).toEqual([
      0, 0, 0, 0, 0,
    ]);
  });
});
