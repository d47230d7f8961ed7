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

// ---------------------------------------------------------------------------------------------
// The two kinds of stored entry. Their layouts are positional arrays (MessagePack keeps them
// small) and are known here only: everything else reads entries through these functions.
//
//   field value     [value, tags, versions, freshUntil, createdAt]
//   whole response  [body, tags, versions, createdAt, ttlSeconds, private, etag]

/** What a field entry holds: the value, the tags it depends on with the versions it saw, and its freshness. */
export interface FieldEntry {
  value: unknown;
  tags: string[];
  /** versions[i] is the version of tags[i] read before the value was loaded. */
  versions: string[];
  /** Epoch ms after which the value is stale (served only within swr). */
  freshUntil: number;
  createdAt: number;
}

/** A whole response as stored: its bytes, and what makes it still true. */
export interface ResponseEntry {
  /** The response body exactly as sent the first time. */
  body: Buffer;
  tags: string[];
  /** versions[i] was the version of tags[i] before any of the response's data was loaded. */
  versions: string[];
  createdAt: number;
  ttlSeconds: number;
  private: boolean;
  etag: string;
}

export function encodeFieldEntry(entry: FieldEntry, compressMinBytes: number) {
  return encodeValue([entry.value, entry.tags, entry.versions, entry.freshUntil, entry.createdAt], compressMinBytes);
}

export function decodeFieldEntry(bytes: Buffer): FieldEntry {
  const raw = decodeValue(bytes);
  if (!isStamped(raw, 5)) throw new CodecError('malformed field entry');
  const [value, tags, versions, freshUntil, createdAt] = raw as [unknown, string[], string[], number, number];
  return { value, tags, versions, freshUntil, createdAt };
}

export function encodeResponseEntry(entry: ResponseEntry, compressMinBytes: number) {
  return encodeValue([entry.body, entry.tags, entry.versions, entry.createdAt, entry.ttlSeconds, entry.private, entry.etag], compressMinBytes);
}

export function decodeResponseEntry(bytes: Buffer): ResponseEntry {
  const raw = decodeValue(bytes);
  if (!isStamped(raw, 7) || !(raw[0] instanceof Uint8Array)) throw new CodecError('malformed response entry');
  const [body, tags, versions, createdAt, ttlSeconds, isPrivate, etag] = raw as [Uint8Array, string[], string[], number, number, boolean, string];
  return { body: Buffer.from(body.buffer, body.byteOffset, body.byteLength), tags, versions, createdAt, ttlSeconds, private: isPrivate, etag };
}

/** What administration shows of any stored entry, whichever kind it is. */
export interface EntrySummary {
  kind: 'field' | 'response';
  tags: string[];
  versions: string[];
  createdAt: number;
  /** Epoch ms after which the entry is stale. */
  freshUntil: number;
  compressed: boolean;
}

/** Reads the bookkeeping of a stored entry; undefined when the bytes are not an entry. */
export function summarizeEntry(bytes: Buffer): EntrySummary | undefined {
  let raw: unknown;
  try {
    raw = decodeValue(bytes);
  } catch {
    return undefined;
  }
  const compressed = isCompressed(bytes);
  if (isStamped(raw, 5)) {
    const [, tags, versions, freshUntil, createdAt] = raw as [unknown, string[], string[], number, number];
    return { kind: 'field', tags, versions, createdAt, freshUntil, compressed };
  }
  if (isStamped(raw, 7)) {
    const [, tags, versions, createdAt, ttlSeconds] = raw as [unknown, string[], string[], number, number];
    return { kind: 'response', tags, versions, createdAt, freshUntil: createdAt + ttlSeconds * 1000, compressed };
  }
  return undefined;
}

function isStamped(raw: unknown, length: number): raw is unknown[] {
  return Array.isArray(raw) && raw.length === length && isStringArray(raw[1]) && isStringArray(raw[2]);
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
