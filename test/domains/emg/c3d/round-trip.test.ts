import { readC3d } from '../../../../src/domains/emg/c3d/reader';
import type { ProcessorType } from '../../../../src/domains/emg/c3d/processor';
import type { SampleStorage } from '../../../../src/domains/emg/c3d/layout';
import { SeededRandom } from '../../../../src/domains/emg/seeded-random';
import { writeC3d, type C3dWriteOptions } from '../../../helpers/c3d-writer';

function randomChannels(channels: number, length: number, seed: number, amplitude = 1e-3): Float64Array[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: channels }, () => Float64Array.from({ length }, () => amplitude * random.between(-1, 1)));
}

function maxAbsDifference(a: Float64Array[], b: ArrayLike<number>[]): number {
  let worst = 0;
  a.forEach((channel, c) => channel.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[c][i])))));
  return worst;
}

const processors: ProcessorType[] = ['INTEL', 'DEC', 'MIPS'];
const storages: SampleStorage[] = ['float', 'int16'];
const variants = processors.flatMap((processor) =>
  storages.flatMap((storage) => [0, 3].flatMap((points) => [1, 5].map((samplesPerFrame) => ({ processor, storage, points, samplesPerFrame })))),
);

describe('C3D writer → reader round trip', () => {
  test.each(variants)(
    '$processor, $storage storage, $points points, $samplesPerFrame analog samples per frame',
    ({ processor, storage, points, samplesPerFrame }) => {
      const frames = 40;
      const samples = randomChannels(3, frames * samplesPerFrame, 7);
      const bytes = writeC3d({
        processor,
        storage,
        frameRate: 100,
        analogSamplesPerFrame: samplesPerFrame,
        analog: { labels: ['EMG L', 'EMG R', 'Force'], samples },
        pointLabels: Array.from({ length: points }, (_, i) => `M${i + 1}`),
        subject: 'Ada Lovelace',
      });
      const file = readC3d(bytes);

      expect(file.processor).toBe(processor);
      expect(file.layout).toMatchObject({
        storage,
        pointCount: points,
        frameCount: frames,
        analogChannels: 3,
        analogSamplesPerFrame: samplesPerFrame,
      });
      expect(file.analog.labels).toEqual(['EMG L', 'EMG R', 'Force']);
      expect(file.analog.rate).toBeCloseTo(100 * samplesPerFrame, 6);
      expect(file.subject).toBe('Ada Lovelace');
      expect(file.analog.samples.map((s) => s.length)).toEqual([frames * samplesPerFrame, frames * samplesPerFrame, frames * samplesPerFrame]);
      // Float storage loses only single-precision rounding; int16 at most half a quantisation step (peak / 32000 / 2).
      const tolerance = storage === 'float' ? 1e-3 * 2 ** -23 * 2 : 1e-3 / 32000;
      expect(maxAbsDifference(file.analog.samples, samples)).toBeLessThanOrEqual(tolerance);
    },
  );

  test('integer samples come back as (raw − OFFSET) × GEN_SCALE × SCALE exactly', () => {
    const scale = [0.5, 0.25];
    const offset = [100, -7];
    const generalScale = 2;
    const raws = [
      [-32768, -1, 0, 1, 32767, 1234],
      [-2000, 7, 8, 9, 10, 32767],
    ];
    const samples = raws.map((r, c) => Float64Array.from(r, (raw) => (raw - offset[c]) * generalScale * scale[c]));
    // Raw values at the int16 limits prove the writer stores exactly what the reader decodes.
    const file = readC3d(writeC3d({ storage: 'int16', frameRate: 50, analog: { labels: ['A', 'B'], samples, scale, offset, generalScale } }));
    expect(file.analog.samples.map((s) => Array.from(s))).toEqual(samples.map((s) => Array.from(s)));
  });

  test.each(processors)('UNSIGNED integer samples with an offset of 32768 round-trip (%s)', (processor) => {
    // A power-of-two scale is exact in float32, so the values must come back exactly.
    const samples = [Float64Array.from([-32768, -1, 0, 1, 32767], (v) => v / 64)];
    const bytes = writeC3d({
      processor,
      storage: 'int16',
      frameRate: 10,
      analog: { labels: ['U'], samples, scale: [1 / 64], format: 'UNSIGNED', bits: 16 },
    });
    const file = readC3d(bytes);
    expect(file.parameters.strings('ANALOG', 'FORMAT')).toEqual(['UNSIGNED']);
    // OFFSET is stored as int16 −32768 and must be read back as unsigned 32768.
    expect(file.parameters.numbers('ANALOG', 'OFFSET')).toEqual([-32768]);
    expect(Array.from(file.analog.samples[0])).toEqual(Array.from(samples[0]));
  });

  test('labels, scales and offsets continued in LABELS2, SCALE2, OFFSET2 … are read in order', () => {
    const labels = ['c1', 'c2', 'c3', 'c4', 'c5'];
    const samples = randomChannels(5, 12, 3);
    const file = readC3d(writeC3d({ storage: 'int16', frameRate: 10, analog: { labels, samples }, labelsPerParameter: 2 }));
    expect(file.parameters.strings('ANALOG', 'LABELS')).toEqual(['c1', 'c2']);
    expect(file.parameters.strings('ANALOG', 'LABELS2')).toEqual(['c3', 'c4']);
    expect(file.parameters.strings('ANALOG', 'LABELS3')).toEqual(['c5']);
    expect(file.parameters.numbers('ANALOG', 'SCALE3')).toHaveLength(1);
    expect(file.analog.labels).toEqual(labels);
    expect(maxAbsDifference(file.analog.samples, samples)).toBeLessThanOrEqual(1e-3 / 32000);
  });

  test('more than 65535 frames are counted from TRIAL:ACTUAL_START_FIELD / ACTUAL_END_FIELD', () => {
    const frames = 70_000;
    const samples = [Float64Array.from({ length: frames }, (_, i) => (i % 1000) - 500)];
    const file = readC3d(writeC3d({ storage: 'int16', frameRate: 1000, analog: { labels: ['long'], samples, scale: [1] } }));
    expect(file.header.lastFrame).toBe(65535);
    expect(file.parameters.numbers('TRIAL', 'ACTUAL_END_FIELD')).toEqual([70_000 - 65536, 1]);
    expect(file.layout.frameCount).toBe(frames);
    expect(file.analog.samples[0][frames - 1]).toBe(samples[0][frames - 1]);
  });

  test('a frame range that does not start at frame 1 keeps its length', () => {
    const samples = randomChannels(1, 30, 9);
    const file = readC3d(writeC3d({ frameRate: 30, firstFrame: 120, analog: { labels: ['x'], samples } }));
    expect(file.layout).toMatchObject({ firstFrame: 120, frameCount: 30 });
  });

  test('a file without a subject reads subject null', () => {
    const options: C3dWriteOptions = { frameRate: 10, analog: { labels: ['x'], samples: randomChannels(1, 5, 1) } };
    expect(readC3d(writeC3d(options)).subject).toBeNull();
  });

  test('the writer refuses an integer sample that its scale and offset cannot hold', () => {
    expect(() => writeC3d({ storage: 'int16', frameRate: 10, analog: { labels: ['x'], samples: [Float64Array.of(1, 40_000)], scale: [1] } })).toThrow(
      /channel x value 40000 stores as 40000, outside -32768..32767/,
    );
  });

  test('blank analog labels are named after their channel number', () => {
    const file = readC3d(writeC3d({ frameRate: 10, analog: { labels: ['', 'B'], samples: randomChannels(2, 5, 1) } }));
    expect(file.analog.labels).toEqual(['Channel 1', 'B']);
  });
});
