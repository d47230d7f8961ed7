import { InputError } from '../../../lib/errors';
import type { ByteReader } from './byte-reader';

export const BLOCK_BYTES = 512;
/** Byte 2 of every C3D file (1-based), the format's signature. */
export const C3D_MAGIC = 0x50;

/** Byte offsets of the header fields this reader and the writer use (the header is block 1). */
export const HEADER_OFFSET = {
  parameterBlock: 0,
  magic: 1,
  pointCount: 2,
  analogPerFrame: 4,
  firstFrame: 6,
  lastFrame: 8,
  maxInterpolationGap: 10,
  scale: 12,
  dataStartBlock: 16,
  analogSamplesPerFrame: 18,
  frameRate: 20,
} as const;

export interface C3dHeader {
  /** 1-based block number where the parameter section starts. */
  parameterBlock: number;
  pointCount: number;
  /** Analog values per 3D frame: channels × samples per channel per frame. */
  analogPerFrame: number;
  firstFrame: number;
  lastFrame: number;
  /** Negative means the data is stored as floats, positive as 16-bit integers. */
  scale: number;
  /** 1-based block number where the data section starts. */
  dataStartBlock: number;
  analogSamplesPerFrame: number;
  /** 3D frames per second. */
  frameRate: number;
}

/**
 * Checks the signature and returns where the parameter section starts. Runs before the
 * processor type is known, so it reads single bytes only.
 */
export function locateParameterSection(bytes: Uint8Array): number {
  if (bytes.byteLength < BLOCK_BYTES) {
    throw new InputError(`C3D file is ${bytes.byteLength} bytes, shorter than the ${BLOCK_BYTES}-byte header`, { fileBytes: bytes.byteLength });
  }
  const magic = bytes[HEADER_OFFSET.magic];
  if (magic !== C3D_MAGIC) {
    throw new InputError(`not a C3D file: byte 2 is 0x${magic.toString(16).padStart(2, '0')}, expected 0x50`, { magic });
  }
  const parameterBlock = bytes[HEADER_OFFSET.parameterBlock];
  if (parameterBlock < 2) {
    throw new InputError(`C3D header puts the parameter section at block ${parameterBlock}; block 1 is the header itself`, { parameterBlock });
  }
  return (parameterBlock - 1) * BLOCK_BYTES;
}

/** Reads the header's numbers; counts are read unsigned because writers use the full 16 bits. */
export function readHeader(reader: ByteReader): C3dHeader {
  const o = HEADER_OFFSET;
  return {
    parameterBlock: reader.uint8(o.parameterBlock, 'header parameter block'),
    pointCount: reader.uint16(o.pointCount, 'header point count'),
    analogPerFrame: reader.uint16(o.analogPerFrame, 'header analog count'),
    firstFrame: reader.uint16(o.firstFrame, 'header first frame'),
    lastFrame: reader.uint16(o.lastFrame, 'header last frame'),
    scale: reader.float32(o.scale, 'header scale'),
    dataStartBlock: reader.uint16(o.dataStartBlock, 'header data start'),
    analogSamplesPerFrame: reader.uint16(o.analogSamplesPerFrame, 'header analog samples per frame'),
    frameRate: reader.float32(o.frameRate, 'header frame rate'),
  };
}
