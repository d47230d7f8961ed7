import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readC3d } from '../../../../src/domains/emg/c3d/reader';
import { parseRecording } from '../../../../src/domains/emg/parse-recording';
import { peakAmplitude, rootMeanSquare } from '../../../../src/domains/emg/signal/time-domain';
import { SeededRandom } from '../../../../src/domains/emg/seeded-random';
import { writeC3d } from '../../../helpers/c3d-writer';

/**
 * Real recordings from the Ghostly rehabilitation game live outside the repository. Where
 * the folder is missing, no per-file test is registered and the first block, which
 * rebuilds their exact format with the writer, still covers the reader.
 */
const DATA_DIR = process.env.EMG_DATA_DIR ?? path.resolve(__dirname, '../../../../../shared/data/emg');
const files = existsSync(DATA_DIR)
  ? readdirSync(DATA_DIR)
      .filter((f) => f.toLowerCase().endsWith('.c3d'))
      .sort()
  : [];

const GHOSTLY_LABELS = ['CH1 Raw', 'CH2 Raw', 'CH1 activated', 'CH2 activated'];

/** Figures read independently of this reader (Python's struct module over the raw frames). */
const KNOWN: Record<string, { frames: number; rms: number[]; peak: number[] }> = {
  'Ghostly_Emg_20230321_17-23-09-0409.c3d': {
    frames: 2476,
    rms: [8.33854616280373e-5, 7.09668176291688e-5, 3.331244140756348e-5, 3.3265495202597e-5],
    peak: [0.0013963378733024001, 0.0019388266373425722, 0.00023271478130482137, 0.00029008882120251656],
  },
  'Ghostly_Emg_20231004_13-18-43-0464.c3d': {
    frames: 2108,
    rms: [0.0023078281518409192, 0.0004088369625962541, 0.00042604254100254296, 5.052853661911228e-5],
    peak: [0.005493537988513708, 0.00549336988478899, 0.0011946243466809392, 0.0005452323821373284],
  },
};

describe('C3D reader on the Ghostly recording format', () => {
  test('4 channels at 990 Hz as 30 float samples per 33 Hz frame after one point read back exactly', () => {
    const random = new SeededRandom(3);
    const samples = GHOSTLY_LABELS.map(() => Float64Array.from({ length: 30 * 50 }, () => Math.fround(random.between(-2e-3, 2e-3))));
    const bytes = writeC3d({
      processor: 'INTEL',
      storage: 'float',
      frameRate: 33,
      analogSamplesPerFrame: 30,
      analog: { labels: GHOSTLY_LABELS, samples },
      pointLabels: ['PlayerPosition'],
      extraGroups: [{ name: 'SUBJECTS', parameters: [{ name: 'PLAYER_NAME', type: 'char', values: ['Default'] }] }],
    });
    const rec = parseRecording('C3D', bytes);
    expect(rec).toMatchObject({ sampleRate: 990, frameCount: 1500, channels: GHOSTLY_LABELS, subject: 'Default' });
    rec.samples.forEach((s, c) => expect(Array.from(s)).toEqual(Array.from(samples[c])));
  });
});

describe(`C3D reader on the real recordings in ${DATA_DIR}`, () => {
  for (const name of files) {
    test(`${name}: four labelled channels at 990 Hz with plausible EMG values`, () => {
      const bytes = readFileSync(path.join(DATA_DIR, name));
      const file = readC3d(bytes);
      expect(file.processor).toBe('INTEL');
      expect(file.layout).toMatchObject({
        storage: 'float',
        pointCount: 1,
        analogChannels: 4,
        analogSamplesPerFrame: 30,
        frameRate: 33,
        analogRate: 990,
      });
      // Every byte of the data section is accounted for: points are skipped, not read as analog.
      expect(file.layout.dataStart + file.layout.frameCount * file.layout.bytesPerFrame).toBe(bytes.byteLength);

      const rec = parseRecording('C3D', bytes);
      expect(rec.channels).toEqual(GHOSTLY_LABELS);
      expect(rec.sampleRate).toBe(990);
      expect(rec.frameCount).toBe(file.layout.frameCount * 30);
      expect(rec.subject).toBe('Default');
      for (const s of rec.samples) {
        // Surface EMG in volts: microvolts to a few millivolts, never absurd.
        expect(peakAmplitude(s)).toBeLessThan(0.05);
        expect(rootMeanSquare(s)).toBeGreaterThan(1e-7);
      }

      const known = KNOWN[name];
      if (known) {
        expect(file.layout.frameCount).toBe(known.frames);
        rec.samples.forEach((s, c) => {
          expect(rootMeanSquare(s)).toBeCloseTo(known.rms[c], 12);
          expect(peakAmplitude(s)).toBe(known.peak[c]);
        });
      }
    });
  }
});
