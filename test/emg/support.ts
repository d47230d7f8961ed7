import FFT from 'fft.js';
import { InputError } from '../../src/lib/errors';
import { SeededRandom } from '../../src/domains/emg/seeded-random';
import type { Recording } from '../../src/domains/emg/recording';

/** Runs fn and returns the InputError it throws; fails the test on anything else. */
export function inputErrorFrom(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw new Error(`expected an InputError, got ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

export function sine(amplitude: number, frequencyHz: number, sampleRate: number, seconds: number, phase = 0): Float64Array {
  return Float64Array.from({ length: Math.round(seconds * sampleRate) }, (_, i) => amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate + phase));
}

/** A sine whose frequency moves linearly from startHz at rateHzPerSecond (negative: falling). */
export function linearChirp(startHz: number, rateHzPerSecond: number, sampleRate: number, seconds: number): Float64Array {
  return Float64Array.from({ length: Math.round(seconds * sampleRate) }, (_, i) => {
    const t = i / sampleRate;
    return Math.sin(2 * Math.PI * (startHz * t + (rateHzPerSecond * t * t) / 2));
  });
}

/**
 * Noise with a flat spectrum between lowHz and highHz: every FFT bin in the band at equal
 * magnitude and a random phase, transformed back to time.
 */
export function bandLimitedNoise(lowHz: number, highHz: number, sampleRate: number, seconds: number, seed = 1): Float64Array {
  const random = new SeededRandom(seed);
  const length = Math.round(seconds * sampleRate);
  const n = 2 ** Math.ceil(Math.log2(length));
  const fft = new FFT(n);
  const spectrum = new Float64Array(2 * n);
  for (let k = 1; k < n / 2; k++) {
    const hz = (k * sampleRate) / n;
    if (hz < lowHz || hz > highHz) continue;
    const phase = random.between(0, 2 * Math.PI);
    // Mirror each bin as its complex conjugate so the signal comes out real.
    spectrum[2 * k] = spectrum[2 * (n - k)] = Math.cos(phase);
    spectrum[2 * k + 1] = Math.sin(phase);
    spectrum[2 * (n - k) + 1] = -Math.sin(phase);
  }
  const complex = new Float64Array(2 * n);
  fft.inverseTransform(complex, spectrum);
  return Float64Array.from({ length }, (_, i) => complex[2 * i] * n);
}

export function recordingOf(samples: Float64Array[], sampleRate: number): Recording {
  return {
    format: 'CSV',
    sampleRate,
    frameCount: samples[0].length,
    channels: samples.map((_, i) => `ch${i + 1}`),
    subject: null,
    samples,
  };
}
