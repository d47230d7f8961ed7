import path from 'node:path';
import { InputError } from '../../../src/lib/errors';
import { WorkerPool } from '../../../src/lib/worker-pool';
import { generateDemoRecording } from '../../../src/domains/emg/demo';
import { parseRecording } from '../../../src/domains/emg/parse-recording';
import { recordingMetadata } from '../../../src/domains/emg/recording';
import { analyzeRecording } from '../../../src/domains/emg/signal/analyze';

const WORKER = path.join(__dirname, '../../../src/domains/emg', 'emg.worker');

describe('the EMG worker', () => {
  const pool = new WorkerPool(WORKER, 1);
  afterAll(() => pool.close());
  const bytes = generateDemoRecording({ seed: 7, durationSeconds: 5 });

  test('runs an analysis in a worker thread and returns what the same call gives in process', async () => {
    const result = await pool.run('analysis', { format: 'C3D', bytes, windowMs: 250 });
    expect(result).toEqual(analyzeRecording(parseRecording('C3D', bytes), 250));
  });

  test('returns metadata', async () => {
    const result = await pool.run('metadata', { format: 'C3D', bytes });
    expect(result).toEqual(recordingMetadata(parseRecording('C3D', bytes)));
  });

  test("a bad file comes back as an InputError (code BAD_USER_INPUT) with the reader's message", async () => {
    const failure = pool.run('metadata', { format: 'C3D', bytes: new Uint8Array(20) });
    await expect(failure).rejects.toBeInstanceOf(InputError);
    await expect(failure).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/shorter than the 512-byte header/) });
  });

  test('a bad windowMs comes back as an InputError too', async () => {
    await expect(pool.run('analysis', { format: 'C3D', bytes, windowMs: 10 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
