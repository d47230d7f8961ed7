/**
 * The number formats of the three processor types a C3D file can declare. The processor
 * type lives in byte 4 of the parameter section (83 + n) and governs every multi-byte
 * number in the file, the header included.
 */
export type ProcessorType = 'INTEL' | 'DEC' | 'MIPS';

export const PROCESSOR_TYPE_BYTE: Readonly<Record<ProcessorType, number>> = { INTEL: 84, DEC: 85, MIPS: 86 };

export function processorTypeFromByte(byte: number): ProcessorType | undefined {
  if (byte === 84) return 'INTEL';
  if (byte === 85) return 'DEC';
  if (byte === 86) return 'MIPS';
  return undefined;
}

/** Reads and writes 16-bit integers and 32-bit floats in one processor's format. */
export interface NumberCodec {
  readonly processor: ProcessorType;
  readInt16(view: DataView, offset: number): number;
  readUint16(view: DataView, offset: number): number;
  readFloat32(view: DataView, offset: number): number;
  writeInt16(view: DataView, offset: number, value: number): void;
  writeUint16(view: DataView, offset: number, value: number): void;
  writeFloat32(view: DataView, offset: number, value: number): void;
}

const TWO_POW_23 = 2 ** 23;
/** 2^(e − 129) for every DEC exponent e; a table because `**` per sample dominated DEC parsing. */
const DEC_EXPONENT_SCALE = Float64Array.from({ length: 256 }, (_, e) => 2 ** (e - 129));

/**
 * Decodes a VAX F-floating number. Its first 16-bit word (little-endian) holds sign,
 * exponent (excess 128) and the top mantissa bits; the second word holds the rest. The
 * hidden bit sits before the binary point (0.1f), so the value is IEEE's 1.f × 2^(e-129).
 * Decoded from the bits rather than by byte-swapping into an IEEE float and dividing by 4,
 * because that trick turns the largest DEC exponent into Infinity/NaN.
 */
export function readDecFloat(view: DataView, offset: number): number {
  const high = view.getUint16(offset, true);
  const low = view.getUint16(offset + 2, true);
  const exponent = (high >> 7) & 0xff;
  // Exponent 0 is zero (or, with the sign set, VAX's "reserved operand"); both read as 0.
  if (exponent === 0) return 0;
  const mantissa = ((high & 0x7f) * 65536 + low) / TWO_POW_23;
  const magnitude = (1 + mantissa) * DEC_EXPONENT_SCALE[exponent];
  return high & 0x8000 ? -magnitude : magnitude;
}

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

/** Encodes a number as a VAX F-floating value, rounding to single precision first. */
export function writeDecFloat(view: DataView, offset: number, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`DEC floats cannot hold ${value}`);
  f32[0] = value;
  const bits = f32Bits[0];
  const sign = bits >>> 31;
  const ieeeExponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  // IEEE subnormals are below the smallest DEC float: they become 0.
  if (ieeeExponent === 0) {
    view.setUint32(offset, 0, true);
    return;
  }
  const decExponent = ieeeExponent + 2;
  if (decExponent > 0xff) throw new RangeError(`${value} is too large for a DEC float`);
  const high = (sign << 15) | (decExponent << 7) | (mantissa >>> 16);
  view.setUint16(offset, high, true);
  view.setUint16(offset + 2, mantissa & 0xffff, true);
}

function ieeeCodec(processor: ProcessorType, littleEndian: boolean): NumberCodec {
  return {
    processor,
    readInt16: (view, offset) => view.getInt16(offset, littleEndian),
    readUint16: (view, offset) => view.getUint16(offset, littleEndian),
    readFloat32: (view, offset) => view.getFloat32(offset, littleEndian),
    writeInt16: (view, offset, value) => view.setInt16(offset, value, littleEndian),
    writeUint16: (view, offset, value) => view.setUint16(offset, value, littleEndian),
    writeFloat32: (view, offset, value) => view.setFloat32(offset, value, littleEndian),
  };
}

const CODECS: Readonly<Record<ProcessorType, NumberCodec>> = {
  INTEL: ieeeCodec('INTEL', true),
  MIPS: ieeeCodec('MIPS', false),
  // DEC integers are little-endian like Intel's; only the floats differ.
  DEC: { ...ieeeCodec('DEC', true), processor: 'DEC', readFloat32: readDecFloat, writeFloat32: writeDecFloat },
};

export function numberCodecFor(processor: ProcessorType): NumberCodec {
  return CODECS[processor];
}
