import { InputError } from '../../lib/errors';
import { readC3d } from './c3d/reader';
import { readCsvRecording } from './csv-reader';
import { RECORDING_FORMATS, type Recording, type RecordingFormat } from './recording';

/** Parses an uploaded file; anything malformed throws InputError. */
export function parseRecording(format: RecordingFormat, bytes: Uint8Array): Recording {
  if (!(bytes instanceof Uint8Array)) throw new InputError('recording content must be bytes');
  if (format === 'C3D') return checkRecording(c3dRecording(bytes));
  if (format === 'CSV') return checkRecording(readCsvRecording(bytes));
  throw new InputError(`unknown recording format ${JSON.stringify(format)}; expected one of ${RECORDING_FORMATS.join(', ')}`, { format });
}

function c3dRecording(bytes: Uint8Array): Recording {
  const file = readC3d(bytes);
  const { labels, rate, samples } = file.analog;
  return { format: 'C3D', sampleRate: rate, frameCount: samples[0]?.length ?? 0, channels: labels, subject: file.subject, samples };
}

/** What every consumer relies on, whichever reader produced the recording. */
function checkRecording(rec: Recording): Recording {
  if (rec.channels.length === 0) throw new InputError(`${rec.format} recording has no analog channels`);
  if (rec.frameCount === 0) throw new InputError(`${rec.format} recording has no samples`);
  if (!Number.isFinite(rec.sampleRate) || rec.sampleRate <= 0) throw new InputError(`${rec.format} recording has sample rate ${rec.sampleRate} Hz`);
  return rec;
}
