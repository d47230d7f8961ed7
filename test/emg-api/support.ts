import { createHash } from 'node:crypto';
import type { TestGateway } from '../helpers/gateway';

/**
 * A generated demo C3D recording (4 channels, 2 kHz) of a few seconds, made by
 * generateDemoRecording in the gateway's EMG worker: math runs about ten times slower under jest.
 */
export function shortDemo(gw: TestGateway, seed: number, durationSeconds = 2): Promise<Uint8Array> {
  return gw.gateway.services.emg.demoRecording({ seed, durationSeconds });
}

export const base64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

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
