import { readC3d } from '../../../../src/domains/emg/c3d/reader';
import { SeededRandom } from '../../../../src/domains/emg/seeded-random';
import { InputError } from '../../../../src/lib/errors';
import { writeC3d, type C3dGroupSpec } from '../../../helpers/c3d-writer';
import { inputErrorFrom } from '../../../helpers/input-error';

/** A small valid Intel file: 2 channels, 2 samples per frame, 1 point, 6 frames. */
function smallFile(extraGroups: C3dGroupSpec[] = [], storage: 'float' | 'int16' = 'float'): Uint8Array {
  return writeC3d({
    storage,
    frameRate: 50,
    analogSamplesPerFrame: 2,
    analog: {
      labels: ['L', 'R'],
      samples: [Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), Float64Array.of(-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12)],
    },
    pointLabels: ['P'],
    extraGroups,
  });
}

interface RecordAt {
  group: string;
  name: string;
  /** Offset of the record's first byte (its name length). */
  start: number;
  /** Offset of its int16 next-record pointer. */
  pointerAt: number;
  /** Offset of the type byte (parameters) or description length (groups). */
  body: number;
}

/** Walks an Intel file's parameter records the way the format defines them, to corrupt one precisely. */
function parameterRecords(bytes: Uint8Array): RecordAt[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const groupNames = new Map<number, string>();
  const raw: Array<{ id: number; name: string; start: number; pointerAt: number }> = [];
  let pos = (bytes[0] - 1) * 512 + 4;
  for (;;) {
    const nameLength = Math.abs(view.getInt8(pos));
    if (nameLength === 0) break;
    const id = view.getInt8(pos + 1);
    const name = String.fromCharCode(...bytes.subarray(pos + 2, pos + 2 + nameLength));
    const pointerAt = pos + 2 + nameLength;
    if (id < 0) groupNames.set(-id, name);
    raw.push({ id, name, start: pos, pointerAt });
    const next = view.getInt16(pointerAt, true);
    if (next === 0) break;
    pos = pointerAt + next;
  }
  return raw.map((r) => ({
    group: r.id < 0 ? r.name : groupNames.get(r.id)!,
    name: r.name,
    start: r.start,
    pointerAt: r.pointerAt,
    body: r.pointerAt + 2,
  }));
}

function recordOf(bytes: Uint8Array, group: string, name: string): RecordAt {
  const found = parameterRecords(bytes).find((r) => r.group === group && r.name === name);
  if (!found) throw new Error(`no record ${group}:${name}`);
  return found;
}

function patched(bytes: Uint8Array, patch: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const copy = bytes.slice();
  patch(new DataView(copy.buffer), copy);
  return copy;
}

function messageFor(bytes: Uint8Array): string {
  return inputErrorFrom(() => readC3d(bytes)).message;
}

describe('C3D reader on truncated or corrupt files', () => {
  const valid = smallFile();

  test('the uncorrupted file reads', () => {
    expect(readC3d(valid).analog.samples[0][11]).toBe(12);
  });

  test('a file shorter than the header', () => {
    expect(messageFor(valid.slice(0, 100))).toMatch(/100 bytes, shorter than the 512-byte header/);
    expect(messageFor(new Uint8Array(0))).toMatch(/0 bytes/);
  });

  test('a wrong signature byte', () => {
    expect(messageFor(patched(valid, (_, b) => (b[1] = 0x51)))).toMatch(/not a C3D file: byte 2 is 0x51, expected 0x50/);
  });

  test('a parameter section in the header block or past the end of the file', () => {
    expect(messageFor(patched(valid, (_, b) => (b[0] = 1)))).toMatch(/block 1 is the header/);
    expect(messageFor(patched(valid, (_, b) => (b[0] = 200)))).toMatch(/parameter section should start at byte offset 101888/);
  });

  test('an unknown processor type', () => {
    expect(messageFor(patched(valid, (_, b) => (b[515] = 90)))).toMatch(/processor type 90/);
  });

  test('a file cut inside the parameter section', () => {
    expect(messageFor(valid.slice(0, 600))).toMatch(/truncated/);
  });

  test('a file cut inside the data', () => {
    expect(messageFor(valid.slice(0, valid.length - 3))).toMatch(/6 frames of 32 bytes .* need \d+ bytes, but the file has \d+/);
  });

  test('a file cut at any length throws InputError, never anything else', () => {
    for (let length = 0; length < valid.length; length += 3) {
      expect(inputErrorFrom(() => readC3d(valid.slice(0, length)))).toBeInstanceOf(InputError);
    }
  });

  test('a parameter pointer that loops back to an earlier record', () => {
    const second = parameterRecords(valid)[1];
    const bytes = patched(valid, (view) => view.setInt16(second.pointerAt, 516 - second.pointerAt, true));
    expect(messageFor(bytes)).toMatch(/points backwards to byte offset 516, which would loop/);
  });

  test('a parameter pointer outside the file', () => {
    const first = parameterRecords(valid)[0];
    const bytes = patched(valid, (view) => view.setInt16(first.pointerAt, 32000, true));
    expect(messageFor(bytes)).toMatch(/points to byte offset \d+, outside the \d+-byte file/);
  });

  test('an absurd frame count', () => {
    const bytes = patched(valid, (view) => view.setUint16(8, 65535, true));
    expect(messageFor(bytes)).toMatch(/65535 frames of 32 bytes/);
  });

  test('a frame range that ends before it starts', () => {
    const bytes = patched(valid, (view) => {
      view.setUint16(6, 10, true);
      view.setUint16(8, 5, true);
    });
    expect(messageFor(bytes)).toMatch(/last frame 5 comes before first frame 10/);
  });

  test('an absurd channel count that the data could not hold', () => {
    // 1000 channels with consistent counts and rates: refused by size, before any allocation.
    const bytes = patched(smallFile([{ name: 'ANALOG', parameters: [{ name: 'USED', type: 'int16', values: [1000] }] }]), (view) =>
      view.setUint16(4, 2000, true),
    );
    expect(messageFor(bytes)).toMatch(/6 frames of 8016 bytes/);
  });

  test('a channel count that contradicts the header', () => {
    expect(messageFor(smallFile([{ name: 'ANALOG', parameters: [{ name: 'USED', type: 'int16', values: [30000] }] }]))).toMatch(
      /4 analog values per frame, which is not a positive multiple of the 30000 channels/,
    );
    expect(messageFor(smallFile([{ name: 'ANALOG', parameters: [{ name: 'USED', type: 'int16', values: [-3] }] }]))).toMatch(
      /ANALOG:USED must be a non-negative integer/,
    );
  });

  test('fewer labels than channels', () => {
    expect(messageFor(smallFile([{ name: 'ANALOG', parameters: [{ name: 'LABELS', type: 'char', values: ['only one'] }] }]))).toMatch(
      /ANALOG:LABELS .* names 1 channels but ANALOG:USED is 2/,
    );
  });

  test('no labels at all', () => {
    const bytes = patched(valid, (_, b) => {
      const labels = recordOf(valid, 'ANALOG', 'LABELS');
      b.set(
        [...'XXXXXX'].map((c) => c.charCodeAt(0)),
        labels.start + 2,
      );
    });
    expect(messageFor(bytes)).toMatch(/no ANALOG:LABELS/);
  });

  test('fewer scales or offsets than channels', () => {
    expect(messageFor(smallFile([{ name: 'ANALOG', parameters: [{ name: 'SCALE', type: 'float', values: [1] }] }]))).toMatch(
      /ANALOG:SCALE has 1 values for 2 channels/,
    );
    expect(messageFor(smallFile([{ name: 'ANALOG', parameters: [{ name: 'OFFSET', type: 'int16', dimensions: [1], values: [0] }] }]))).toMatch(
      /ANALOG:OFFSET has 1 values for 2 channels/,
    );
  });

  test('an ANALOG:RATE that disagrees with the samples per frame', () => {
    expect(messageFor(smallFile([{ name: 'ANALOG', parameters: [{ name: 'RATE', type: 'float', values: [1234] }] }]))).toMatch(
      /ANALOG:RATE 1234 Hz over a frame rate of 50 Hz gives 24.68 samples per frame, but the frames hold 2/,
    );
  });

  test('a POINT:USED that disagrees with the header', () => {
    expect(messageFor(smallFile([{ name: 'POINT', parameters: [{ name: 'USED', type: 'int16', values: [7] }] }]))).toMatch(
      /1 points per frame but POINT:USED is 7/,
    );
  });

  test('an unknown ANALOG:FORMAT and impossible ANALOG:BITS', () => {
    expect(messageFor(smallFile([{ name: 'ANALOG', parameters: [{ name: 'FORMAT', type: 'char', values: ['WEIRD'] }] }]))).toMatch(
      /ANALOG:FORMAT is "WEIRD"/,
    );
    expect(messageFor(smallFile([{ name: 'ANALOG', parameters: [{ name: 'BITS', type: 'int16', values: [20] }] }], 'int16'))).toMatch(
      /ANALOG:BITS is 20/,
    );
  });

  test('text where a number belongs', () => {
    expect(messageFor(smallFile([{ name: 'ANALOG', parameters: [{ name: 'USED', type: 'char', values: ['2'] }] }]))).toMatch(
      /ANALOG:USED should be numeric/,
    );
  });

  test('a data section that starts inside the parameter section', () => {
    expect(messageFor(patched(valid, (view) => view.setUint16(16, 2, true)))).toMatch(/data at block 2, not after the parameter section at block 2/);
  });

  test('parameter dimensions that claim more data than the file holds', () => {
    const labels = recordOf(valid, 'ANALOG', 'LABELS');
    const bytes = patched(valid, (_, b) => b.set([255, 255], labels.body + 2));
    expect(messageFor(bytes)).toMatch(/LABELS declares dimensions \[255, 255\], more data than the file holds/);
  });

  test('an empty-string array with an absurd number of entries', () => {
    const withOne = smallFile([{ name: 'CUSTOM', parameters: [{ name: 'MANY', type: 'char', dimensions: [0, 1, 1, 1], values: [''] }] }]);
    // Empty strings take no bytes, so only the string count can give this away.
    const bytes = patched(withOne, (_, b) => b.set([255, 255, 255], recordOf(withOne, 'CUSTOM', 'MANY').body + 3));
    expect(messageFor(bytes)).toMatch(/MANY declares dimensions \[0, 255, 255, 255\], an absurd number of strings/);
  });

  test('an unknown parameter type code and a zero group id', () => {
    const used = recordOf(valid, 'ANALOG', 'USED');
    expect(messageFor(patched(valid, (_, b) => (b[used.body] = 3)))).toMatch(/USED has type code 3/);
    expect(messageFor(patched(valid, (_, b) => (b[used.start + 1] = 0)))).toMatch(/group id 0/);
  });

  test('a stored sample that is not a finite number', () => {
    const dataStart = (readC3d(valid).header.dataStartBlock - 1) * 512;
    // Skip the point's four floats; the first analog float becomes NaN.
    const bytes = patched(valid, (view) => view.setUint32(dataStart + 16, 0x7fc00000, true));
    expect(messageFor(bytes)).toMatch(/analog sample 0 of channel L \(frame 1\) is not a finite number/);
  });

  test('random corruption of header and parameters throws InputError or reads, never anything else', () => {
    const random = new SeededRandom(2024);
    const dataStart = (readC3d(valid).header.dataStartBlock - 1) * 512;
    for (let trial = 0; trial < 1500; trial++) {
      const bytes = valid.slice();
      const flips = 1 + Math.floor(random.next() * 6);
      for (let i = 0; i < flips; i++) bytes[Math.floor(random.next() * dataStart)] = Math.floor(random.next() * 256);
      try {
        readC3d(bytes);
      } catch (err) {
        if (!(err instanceof InputError))
          throw new Error(`trial ${trial}: ${(err as Error).constructor.name}: ${(err as Error).message}`, { cause: err });
      }
    }
  });
});
