/**
 * Amplitude features of one channel, in the signal's own units. They use the signal as
 * recorded (no mean removal): a DC offset is part of the amplitude a reader of these
 * numbers expects to see, and EMG amplifiers usually remove it already.
 */

/** Root mean square. */
export function rootMeanSquare(x: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return x.length === 0 ? 0 : Math.sqrt(sum / x.length);
}

/** Mean absolute value (MAV). */
export function meanAbsoluteValue(x: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]);
  return x.length === 0 ? 0 : sum / x.length;
}

/** Cumulative length of the waveform: the sum of |x[i+1] − x[i]| over the whole signal (not normalised by length). */
export function waveformLength(x: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 1; i < x.length; i++) sum += Math.abs(x[i] - x[i - 1]);
  return sum;
}

/** Largest absolute value. */
export function peakAmplitude(x: ArrayLike<number>): number {
  let peak = 0;
  for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs(x[i]));
  return peak;
}

/**
 * Sign changes of the signal after subtracting its mean, so a DC offset does not hide
 * every crossing. Samples exactly at the mean are skipped: +, 0, − counts one crossing.
 * No amplitude threshold is applied, so noise around the mean counts too.
 */
export function zeroCrossings(x: ArrayLike<number>): number {
  if (x.length === 0) return 0;
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i];
  mean /= x.length;
  let count = 0;
  let previousSign = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - mean;
    if (d === 0) continue;
    const sign = d > 0 ? 1 : -1;
    if (previousSign !== 0 && sign !== previousSign) count++;
    previousSign = sign;
  }
  return count;
}
