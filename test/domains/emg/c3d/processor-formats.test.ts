import { numberCodecFor, readDecFloat, writeDecFloat } from '../../../../src/domains/emg/c3d/processor';
import { readC3d } from '../../../../src/domains/emg/c3d/reader';
import { SeededRandom } from '../../../../src/domains/emg/seeded-random';
import { writeC3d } from '../../../helpers/c3d-writer';

function decBytes(value: number): number[] {
  const view = new DataView(new ArrayBuffer(4));
  writeDecFloat(view, 0, value);
  return Array.from(new Uint8Array(view.buffer));
}

function fromDecBytes(bytes: number[]): number {
  return readDecFloat(new DataView(Uint8Array.from(bytes).buffer), 0);
}

describe('DEC (VAX F-floating) numbers', () => {
  test.each([
    [1, [0x80, 0x40, 0x00, 0x00]],
    [-1, [0x80, 0xc0, 0x00, 0x00]],
    [0.5, [0x00, 0x40, 0x00, 0x00]],
    [-2.5, [0x20, 0xc1, 0x00, 0x00]],
    [0, [0x00, 0x00, 0x00, 0x00]],
  ])('%d is stored as the bytes %j', (value, bytes) => {
    expect(decBytes(value)).toEqual(bytes);
    expect(fromDecBytes(bytes)).toBe(value);
  });

  test('the largest exponent decodes to a finite number, not Infinity as the byte-swap trick gives', () => {
    expect(fromDecBytes([0xff, 0x7f, 0xff, 0xff])).toBe(2 ** 127 - 2 ** 103);
  });

  test('exponent 0 reads as 0 even with the sign bit set (VAX reserved operand)', () => {
    expect(fromDecBytes([0x00, 0x80, 0x12, 0x34])).toBe(0);
  });

  test('single-precision numbers survive a write/read round trip', () => {
    const random = new SeededRandom(5);
    for (let i = 0; i < 1000; i++) {
      const value = Math.fround((random.next() - 0.5) * 10 ** random.between(-30, 30));
      expect(fromDecBytes(decBytes(value))).toBe(value);
    }
  });

  test('numbers beyond the DEC range are refused rather than corrupted', () => {
    expect(() => decBytes(3e38)).toThrow(RangeError);
    expect(() => decBytes(Number.NaN)).toThrow(RangeError);
  });
});

describe('processor byte orders', () => {
  test('MIPS stores header words and floats big-endian, Intel and DEC little-endian', () => {
    const options = { frameRate: 50, analog: { labels: ['A', 'B', 'C'], samples: [Float64Array.of(1), Float64Array.of(2), Float64Array.of(3)] } };
    const mips = writeC3d({ ...options, processor: 'MIPS' });
    const intel = writeC3d({ ...options, processor: 'INTEL' });
    const dec = writeC3d({ ...options, processor: 'DEC' });
    // Header word 3: analog values per frame = 3.
    expect([mips[4], mips[5]]).toEqual([0, 3]);
    expect([intel[4], intel[5]]).toEqual([3, 0]);
    expect([dec[4], dec[5]]).toEqual([3, 0]);
    // Header words 11-12: the frame rate 50 as a float.
    expect(Array.from(mips.subarray(20, 24))).toEqual([0x42, 0x48, 0x00, 0x00]);
    expect(Array.from(intel.subarray(20, 24))).toEqual([0x00, 0x00, 0x48, 0x42]);
    expect(Array.from(dec.subarray(20, 24))).toEqual([0x48, 0x43, 0x00, 0x00]);
    // The processor type byte of the parameter section.
    expect([intel[515], dec[515], mips[515]]).toEqual([84, 85, 86]);
    for (const bytes of [mips, intel, dec]) expect(readC3d(bytes).analog.rate).toBe(50);
  });

  test('the codecs read back what they write', () => {
    for (const processor of ['INTEL', 'DEC', 'MIPS'] as const) {
      const codec = numberCodecFor(processor);
      const view = new DataView(new ArrayBuffer(8));
      codec.writeInt16(view, 0, -12345);
      codec.writeUint16(view, 2, 54321);
      codec.writeFloat32(view, 4, -0.375);
      expect([codec.readInt16(view, 0), codec.readUint16(view, 2), codec.readFloat32(view, 4)]).toEqual([-12345, 54321, -0.375]);
    }
  });
});
