import { Packr } from 'msgpackr';
import { compressSync, uncompressSync } from 'snappy';

/**
 * The bytes of a cache entry: one header byte saying how the rest is encoded, then the
 * payload. MessagePack keeps Dates, nested objects and floats exact (JSON would turn a Date
 * into a string); snappy is fast enough that compressing on write costs less than the
 * bytes it saves on the wire.
 */
export const Encoding = { MSGPACK: 0x01, MSGPACK_SNAPPY: 0x02 } as const;
type EncodingByte = (typeof Encoding)[keyof typeof Encoding];

// Records off: entries must decode in any process, whatever it encoded before.
const packr = new Packr({ useRecords: false, moreTypes: true });

export class CodecError extends Error {
  name = 'CodecError';
}

export function encodeValue(value: unknown, compressMinBytes: number): { bytes: Buffer; compressed: boolean } {
  const packed = packr.pack(value);
  if (packed.length >= compressMinBytes) {
    const squeezed = compressSync(packed);
    if (squeezed.length < packed.length) return { bytes: withHeader(Encoding.MSGPACK_SNAPPY, squeezed), compressed: true };
  }
  return { bytes: withHeader(Encoding.MSGPACK, packed), compressed: false };
}

export function decodeValue(bytes: Buffer): unknown {
  if (bytes.length === 0) throw new CodecError('empty cache entry');
  const body = bytes.subarray(1);
  switch (bytes[0]) {
    case Encoding.MSGPACK:
      return packr.unpack(body);
    case Encoding.MSGPACK_SNAPPY:
      return packr.unpack(uncompressSync(body) as Buffer);
    default:
      throw new CodecError(`unknown cache entry encoding 0x${bytes[0].toString(16)}`);
  }
}

export function isCompressed(bytes: Buffer): boolean {
  return bytes[0] === Encoding.MSGPACK_SNAPPY;
}

function withHeader(encoding: EncodingByte, payload: Buffer | Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 1);
  out[0] = encoding;
  out.set(payload, 1);
  return out;
}

/** What a field entry holds: the value, the tags it depends on with the versions it saw, and its freshness. */
export interface Entry {
  value: unknown;
  tags: string[];
  /** versions[i] is the version of tags[i] read before the value was loaded. */
  versions: string[];
  /** Epoch ms after which the value is stale (served only within swr). */
  freshUntil: number;
  createdAt: number;
}

export function encodeEntry(entry: Entry, compressMinBytes: number) {
  return encodeValue([entry.value, entry.tags, entry.versions, entry.freshUntil, entry.createdAt], compressMinBytes);
}

export function decodeEntry(bytes: Buffer): Entry {
  const raw = decodeValue(bytes);
  if (!Array.isArray(raw) || raw.length !== 5 || !Array.isArray(raw[1]) || !Array.isArray(raw[2])) throw new CodecError('malformed cache entry');
  const [value, tags, versions, freshUntil, createdAt] = raw as [unknown, string[], string[], number, number];
  return { value, tags, versions, freshUntil, createdAt };
}
