import {
  decodeFieldEntry,
  decodeResponseEntry,
  decodeValue,
  encodeFieldEntry,
  encodeResponseEntry,
  encodeValue,
  isCompressed,
  summarizeEntry,
} from '../../src/cache/codec';

describe('cache value codec', () => {
  it('round-trips Dates, nested objects, nulls and floats exactly', () => {
    const value = { at: new Date('2024-02-29T12:34:56.789Z'), n: 0.1 + 0.2, list: [1, null, 'x'], nested: { big: 2 ** 53 - 1 } };
    const back = decodeValue(encodeValue(value, 1024).bytes) as typeof value;
    expect(back.at).toBeInstanceOf(Date);
    expect(back.at.toISOString()).toBe('2024-02-29T12:34:56.789Z');
    expect(back).toEqual(value);
  });

  it('compresses values at or above the threshold and says so in the header byte', () => {
    const big = { text: 'abc'.repeat(2000) };
    const encoded = encodeValue(big, 1024);
    expect(encoded.compressed).toBe(true);
    expect(isCompressed(encoded.bytes)).toBe(true);
    expect(encoded.bytes.length).toBeLessThan(1000);
    expect(decodeValue(encoded.bytes)).toEqual(big);
  });

  it('leaves small values uncompressed', () => {
    const encoded = encodeValue({ a: 1 }, 1024);
    expect(encoded.compressed).toBe(false);
    expect(isCompressed(encoded.bytes)).toBe(false);
  });

  it('rejects bytes it did not write', () => {
    expect(() => decodeValue(Buffer.from([0x7f, 1, 2]))).toThrow(/unknown cache entry encoding/);
    expect(() => decodeValue(Buffer.alloc(0))).toThrow(/empty/);
  });

  it('round-trips a field entry with its tags, versions and freshness', () => {
    const entry = { value: [{ a: 1 }], tags: ['Dataset:1'], versions: ['v1'], freshUntil: 123, createdAt: 100 };
    expect(decodeFieldEntry(encodeFieldEntry(entry, 1024).bytes)).toEqual(entry);
  });

  it('round-trips a whole-response entry, body bytes included', () => {
    const entry = {
      body: Buffer.from('{"data":{}}'),
      tags: ['Dataset'],
      versions: ['v2'],
      createdAt: 100,
      ttlSeconds: 60,
      private: true,
      etag: '"e"',
    };
    expect(decodeResponseEntry(encodeResponseEntry(entry, 1024).bytes)).toEqual(entry);
  });

  it('refuses to read one kind of entry as the other', () => {
    const field = encodeFieldEntry({ value: 1, tags: [], versions: [], freshUntil: 1, createdAt: 0 }, 1024).bytes;
    expect(() => decodeResponseEntry(field)).toThrow(/malformed response entry/);
    const response = encodeResponseEntry(
      { body: Buffer.from('x'), tags: [], versions: [], createdAt: 0, ttlSeconds: 1, private: false, etag: '"x"' },
      1024,
    ).bytes;
    expect(() => decodeFieldEntry(response)).toThrow(/malformed field entry/);
  });

  it('summarizes either kind for administration: tags, stamps, times, compression', () => {
    const field = encodeFieldEntry({ value: 'v', tags: ['A'], versions: ['1'], freshUntil: 5000, createdAt: 1000 }, 1024).bytes;
    expect(summarizeEntry(field)).toEqual({ kind: 'field', tags: ['A'], versions: ['1'], createdAt: 1000, freshUntil: 5000, compressed: false });
    const response = encodeResponseEntry(
      { body: Buffer.from('x'), tags: ['B'], versions: ['2'], createdAt: 1000, ttlSeconds: 3, private: false, etag: '"x"' },
      1024,
    ).bytes;
    expect(summarizeEntry(response)).toEqual({
      kind: 'response',
      tags: ['B'],
      versions: ['2'],
      createdAt: 1000,
      freshUntil: 4000,
      compressed: false,
    });
    expect(summarizeEntry(encodeValue({ not: 'an entry' }, 1024).bytes)).toBeUndefined();
    expect(summarizeEntry(Buffer.from([0x7f]))).toBeUndefined();
  });
});
