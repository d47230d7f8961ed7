import { InputError } from '../../../lib/errors';
import type { Recording } from '../recording';
import { fatigueSlope } from './fatigue';
import { meanFrequency, medianFrequency } from './spectral-features';
import { meanAbsoluteValue, peakAmplitude, rootMeanSquare, waveformLength, zeroCrossings } from './time-domain';
import { MIN_SEGMENT_LENGTH, welchPowerSpectrum } from './welch';

export interface ChannelAnalysis {
  channel: string;
  rms: number;
  mav: number;
  waveformLength: number;
  zeroCrossings: number;
  peakAmplitude: number;
  /** Hz, from the Welch spectrum of the whole channel. */
  meanFrequency: number;
  /** Hz, from the Welch spectrum of the whole channel. */
  medianFrequency: number;
  /** Hz per second; null when the recording holds fewer than two windows. */
  fatigueSlope: number | null;
}

export interface RecordingAnalysis {
  windowMs: number;
  channels: ChannelAnalysis[];
}

export const MIN_WINDOW_MS = 50;
export const MAX_WINDOW_MS = 5000;

/** Per-channel EMG features; `windowMs` sets the windows whose median frequency gives the fatigue slope. */
export function analyzeRecording(rec: Recording, windowMs: number): RecordingAnalysis {
  if (!Number.isInteger(windowMs) || windowMs < MIN_WINDOW_MS || windowMs > MAX_WINDOW_MS) {
    throw new InputError(`windowMs must be an integer from ${MIN_WINDOW_MS} to ${MAX_WINDOW_MS}, got ${windowMs}`, { windowMs });
  }
  const windowSamples = checkAnalysable(rec, windowMs);
  const channels = rec.channels.map((channel, c) => analyzeChannel(channel, rec.samples[c], rec.sampleRate, windowSamples));
  return { windowMs, channels };
}

/**
 * Throws BAD_USER_INPUT unless a recording of this length and rate can be analysed with windowMs:
 * the Welch spectrum needs MIN_SEGMENT_LENGTH samples, in the whole channel and in one window.
 * Uploads are checked with the default window, so a stored recording always has an analysis.
 * Returns the samples in one window.
 */
export function checkAnalysable(rec: { frameCount: number; sampleRate: number }, windowMs: number): number {
  if (rec.frameCount < MIN_SEGMENT_LENGTH) {
    throw new InputError(`the recording has ${rec.frameCount} samples per channel; analysis needs at least ${MIN_SEGMENT_LENGTH}`, {
      frameCount: rec.frameCount,
      minFrameCount: MIN_SEGMENT_LENGTH,
    });
  }
  const windowSamples = Math.round((windowMs * rec.sampleRate) / 1000);
  if (windowSamples < MIN_SEGMENT_LENGTH) {
    throw new InputError(
      `windowMs ${windowMs} holds only ${windowSamples} samples at ${rec.sampleRate} Hz; use a window of at least ${MIN_SEGMENT_LENGTH} samples`,
      { windowMs, sampleRate: rec.sampleRate },
    );
  }
  return windowSamples;
}

function analyzeChannel(channel: string, x: Float64Array, sampleRate: number, windowSamples: number): ChannelAnalysis {
  const spectrum = welchPowerSpectrum(x, sampleRate);
  const result: ChannelAnalysis = {
    channel,
    rms: rootMeanSquare(x),
    mav: meanAbsoluteValue(x),
    waveformLength: waveformLength(x),
    zeroCrossings: zeroCrossings(x),
    peakAmplitude: peakAmplitude(x),
    meanFrequency: meanFrequency(spectrum),
    medianFrequency: medianFrequency(spectrum),
    fatigueSlope: fatigueSlope(x, sampleRate, windowSamples),
  };
  // GraphQL cannot carry NaN or Infinity; only absurd magnitudes (near 1e150) can cause them.
  for (const [name, value] of Object.entries(result)) {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new InputError(`channel ${channel}: ${name} is not finite; the signal's values are too large to analyse`, { channel, feature: name });
    }
  }
  return result;
}
