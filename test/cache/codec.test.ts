import { decodeEntry, decodeValue, encodeEntry, encodeValue, isCompressed } from '../../src/cache/codec';

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

  it('round-trips an entry with its tags, versions and freshness', () => {
    const entry = { value: [{ a: 1 }], tags: ['Dataset:1'], versions: ['v1'], freshUntil: 123, createdAt: 100 };
    expect(decodeEntry(encodeEntry(entry, 1024).bytes)).toEqual(entry);
  });
});
