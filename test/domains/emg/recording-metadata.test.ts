import { parseRecording } from '../../../src/domains/emg/parse-recording';
import { recordingMetadata, type RecordingFormat } from '../../../src/domains/emg/recording';
import { writeC3d } from '../../helpers/c3d-writer';
import { inputErrorFrom } from '../../helpers/input-error';

describe('parseRecording and recordingMetadata', () => {
  test('a C3D recording: rate from ANALOG:RATE, frames counted in analog samples, duration = frames / rate', () => {
    const samples = [new Float64Array(3000), new Float64Array(3000)];
    const bytes = writeC3d({ frameRate: 100, analogSamplesPerFrame: 10, analog: { labels: ['EMG L', 'EMG R'], samples }, subject: 'Ada' });
    expect(recordingMetadata(parseRecording('C3D', bytes))).toEqual({
      format: 'C3D',
      sampleRate: 1000,
      durationSeconds: 3,
      frameCount: 3000,
      channelCount: 2,
      channels: ['EMG L', 'EMG R'],
      subject: 'Ada',
    });
  });

  test('a CSV recording', () => {
    const csv = new TextEncoder().encode('# sample_rate=500\na,b,c\n' + '1,2,3\n'.repeat(250));
    expect(recordingMetadata(parseRecording('CSV', csv))).toEqual({
      format: 'CSV',
      sampleRate: 500,
      durationSeconds: 0.5,
      frameCount: 250,
      channelCount: 3,
      channels: ['a', 'b', 'c'],
      subject: null,
    });
  });

  test('an unknown format is an InputError naming the known ones', () => {
    expect(inputErrorFrom(() => parseRecording('WAV' as RecordingFormat, new Uint8Array(10))).message).toMatch(
      /unknown recording format "WAV"; expected one of C3D, CSV/,
    );
  });

  test('a C3D file without analog channels or without frames is an InputError', () => {
    const noFrames = writeC3d({ frameRate: 10, analog: { labels: ['a'], samples: [new Float64Array(0)] } });
    expect(inputErrorFrom(() => parseRecording('C3D', noFrames)).message).toMatch(/C3D recording has no samples/);
    const noAnalog = writeC3d({
      frameRate: 10,
      analog: { labels: ['a'], samples: [new Float64Array(4)] },
      extraGroups: [{ name: 'ANALOG', parameters: [{ name: 'USED', type: 'int16', values: [0] }] }],
    });
    // The header still stores one analog value per frame, which ANALOG:USED = 0 contradicts.
    expect(inputErrorFrom(() => parseRecording('C3D', noAnalog)).message).toMatch(/1 analog values per frame but ANALOG:USED is 0/);
  });

  test('metadata returns a copy of the channel list', () => {
    const rec = parseRecording('CSV', new TextEncoder().encode('# sample_rate=10\nx\n1\n'));
    const meta = recordingMetadata(rec);
    meta.channels.push('y');
    expect(rec.channels).toEqual(['x']);
  });
});
