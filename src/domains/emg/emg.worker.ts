import { InputError } from '../../lib/errors';
import { serveJobs } from '../../lib/worker-host';
import { decodeBase64Strict } from './base64';
import { generateDemoRecording, type DemoRecordingOptions } from './demo';
import { parseRecording } from './parse-recording';
import type { RecordingFormat } from './recording';
import { recordingMetadata } from './recording';
import { analyzeRecording } from './signal/analyze';

/** Runs in a worker thread (WorkerPool on this file): parsing and analysis are CPU-bound. */
const emgJobs = {
  metadata: ({ format, bytes }: { format: RecordingFormat; bytes: Uint8Array }) => recordingMetadata(parseRecording(format, asBytes(bytes))),
  analysis: ({ format, bytes, windowMs }: { format: RecordingFormat; bytes: Uint8Array; windowMs: number }) =>
    analyzeRecording(parseRecording(format, asBytes(bytes)), windowMs),
  // Strict validation of an upload's base64 scans the whole text: off the event loop too.
  decodeBase64: ({ text, maxBytes }: { text: string; maxBytes: number }) => decodeBase64Strict(text, maxBytes),
  demo: (options: DemoRecordingOptions) => generateDemoRecording(options),
};

/** What this worker serves (WorkerPool checks jobs against it). */
export type EmgJobs = typeof emgJobs;

serveJobs(emgJobs);

function asBytes(bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new InputError('recording content must be bytes (Uint8Array)');
}
