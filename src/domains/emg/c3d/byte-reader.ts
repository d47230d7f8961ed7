import { InputError } from '../../../lib/errors';
import type { NumberCodec } from './processor';

/**
 * Bounds-checked reads over a C3D file's bytes. Every read names what it is reading so a
 * truncated or corrupt file fails with an InputError that says where, instead of a
 * RangeError from DataView.
 */
export class ByteReader {
  readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly codec: NumberCodec,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  /** Throws unless `byteCount` bytes starting at `offset` lie inside the file. */
  require(offset: number, byteCount: number, what: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(byteCount) || offset < 0 || byteCount < 0 || offset + byteCount > this.length) {
      throw new InputError(
        `C3D file is truncated or corrupt: ${what} needs ${byteCount} bytes at byte offset ${offset}, but the file has ${this.length} bytes`,
        { offset, byteCount, fileBytes: this.length },
      );
    }
  }

  int8(offset: number, what: string): number {
    this.require(offset, 1, what);
    return this.view.getInt8(offset);
  }

  uint8(offset: number, what: string): number {
    this.require(offset, 1, what);
    return this.bytes[offset];
  }

  int16(offset: number, what: string): number {
    this.require(offset, 2, what);
    return this.codec.readInt16(this.view, offset);
  }

  uint16(offset: number, what: string): number {
    this.require(offset, 2, what);
    return this.codec.readUint16(this.view, offset);
  }

  float32(offset: number, what: string): number {
    this.require(offset, 4, what);
    return this.codec.readFloat32(this.view, offset);
  }

  /** C3D text is single-byte characters; latin1 maps every byte to one character. */
  text(offset: number, length: number, what: string): string {
    this.require(offset, length, what);
    let out = '';
    for (let i = 0; i < length; i++) out += String.fromCharCode(this.bytes[offset + i]);
    return out;
  }
}
