import FFT from 'fft.js';

/** A one-sided power spectral density. */
export interface PowerSpectrum {
  /** Bin centres in Hz, from 0 to the Nyquist frequency. */
  frequencies: Float64Array;
  /** Power per Hz in each bin (signal units² / Hz). */
  power: Float64Array;
  /** Hz between neighbouring bins. */
  binWidth: number;
  segmentLength: number;
  segmentCount: number;
}

export const MIN_SEGMENT_LENGTH = 8;
const MAX_SEGMENT_LENGTH = 8192;

/**
 * The Welch segment length for a signal: a power of two covering about a quarter second
 * (about 4 Hz resolution, enough for EMG spectra that span tens to hundreds of Hz), but
 * never longer than the signal.
 */
export function welchSegmentLength(signalLength: number, sampleRate: number): number {
  if (signalLength < MIN_SEGMENT_LENGTH) throw new Error(`Welch needs at least ${MIN_SEGMENT_LENGTH} samples, got ${signalLength}`);
  const target = Math.min(MAX_SEGMENT_LENGTH, Math.max(MIN_SEGMENT_LENGTH, nextPowerOfTwo(sampleRate / 4)));
  return Math.min(target, 2 ** Math.floor(Math.log2(signalLength)));
}

/**
 * Welch's method: Hann-windowed segments overlapping by half, each with its mean removed,
 * their periodograms averaged. Samples after the last whole segment are not used.
 */
export function welchPowerSpectrum(
  signal: Float64Array,
  sampleRate: number,
  segmentLength = welchSegmentLength(signal.length, sampleRate),
): PowerSpectrum {
  const n = segmentLength;
  if (!Number.isInteger(Math.log2(n)) || n < MIN_SEGMENT_LENGTH || n > signal.length) {
    throw new Error(`Welch segment length must be a power of two from ${MIN_SEGMENT_LENGTH} to the signal length ${signal.length}, got ${n}`);
  }
  const plan = planFor(n);
  const bins = n / 2 + 1;
  const power = new Float64Array(bins);
  const step = n / 2;
  let segmentCount = 0;
  for (let start = 0; start + n <= signal.length; start += step) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += signal[start + i];
    mean /= n;
    for (let i = 0; i < n; i++) plan.input[i] = (signal[start + i] - mean) * plan.window[i];
    plan.fft.realTransform(plan.output, plan.input);
    for (let k = 0; k < bins; k++) {
      const re = plan.output[2 * k];
      const im = plan.output[2 * k + 1];
      power[k] += re * re + im * im;
    }
    segmentCount++;
  }
  // Density scaling, one-sided: every bin but DC and Nyquist also carries its negative twin.
  const scale = 1 / (sampleRate * plan.windowEnergy * segmentCount);
  for (let k = 0; k < bins; k++) power[k] *= k === 0 || k === bins - 1 ? scale : 2 * scale;
  const binWidth = sampleRate / n;
  const frequencies = new Float64Array(bins);
  for (let k = 0; k < bins; k++) frequencies[k] = k * binWidth;
  return { frequencies, power, binWidth, segmentLength: n, segmentCount };
}

interface FftPlan {
  fft: FFT;
  window: Float64Array;
  windowEnergy: number;
  input: Float64Array;
  output: Float64Array;
}

// Plans hold twiddle tables and scratch buffers; a handful of sizes is ever used, and the
// analysis is synchronous, so sharing the scratch buffers is safe.
const plans = new Map<number, FftPlan>();

function planFor(n: number): FftPlan {
  let plan = plans.get(n);
  if (!plan) {
    // Periodic Hann: the form meant for spectral analysis (its DFT has exact three-bin leakage).
    const window = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
    plan = {
      fft: new FFT(n),
      window,
      windowEnergy: window.reduce((s, w) => s + w * w, 0),
      input: new Float64Array(n),
      output: new Float64Array(2 * n),
    };
    plans.set(n, plan);
  }
  return plan;
}

function nextPowerOfTwo(x: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, x)));
}
