import { medianFrequency } from './spectral-features';
import { welchPowerSpectrum, welchSegmentLength } from './welch';

export interface WindowMedianFrequency {
  /** Centre of the window in seconds from the start of the recording. */
  timeSeconds: number;
  medianFrequency: number;
}

/**
 * The median frequency of consecutive, non-overlapping windows of `windowSamples`; a
 * trailing partial window is dropped, and so are windows without power (a flat line has
 * no frequency to track).
 */
export function windowedMedianFrequencies(signal: Float64Array, sampleRate: number, windowSamples: number): WindowMedianFrequency[] {
  const out: WindowMedianFrequency[] = [];
  const segmentLength = welchSegmentLength(windowSamples, sampleRate);
  for (let start = 0; start + windowSamples <= signal.length; start += windowSamples) {
    const spectrum = welchPowerSpectrum(signal.subarray(start, start + windowSamples), sampleRate, segmentLength);
    if (!spectrum.power.some((p) => p > 0)) continue;
    out.push({ timeSeconds: (start + windowSamples / 2) / sampleRate, medianFrequency: medianFrequency(spectrum) });
  }
  return out;
}

/**
 * The fatigue index: least-squares slope of the windows' median frequency against time,
 * in Hz per second (negative as a muscle fatigues), or null with fewer than two windows.
 */
export function fatigueSlope(signal: Float64Array, sampleRate: number, windowSamples: number): number | null {
  const points = windowedMedianFrequencies(signal, sampleRate, windowSamples);
  return leastSquaresSlope(
    points.map((p) => p.timeSeconds),
    points.map((p) => p.medianFrequency),
  );
}

/** Slope of the least-squares line through (x, y); null with fewer than two distinct x. */
export function leastSquaresSlope(x: number[], y: number[]): number | null {
  const n = x.length;
  if (n < 2) return null;
  const meanX = x.reduce((s, v) => s + v, 0) / n;
  const meanY = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - meanX) * (y[i] - meanY);
    sxx += (x[i] - meanX) ** 2;
  }
  return sxx > 0 ? sxy / sxx : null;
}
