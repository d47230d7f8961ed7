import { readC3d } from '../../../../src/domains/emg/c3d/reader';
import type { ProcessorType } from '../../../../src/domains/emg/c3d/processor';
import { writeC3d, type C3dGroupSpec } from '../../../helpers/c3d-writer';

const analog = { labels: ['EMG'], samples: [Float64Array.of(0, 1, 2, 3)] };

function readWith(extraGroups: C3dGroupSpec[], processor: ProcessorType = 'INTEL') {
  return readC3d(writeC3d({ processor, frameRate: 10, analog, extraGroups })).parameters;
}

const everyType: C3dGroupSpec = {
  name: 'CUSTOM',
  description: 'Every parameter type',
  parameters: [
    { name: 'ONE_CHAR', type: 'char', dimensions: [], values: ['Z'] },
    { name: 'TEXT', type: 'char', values: ['hello world'], description: 'one string' },
    { name: 'BYTES', type: 'byte', values: [-128, -1, 0, 127] },
    { name: 'SHORT', type: 'int16', values: [-32768] },
    { name: 'SHORTS', type: 'int16', values: [-32768, -1, 0, 32767] },
    { name: 'FLOATS', type: 'float', values: [1.5, -0.25, 1e-20, 3e30] },
    { name: 'MATRIX', type: 'float', dimensions: [2, 3], values: [11, 21, 12, 22, 13, 23] },
    { name: 'CUBE', type: 'int16', dimensions: [2, 2, 2], values: [1, 2, 3, 4, 5, 6, 7, 8] },
    { name: 'TABLE', type: 'char', dimensions: [4, 2, 3], values: ['a', 'bb', 'ccc', 'dddd', 'e', ''] },
    { name: 'EMPTY', type: 'char', dimensions: [0, 3], values: ['', '', ''] },
    { name: 'NOTHING', type: 'int16', dimensions: [0], values: [] },
    { name: 'FROZEN', type: 'int16', values: [42], locked: true },
  ],
};

describe('C3D parameter section', () => {
  test.each<ProcessorType>(['INTEL', 'DEC', 'MIPS'])('reads every data type, dimension and lock flag the writer wrote (%s)', (processor) => {
    const p = readWith([everyType], processor);
    expect(p.get('CUSTOM', 'ONE_CHAR')).toMatchObject({ type: 'char', dimensions: [], values: ['Z'] });
    expect(p.get('CUSTOM', 'TEXT')).toMatchObject({ type: 'char', dimensions: [11], values: ['hello world'], description: 'one string' });
    expect(p.get('CUSTOM', 'BYTES')).toMatchObject({ type: 'byte', values: [-128, -1, 0, 127] });
    expect(p.get('CUSTOM', 'SHORT')).toMatchObject({ type: 'int16', dimensions: [], values: [-32768] });
    expect(p.numbers('CUSTOM', 'SHORTS')).toEqual([-32768, -1, 0, 32767]);
    expect(p.get('CUSTOM', 'FLOATS')?.type).toBe('float');
    (p.numbers('CUSTOM', 'FLOATS') ?? []).forEach((v, i) =>
      expect(v).toBeCloseTo([1.5, -0.25, 1e-20, 3e30][i], 6 - Math.log10(Math.abs([1.5, -0.25, 1e-20, 3e30][i]))),
    );
    expect(p.get('CUSTOM', 'MATRIX')).toMatchObject({ dimensions: [2, 3], values: [11, 21, 12, 22, 13, 23] });
    expect(p.get('CUSTOM', 'CUBE')).toMatchObject({ dimensions: [2, 2, 2], values: [1, 2, 3, 4, 5, 6, 7, 8] });
    // A [4, 2, 3] char array is 2 × 3 strings of 4 characters, first index fastest, blanks trimmed.
    expect(p.get('CUSTOM', 'TABLE')).toMatchObject({ dimensions: [4, 2, 3], values: ['a', 'bb', 'ccc', 'dddd', 'e', ''] });
    expect(p.strings('CUSTOM', 'EMPTY')).toEqual(['', '', '']);
    expect(p.numbers('CUSTOM', 'NOTHING')).toEqual([]);
    expect(p.get('CUSTOM', 'FROZEN')).toMatchObject({ locked: true, values: [42] });
    expect(p.get('CUSTOM', 'SHORTS')?.locked).toBe(false);
  });

  test('groups keep their description and lock flag, and names are case-insensitive', () => {
    const p = readWith([{ name: 'SEALED', description: 'do not edit', locked: true, parameters: [{ name: 'X', type: 'int16', values: [1] }] }]);
    expect(p.groups.get('SEALED')).toMatchObject({ name: 'SEALED', description: 'do not edit', locked: true });
    expect(p.firstNumber('sealed', 'x')).toBe(1);
  });

  test('asking for text from a numeric parameter, or numbers from text, is an InputError', () => {
    const p = readWith([everyType]);
    expect(() => p.strings('CUSTOM', 'SHORTS')).toThrow('should be text');
    expect(() => p.numbers('CUSTOM', 'TEXT')).toThrow('should be numeric');
  });

  test('the standard POINT and ANALOG parameters are all present', () => {
    const p = readWith([]);
    for (const name of ['USED', 'SCALE', 'RATE', 'DATA_START', 'FRAMES', 'LABELS']) expect(p.get('POINT', name)).toBeDefined();
    for (const name of ['USED', 'LABELS', 'SCALE', 'GEN_SCALE', 'OFFSET', 'RATE', 'FORMAT', 'BITS']) expect(p.get('ANALOG', name)).toBeDefined();
  });
});

describe('C3D subject name', () => {
  test('comes from SUBJECTS:NAMES', () => {
    expect(readC3d(writeC3d({ frameRate: 10, analog, subject: 'Grace Hopper' })).subject).toBe('Grace Hopper');
  });

  test('falls back to SUBJECTS:PLAYER_NAME, as the Ghostly recordings store it', () => {
    const bytes = writeC3d({
      frameRate: 10,
      analog,
      extraGroups: [{ name: 'SUBJECTS', parameters: [{ name: 'PLAYER_NAME', type: 'char', values: ['Player One'] }] }],
    });
    expect(readC3d(bytes).subject).toBe('Player One');
  });

  test('skips blank names and is null when there is none', () => {
    const bytes = writeC3d({
      frameRate: 10,
      analog,
      extraGroups: [{ name: 'SUBJECTS', parameters: [{ name: 'NAMES', type: 'char', values: ['   ', ''] }] }],
    });
    expect(readC3d(bytes).subject).toBeNull();
  });
});
