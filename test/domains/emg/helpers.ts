import FFT from 'fft.js';
import { SeededRandom } from '../../../src/domains/emg/seeded-random';
import type { Recording } from '../../../src/domains/emg/recording';
import type { TestGateway } from '../../helpers/gateway';

export function sine(amplitude: number, frequencyHz: number, sampleRate: number, seconds: number, phase = 0): Float64Array {
  return Float64Array.from(
    { length: Math.round(seconds * sampleRate) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate + phase),
  );
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

/**
 * A generated demo C3D recording (4 channels, 2 kHz) of a few seconds, made by
 * generateDemoRecording in the gateway's EMG worker: math runs about ten times slower under jest.
 */
export function shortDemo(gw: TestGateway, seed: number, durationSeconds = 2): Promise<Uint8Array> {
  return gw.gateway.services.emg.demoRecording({ seed, durationSeconds });
}

/** A CSV recording with a time column: one sine per entry of frequenciesHz, amplitude 1 mV. */
export function sineCsv(frequenciesHz: number[], sampleRate: number, seconds: number, subject?: string): string {
  const rows = Math.round(sampleRate * seconds);
  const lines = [...(subject ? [`# subject=${subject}`] : []), ['time', ...frequenciesHz.map((f) => `sine ${f} Hz`)].join(',')];
  for (let i = 0; i < rows; i++) {
    const t = i / sampleRate;
    lines.push([t.toFixed(6), ...frequenciesHz.map((f) => (1e-3 * Math.sin(2 * Math.PI * f * t)).toExponential(8))].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Rows of emg_recording, read straight from the database. */
export async function storedIds(gw: TestGateway): Promise<string[]> {
  return (await gw.gateway.db.query<{ id: string }>('SELECT id FROM emg_recording ORDER BY id')).map((r) => r.id);
}
