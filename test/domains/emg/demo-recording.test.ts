import { readC3d } from '../../../src/domains/emg/c3d/reader';
import { generateDemoRecording } from '../../../src/domains/emg/demo';
import { parseRecording } from '../../../src/domains/emg/parse-recording';
import { analyzeRecording } from '../../../src/domains/emg/signal/analyze';
import { windowedMedianFrequencies } from '../../../src/domains/emg/signal/fatigue';
import { inputErrorFrom } from '../../helpers/input-error';

describe('generated demo recordings', () => {
  const bytes = generateDemoRecording({ seed: 42, durationSeconds: 30 });

  test('are C3D with float storage, Intel numbers, labelled channels and a subject', () => {
    const file = readC3d(bytes);
    expect(file.processor).toBe('INTEL');
    expect(file.layout.storage).toBe('float');
    expect(file.analog.rate).toBe(2000);
    expect(file.analog.labels).toEqual(['Vastus lateralis', 'Rectus femoris', 'Biceps femoris', 'Gastrocnemius medialis']);
    expect(file.subject).toBe('Demo subject 42');
    expect(file.analog.samples[0]).toHaveLength(60_000);
  });

  test('are deterministic for a seed and differ between seeds', () => {
    // Buffer.equals: jest's element-by-element toEqual takes seconds on a megabyte.
    const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
    const short = generateDemoRecording({ seed: 42, durationSeconds: 3 });
    expect(same(generateDemoRecording({ seed: 42, durationSeconds: 3 }), short)).toBe(true);
    expect(same(generateDemoRecording({ seed: 43, durationSeconds: 3 }), short)).toBe(false);
  });

  test('fatigue: every channel has a negative median-frequency slope', () => {
    const analysis = analyzeRecording(parseRecording('C3D', bytes), 250);
    for (const channel of analysis.channels) {
      expect(channel.fatigueSlope).not.toBeNull();
      expect(channel.fatigueSlope!).toBeLessThan(-0.2);
      // A plausible surface EMG spectrum and amplitude (volts).
      expect(channel.medianFrequency).toBeGreaterThan(40);
      expect(channel.medianFrequency).toBeLessThan(200);
      expect(channel.rms).toBeGreaterThan(1e-5);
      expect(channel.rms).toBeLessThan(1e-3);
    }
  });

  test('the median frequency of the last tenth is well below that of the first', () => {
    const rec = parseRecording('C3D', bytes);
    const points = windowedMedianFrequencies(rec.samples[0], rec.sampleRate, 500);
    const tenth = Math.floor(points.length / 10);
    const mean = (xs: typeof points) => xs.reduce((s, p) => s + p.medianFrequency, 0) / xs.length;
    expect(mean(points.slice(-tenth)) / mean(points.slice(0, tenth))).toBeLessThan(0.85);
  });

  test('honour the sample rate, channel count and duration asked for', () => {
    const rec = parseRecording('C3D', generateDemoRecording({ seed: 1, durationSeconds: 2, sampleRate: 990, channels: 10 }));
    expect(rec).toMatchObject({ sampleRate: 990, frameCount: 1980 });
    expect(rec.channels.slice(8)).toEqual(['EMG 9', 'EMG 10']);
  });

  test.each([
    [{ seed: 1.5 }, /seed must be an integer/],
    [{ seed: 1, durationSeconds: 0 }, /durationSeconds must be from 1 to 3600/],
    [{ seed: 1, sampleRate: 44.1 }, /sampleRate must be an integer/],
    [{ seed: 1, channels: 0 }, /channels must be an integer from 1 to 64/],
  ])('refuse %j', (options, message) => {
    expect(inputErrorFrom(() => generateDemoRecording(options)).message).toMatch(message);
  });
});
