import { analyzeRecording } from '../../../../src/domains/emg/signal/analyze';
import { inputErrorFrom } from '../../../helpers/input-error';
import { linearChirp, recordingOf, sine } from '../helpers';

describe('analyzeRecording', () => {
  test('reports every feature per channel, in channel order', () => {
    const A = 1.5;
    const rec = recordingOf([sine(A, 60, 1000, 8), linearChirp(200, -5, 1000, 8)], 1000);
    const result = analyzeRecording(rec, 500);
    expect(result.windowMs).toBe(500);
    expect(result.channels.map((c) => c.channel)).toEqual(['ch1', 'ch2']);
    const [steady, chirp] = result.channels;
    expect(steady.rms).toBeCloseTo(A / Math.SQRT2, 6);
    expect(steady.mav / ((2 * A) / Math.PI)).toBeCloseTo(1, 2);
    expect(steady.peakAmplitude).toBeCloseTo(A, 2);
    expect(Math.abs(steady.zeroCrossings - 2 * 60 * 8)).toBeLessThanOrEqual(1);
    expect(steady.meanFrequency).toBeCloseTo(60, 0);
    expect(steady.medianFrequency).toBeCloseTo(60, 0);
    expect(Math.abs(steady.fatigueSlope!)).toBeLessThan(0.01);
    expect(chirp.fatigueSlope!).toBeCloseTo(-5, 0);
    expect(Object.keys(steady).sort()).toEqual(
      ['channel', 'fatigueSlope', 'mav', 'meanFrequency', 'medianFrequency', 'peakAmplitude', 'rms', 'waveformLength', 'zeroCrossings'].sort(),
    );
  });

  test('the fatigue slope is null when the recording holds fewer than two windows', () => {
    const result = analyzeRecording(recordingOf([sine(1, 50, 1000, 1.5)], 1000), 1000);
    expect(result.channels[0].fatigueSlope).toBeNull();
  });

  test.each([49, 5001, 250.5, Number.NaN, -250])('windowMs %d is refused: it must be an integer from 50 to 5000', (windowMs) => {
    const rec = recordingOf([sine(1, 50, 1000, 2)], 1000);
    expect(inputErrorFrom(() => analyzeRecording(rec, windowMs)).message).toMatch(/windowMs must be an integer from 50 to 5000/);
  });

  test('the limits 50 and 5000 are accepted', () => {
    const rec = recordingOf([sine(1, 50, 1000, 11)], 1000);
    expect(analyzeRecording(rec, 50).channels[0].fatigueSlope).not.toBeNull();
    expect(analyzeRecording(rec, 5000).channels[0].fatigueSlope).not.toBeNull();
  });

  test('a window too short to hold a spectrum at a low sample rate is an InputError', () => {
    const rec = recordingOf([sine(1, 10, 100, 10)], 100);
    expect(inputErrorFrom(() => analyzeRecording(rec, 50)).message).toMatch(/windowMs 50 holds only 5 samples at 100 Hz/);
  });

  test('a recording too short for a spectrum is an InputError', () => {
    expect(inputErrorFrom(() => analyzeRecording(recordingOf([Float64Array.of(1, 2, 3)], 1000), 250)).message).toMatch(
      /3 samples per channel; analysis needs at least 8/,
    );
  });

  test('values too large to analyse give an InputError, never NaN or Infinity', () => {
    const huge = sine(1e200, 50, 1000, 2);
    expect(inputErrorFrom(() => analyzeRecording(recordingOf([huge], 1000), 250)).message).toMatch(/is not finite/);
  });
});
