import { ResponseStore } from '../../src/cache/response-store';
import { StatsRecorder } from '../../src/cache/stats';
import type { KeyValueStore } from '../../src/cache/store';
import type { TaggedCache } from '../../src/cache/tagged-cache';
import { makeCache, silentLogger, storesUnderTest } from './helpers';
import { testPrefix } from '../helpers/redis';

const prefix = testPrefix();
const space = { prefix, schemaVersion: 'stest' };
const stores = storesUnderTest(prefix);

/** A real store that counts its reads. */
function counting(store: KeyValueStore): KeyValueStore & { reads: number } {
  const counted = {
    kind: store.kind,
    reads: 0,
    getMany: (keys: readonly string[]) => {
      counted.reads++;
      return store.getMany(keys);
    },
    setMany: store.setMany.bind(store),
    setIfAbsent: store.setIfAbsent.bind(store),
    delete: store.delete.bind(store),
    ...(store.peekMany ? { peekMany: store.peekMany.bind(store) } : {}),
  };
  return counted;
}

describe.each(stores)('stored whole responses on %s', (kind, storeOf) => {
  let n = 0;
  const key = () => `${prefix}:stest:r:${kind}${++n}`;
  let store: KeyValueStore & { reads: number };
  let tags: TaggedCache;
  let responses: ResponseStore;
  let stats: StatsRecorder;

  beforeEach(() => {
    store = counting(storeOf());
    tags = makeCache(store, prefix);
    stats = new StatsRecorder();
    responses = new ResponseStore(store, space, stats, silentLogger, { compressMinBytes: 1024, maxEntryBytes: 1024 * 1024 });
  });

  /** Stores body under k stamped with the current versions of its tags. */
  async function put(k: string, body: string, entryTags: string[]): Promise<void> {
    const versions = await tags.ensureVersions(entryTags, await tags.readVersions(entryTags));
    await responses.store(k, {
      body: Buffer.from(body),
      tags: entryTags,
      versions: versions as string[],
      createdAt: Date.now(),
      ttlSeconds: 60,
      private: false,
    });
  }

  it('serves an entry in one read when its tags were expected, and after the first hit in any case', async () => {
    const k = key();
    await put(k, 'a', ['Dataset:1', 'Row:7']);
    store.reads = 0;
    // Only Dataset:1 is known up front: Row:7 costs a second read the first time.
    expect((await responses.lookup(k, responses.tagKeysOf(['Dataset:1']))).hit?.body.toString()).toBe('a');
    expect(store.reads).toBe(2);
    store.reads = 0;
    expect((await responses.lookup(k, responses.tagKeysOf(['Dataset:1']))).hit?.body.toString()).toBe('a');
    expect(store.reads).toBe(1);
  });

  it('misses once any tag of the entry changes, also one that was not expected', async () => {
    const k = key();
    await put(k, 'a', ['Dataset:1', 'Row:7']);
    expect((await responses.lookup(k, responses.tagKeysOf(['Dataset:1']))).hit).toBeDefined();
    await tags.invalidate(['Row:7']);
    expect((await responses.lookup(k, responses.tagKeysOf(['Dataset:1']))).hit).toBeUndefined();
    expect(responses.lookupNow(k)).toBeUndefined();
  });

  it('hands back on a miss the tag versions it read along, so the miss needs no second read', async () => {
    const k = key();
    const [version] = await tags.ensureVersions(['Dataset:9'], [null]);
    store.reads = 0;
    const found = await responses.lookup(k, responses.tagKeysOf(['Dataset:9']));
    expect(store.reads).toBe(1);
    if (found.hit) throw new Error('expected a miss');
    expect(found.versionsRead.get(responses.tagKeysOf(['Dataset:9'])[0])?.toString()).toBe(version);
  });

  it('serves the new entry, not the one decoded before, when the key is written again', async () => {
    const k = key();
    await put(k, 'old', ['Dataset:2']);
    expect((await responses.lookup(k)).hit?.body.toString()).toBe('old');
    await put(k, 'new', ['Dataset:3']);
    expect((await responses.lookup(k)).hit?.body.toString()).toBe('new');
    await tags.invalidate(['Dataset:3']);
    expect((await responses.lookup(k)).hit).toBeUndefined();
  });

  it('answers at once only from process memory, and never with a changed tag', async () => {
    const k = key();
    await put(k, 'a', ['Dataset:4']);
    expect(responses.lookupNow(k)).toBeUndefined(); // nothing decoded under the key yet
    expect((await responses.lookup(k)).hit).toBeDefined();
    if (kind === 'memory') {
      expect(responses.lookupNow(k)?.body.toString()).toBe('a');
      await tags.invalidate(['Dataset:4']);
      expect(responses.lookupNow(k)).toBeUndefined();
    } else {
      expect(responses.lookupNow(k)).toBeUndefined(); // Redis alone: always asked
    }
  });

  it('answers at once while the versions read are equal bytes, and counts each such hit', async () => {
    if (kind !== 'memory') return expect(responses.lookupNow(key())).toBeUndefined();
    const k = key();
    await put(k, 'a', ['Dataset:5']);
    await responses.lookup(k);
    const [tagKey] = responses.tagKeysOf(['Dataset:5']);
    const [version] = await tags.readVersions(['Dataset:5']);
    const hitsBefore = stats.snapshot().hits;
    expect(responses.lookupNow(k)?.body.toString()).toBe('a');
    // The same version rewritten as another Buffer is still the same version.
    await store.setMany([{ key: tagKey, value: Buffer.from(version!), ttlMs: 60_000 }]);
    expect(responses.lookupNow(k)?.body.toString()).toBe('a');
    expect(stats.snapshot().hits - hitsBefore).toBe(2);
    await store.setMany([{ key: tagKey, value: Buffer.from(`${version}x`), ttlMs: 60_000 }]);
    expect(responses.lookupNow(k)).toBeUndefined();
  });

  it('does not answer at once past the TTL of the entry', async () => {
    const k = key();
    await put(k, 'a', ['Dataset:6']);
    await responses.lookup(k);
    expect(responses.lookupNow(k, Date.now() + 61_000)).toBeUndefined();
  });
});
