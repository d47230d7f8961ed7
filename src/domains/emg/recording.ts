export type RecordingFormat = 'C3D' | 'CSV';

export const RECORDING_FORMATS: readonly RecordingFormat[] = ['C3D', 'CSV'];

/** A multichannel recording, whatever file it came from. */
export interface Recording {
  format: RecordingFormat;
  /** Samples per second per channel. */
  sampleRate: number;
  /** Samples per channel (for C3D: 3D frames × analog samples per frame). */
  frameCount: number;
  channels: string[];
  subject: string | null;
  /** One array per channel, each frameCount long, in the file's units (volts for most EMG). */
  samples: Float64Array[];
}

export interface RecordingMetadata {
  format: RecordingFormat;
  sampleRate: number;
  durationSeconds: number;
  frameCount: number;
  channelCount: number;
  channels: string[];
  subject: string | null;
}

export function recordingMetadata(rec: Recording): RecordingMetadata {
  return {
    format: rec.format,
    sampleRate: rec.sampleRate,
    durationSeconds: rec.frameCount / rec.sampleRate,
    frameCount: rec.frameCount,
    channelCount: rec.channels.length,
    channels: [...rec.channels],
    subject: rec.subject,
  };
}
