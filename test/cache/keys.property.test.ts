import fc from 'fast-check';
import { canonicalArgs, canonicalJson, fieldKey } from '../../src/cache/keys';

/**
 * Keys are injective: two argument sets that differ (other than by order, or null against
 * absent, which GraphQL treats alike after coercion) never give one key. The example,
 * `column: "a,column2=b"` against `column: "a", column2: "b"`, gave one key before.
 */
const space = { prefix: 'cachegate', schemaVersion: 'sabc' };

// Argument values as GraphQL coerces them: scalars, lists, input objects; no null at the top (omitted).
const value = fc.letrec((tie) => ({
  scalar: fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constantFrom(',', '=', '"', ':', '%', '*', '\0', '\r\n'),
  ),
  any: fc.oneof(
    { depthSize: 'small' },
    tie('scalar'),
    fc.array(tie('any'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('any'), { maxKeys: 3 }),
  ),
})).any;
const name = fc.oneof(fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,6}$/), fc.string({ maxLength: 6 }));
const args = fc.dictionary(name, value, { maxKeys: 4 });

/** What makes two argument sets the same: the same names with equal values (objects' key order aside). */
function sameArgs(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

describe('cache keys are injective (fast-check)', () => {
  it('distinct argument sets give distinct canonical arguments', () => {
    fc.assert(
      fc.property(args, args, (a, b) => {
        if (sameArgs(a, b)) return canonicalArgs(a) === canonicalArgs(b);
        return canonicalArgs(a) !== canonicalArgs(b);
      }),
      { numRuns: 5000 },
    );
  });

  it('an argument that holds the separators never equals two arguments', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (x, y) => {
        expect(canonicalArgs({ column: `${x},column2=${y}` })).not.toBe(canonicalArgs({ column: x, column2: y }));
      }),
    );
    expect(canonicalArgs({ column: 'a,column2=b' })).not.toBe(canonicalArgs({ column: 'a', column2: 'b' }));
  });

  it('distinct (parent id, arguments) pairs give distinct field keys', () => {
    fc.assert(
      fc.property(fc.string(), args, fc.string(), args, (p1, a1, p2, a2) => {
        const k1 = fieldKey(space, { coordinate: 'Dataset.visualization', parentId: p1, args: canonicalArgs(a1) });
        const k2 = fieldKey(space, { coordinate: 'Dataset.visualization', parentId: p2, args: canonicalArgs(a2) });
        if (p1 === p2 && sameArgs(a1, a2)) return k1 === k2;
        return k1 !== k2;
      }),
      { numRuns: 5000 },
    );
  });
});
