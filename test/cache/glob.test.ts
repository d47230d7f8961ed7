import { Redis } from 'ioredis';
import { globToRegExp, invalidGlobReason } from '../../src/cache/glob';
import { escapeGlob, patternUnderPrefix } from '../../src/cache/keys';
import { deletePrefix, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

/**
 * The in-process tier drops the keys a pattern matches with globToRegExp; Redis deletes the
 * ones SCAN MATCH returns. They must be the same keys, so each pattern is checked against
 * Redis itself.
 */
describe('glob patterns match what Redis SCAN MATCH matches', () => {
  const prefix = testPrefix();
  const names = [
    'a',
    'b',
    'ab',
    'abc',
    'abd',
    'a:b',
    'a:b:c',
    'x*y',
    'x?y',
    'xzy',
    'x[y',
    'x]y',
    'x\\y',
    'x-y',
    'Dataset.statistics',
    'Dataset.eda',
    'Dataset%3A42',
    'Dataset%3A420',
    'tag:ModelRun',
    'u:alice:user',
    'u:a%2A:user',
    '-',
  ];
  const patterns = [
    '*',
    'a*',
    '*b',
    'a?',
    'a??',
    '?',
    'a:*',
    '*:*:*',
    'x\\*y',
    'x*y',
    'x\\?y',
    'x?y',
    'x[*]y',
    'x[?]y',
    'x[[]y',
    'x\\]y',
    'x[\\]]y',
    'x\\\\y',
    'ab[cd]',
    'ab[^c]',
    'ab[c-d]',
    'ab[d-c]',
    'ab[^a-c]',
    '[a-b]',
    'x[\\-]y',
    'x[-]y',
    'Dataset.*',
    'Dataset%3A42',
    'Dataset%3A42*',
    '*statistics',
    '*:alice:*',
    'u:a%2A:*',
    'x[]y',
    'x[^]y',
    '-',
    'a[b',
    'ab\\',
  ];
  let redis: Redis;
  let matchedByRedis: Map<string, string[]>;

  beforeAll(async () => {
    redis = new Redis(SHARED_REDIS_URL);
    for (const name of names) await redis.set(`${prefix}:${name}`, '1', 'EX', 300);
    matchedByRedis = new Map();
    for (const pattern of patterns) {
      const found = new Set<string>();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', patternUnderPrefix({ prefix }, pattern), 'COUNT', 1000);
        for (const k of keys) found.add(k.slice(prefix.length + 1));
        cursor = next;
      } while (cursor !== '0');
      matchedByRedis.set(pattern, [...found].sort());
    }
  });
  afterAll(async () => {
    redis?.disconnect();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it.each(patterns)('%s', (pattern) => {
    const reason = invalidGlobReason(pattern);
    if (reason) {
      // Refused patterns never reach Redis; these are the ones Redis reads surprisingly.
      expect(['a[b', 'ab\\']).toContain(pattern);
      return;
    }
    const re = globToRegExp(patternUnderPrefix({ prefix }, pattern));
    const ours = names.filter((n) => re.test(`${prefix}:${n}`)).sort();
    expect(ours).toEqual(matchedByRedis.get(pattern));
  });

  it('escapeGlob makes any string match itself only', () => {
    for (const name of names) {
      expect(names.filter((n) => globToRegExp(escapeGlob(name)).test(n))).toEqual([name]);
    }
  });

  it('refuses malformed and ambiguous patterns with a reason', () => {
    expect(invalidGlobReason('')).toMatch(/empty/);
    expect(invalidGlobReason('a[bc')).toMatch(/never closed/);
    expect(invalidGlobReason('abc\\')).toMatch(/backslash/);
    expect(invalidGlobReason('[a-]')).toMatch(/\\-/);
    expect(invalidGlobReason('[a-\\b]')).toMatch(/backslash/);
    expect(invalidGlobReason('*:f:Dataset.statistics:*')).toBeUndefined();
  });
});
