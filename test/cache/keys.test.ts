import calculateSlot from 'cluster-key-slot';
import {
  canonicalArgs,
  encodeSegment,
  escapeGlob,
  fieldKey,
  keyKind,
  responseKey,
  schemaVersionOf,
  tagKey,
  watermarkKey,
} from '../../src/cache/keys';

const space = { prefix: 'cachegate', schemaVersion: 'sabc' };

describe('cache keys', () => {
  it('are readable for simple ids and arguments', () => {
    const key = fieldKey(space, {
      coordinate: 'Dataset.visualization',
      parentId: '42',
      args: canonicalArgs({ kind: 'HISTOGRAM', column: 'Horsepower', bins: 20 }),
    });
    expect(key).toBe('cachegate:sabc:f:Dataset.visualization:42:bins%3D20%2Ccolumn%3D%22Horsepower%22%2Ckind%3D%22HISTOGRAM%22');
  });

  it('do not depend on argument order', () => {
    expect(canonicalArgs({ a: 1, b: 'x' })).toBe(canonicalArgs({ b: 'x', a: 1 }));
  });

  it('treat null and absent arguments alike', () => {
    expect(canonicalArgs({ column: 'x', column2: null })).toBe(canonicalArgs({ column: 'x' }));
  });

  it('sort list arguments that are sets, and only those', () => {
    expect(canonicalArgs({ ids: ['3', '1', '2'] }, { setArgs: ['ids'] })).toBe(canonicalArgs({ ids: ['1', '2', '3'] }, { setArgs: ['ids'] }));
    expect(canonicalArgs({ ids: ['3', '1'] })).not.toBe(canonicalArgs({ ids: ['1', '3'] }));
  });

  it('canonicalise nested objects by key', () => {
    expect(canonicalArgs({ input: { b: 1, a: { d: 2, c: 3 } } })).toBe(canonicalArgs({ input: { a: { c: 3, d: 2 }, b: 1 } }));
  });

  it('escape colons so two different id/argument splits never collide', () => {
    const a = fieldKey(space, { coordinate: 'T.f', parentId: 'a:b', args: 'c' });
    const b = fieldKey(space, { coordinate: 'T.f', parentId: 'a', args: 'b:c' });
    expect(a).not.toBe(b);
    expect(a.split(':')).toHaveLength(6);
  });

  it('escape glob characters so a key can sit literally in a SCAN pattern', () => {
    expect(encodeSegment('a*b?[c]')).toBe('a%2Ab%3F%5Bc%5D');
    expect(escapeGlob('x*y')).toBe('x\\*y');
  });

  it('hash long segments with SHA-256, keeping them distinct', () => {
    const long1 = 'x'.repeat(500);
    const long2 = `${'x'.repeat(499)}y`;
    expect(encodeSegment(long1)).toMatch(/^#[0-9a-f]{32}$/);
    expect(encodeSegment(long1)).not.toBe(encodeSegment(long2));
  });

  it('cannot make a readable segment look like a hashed one', () => {
    expect(encodeSegment('#abc')).toBe('%23abc');
  });

  it('put the verified user and role into PRIVATE keys', () => {
    const alice = fieldKey(space, { coordinate: 'Query.myProgress', args: '', user: { id: 'alice', role: 'user' } });
    const bob = fieldKey(space, { coordinate: 'Query.myProgress', args: '', user: { id: 'bob', role: 'user' } });
    const aliceAdmin = fieldKey(space, { coordinate: 'Query.myProgress', args: '', user: { id: 'alice', role: 'admin' } });
    expect(alice).toBe('cachegate:sabc:f:Query.myProgress:-:-:u:alice:user');
    expect(new Set([alice, bob, aliceAdmin]).size).toBe(3);
  });

  it('keep tag keys outside the schema version', () => {
    expect(tagKey(space, 'Dataset:42')).toBe('cachegate:tag:Dataset%3A42:{cachegate.tags}');
  });

  it('put every tag version and the watermark in one Redis Cluster slot, and spread the entries', () => {
    const slots = (keys: string[]) => new Set(keys.map((k) => calculateSlot(k)));
    const versions = [watermarkKey(space), ...['Dataset', 'Dataset:1', 'Dataset:{2}', 'ModelRun:x'].map((t) => tagKey(space, t))];
    expect(slots(versions).size).toBe(1);
    // Another deployment's versions sit in a slot of their own.
    expect(calculateSlot(tagKey({ prefix: 'other' }, 'Dataset'))).not.toBe(calculateSlot(tagKey(space, 'Dataset')));
    const entries = Array.from({ length: 20 }, (_, i) => fieldKey(space, { coordinate: 'Dataset.statistics', parentId: String(i), args: '' }));
    expect(slots(entries).size).toBeGreaterThan(15);
    expect(keyKind(space, tagKey(space, 'Dataset:{2}'))).toBe('tag');
    expect(keyKind(space, 'cachegate:tag:Dataset')).toBe('other');
    expect(keyKind(space, responseKey(space, { documentHash: 'h', variables: '{}' }))).toBe('response');
  });

  it('derive the schema version from the schema text', () => {
    expect(schemaVersionOf('type Query { a: Int }')).toMatch(/^s[0-9a-f]{10}$/);
    expect(schemaVersionOf('type Query { a: Int }')).not.toBe(schemaVersionOf('type Query { b: Int }'));
  });
});
