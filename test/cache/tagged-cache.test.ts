import { tagKey } from '../../src/cache/keys';
import { gate, sleep, waitFor } from '../helpers/async';
import { get, makeCache, ManualClock, request, storesUnderTest } from './helpers';
import { VersionsReadAfterLoad } from '../helpers/planted-bugs';
import { testPrefix } from '../helpers/redis';

const prefix = testPrefix();
const stores = storesUnderTest(prefix);

describe.each(stores)('the tagged cache on %s', (kind, storeOf) => {
  let n = 0;
  const name = () => `${kind}${++n}`;

  it('misses, loads once, then hits with the same value (Dates intact)', async () => {
    const cache = makeCache(storeOf(), prefix);
    const req = request(prefix, name(), ['Thing:1']);
    let loads = 0;
    const load = async () => ({ loads: ++loads, at: new Date('2020-01-02T03:04:05.006Z') });
    const first = await get(cache, req, load);
    const second = await get(cache, req, load);
    expect(loads).toBe(1);
    expect(second).toEqual(first);
    expect(second.at).toBeInstanceOf(Date);
    expect(cache.stats.snapshot()).toMatchObject({ hits: 1, misses: 1, sets: 1 });
  });

  it('misses after one of its tags is invalidated', async () => {
    const cache = makeCache(storeOf(), prefix);
    const req = request(prefix, name(), ['Thing:1', 'Thing']);
    let value = 'old';
    await get(cache, req, async () => value);
    value = 'new';
    expect(await cache.invalidate(['Thing'])).toBe(1);
    expect(await get(cache, req, async () => value)).toBe('new');
  });

  it('leaves entries of other tags alone', async () => {
    const cache = makeCache(storeOf(), prefix);
    const a = request(prefix, name(), ['Thing:a']);
    let loads = 0;
    await get(cache, a, async () => ++loads);
    await cache.invalidate(['Thing:b']);
    await get(cache, a, async () => ++loads);
    expect(loads).toBe(1);
  });

  it('treats a missing tag version as a miss, never as a match', async () => {
    const store = storeOf();
    const cache = makeCache(store, prefix);
    const req = request(prefix, name(), ['Lost:1']);
    let loads = 0;
    await get(cache, req, async () => ++loads);
    await store.delete([tagKey(cache.space, 'Lost:1')]);
    expect(await get(cache, req, async () => ++loads)).toBe(2);
  });

  it('expires a value after its ttl', async () => {
    const clock = new ManualClock();
    const cache = makeCache(storeOf(), prefix, { clock });
    const req = request(prefix, name(), ['Thing:1'], 30);
    let loads = 0;
    await get(cache, req, async () => ++loads);
    clock.advance(29);
    expect(await get(cache, req, async () => ++loads)).toBe(1);
    clock.advance(2);
    expect(await get(cache, req, async () => ++loads)).toBe(2);
  });

  it('lets the store drop the entry itself when the ttl has passed', async () => {
    const store = storeOf();
    const cache = makeCache(store, prefix);
    const req = request(prefix, name(), ['Thing:1'], 1);
    await get(cache, req, async () => 'v');
    expect((await store.getMany([req.key]))[0]).not.toBeNull();
    await sleep(1100);
    expect((await store.getMany([req.key]))[0]).toBeNull();
  });

  it('serves a stale value within swr while exactly one refresh runs', async () => {
    const clock = new ManualClock();
    const cache = makeCache(storeOf(), prefix, { clock });
    const req = request(prefix, name(), ['Thing:1'], 10, 60);
    let loads = 0;
    const load = async () => {
      await sleep(20);
      return ++loads;
    };
    await get(cache, req, load);
    clock.advance(15);
    const stale = await Promise.all([get(cache, req, load), get(cache, req, load), get(cache, req, load)]);
    expect(stale).toEqual([1, 1, 1]);
    await waitFor(() => loads === 2, 'the background refresh');
    await sleep(30);
    expect(loads).toBe(2);
    expect(await get(cache, req, load)).toBe(2);
  });

  it('never serves a stale value once its tag changed, even within swr', async () => {
    const clock = new ManualClock();
    const cache = makeCache(storeOf(), prefix, { clock });
    const req = request(prefix, name(), ['Thing:1'], 10, 600);
    await get(cache, req, async () => 'old');
    clock.advance(15);
    await cache.invalidate(['Thing:1']);
    expect(await get(cache, req, async () => 'new')).toBe('new');
  });

  it('caches a null result only briefly (negative caching)', async () => {
    const clock = new ManualClock();
    const cache = makeCache(storeOf(), prefix, { clock });
    const req = request(prefix, name(), ['Thing:404'], 3600);
    let loads = 0;
    const load = async () => {
      loads++;
      return null;
    };
    await get(cache, req, load);
    await get(cache, req, load);
    expect(loads).toBe(1);
    clock.advance(61);
    await get(cache, req, load);
    expect(loads).toBe(2);
  });

  it('invalidates a cached null like any other value', async () => {
    const cache = makeCache(storeOf(), prefix);
    const req = request(prefix, name(), ['Thing:later']);
    await get(cache, req, async () => null);
    await cache.invalidate(['Thing:later']);
    expect(await get(cache, req, async () => 'created')).toBe('created');
  });

  it('never caches an error', async () => {
    const cache = makeCache(storeOf(), prefix);
    const req = request(prefix, name(), ['Thing:1']);
    await expect(get(cache, req, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await get(cache, req, async () => 'ok')).toBe('ok');
  });

  it('does not store a value above the size limit, and counts it', async () => {
    const cache = makeCache(storeOf(), prefix, { maxEntryBytes: 200, compressMinBytes: 1_000_000 });
    const req = request(prefix, name(), ['Thing:1']);
    let loads = 0;
    const load = async () => ({ n: ++loads, filler: 'x'.repeat(500) });
    await get(cache, req, load);
    await get(cache, req, load);
    expect(loads).toBe(2);
    expect(cache.stats.snapshot().oversize).toBe(2);
  });

  it('stores large values compressed and reads them back exactly', async () => {
    const store = storeOf();
    const cache = makeCache(store, prefix, { compressMinBytes: 1024 });
    const req = request(prefix, name(), ['Thing:1']);
    const big = { rows: Array.from({ length: 2000 }, (_, i) => ({ i, label: `row ${i % 10}` })) };
    await get(cache, req, async () => big);
    const [raw] = await store.getMany([req.key]);
    expect(raw![0]).toBe(0x02);
    expect(await get(cache, req, async () => 'not called')).toEqual(big);
  });

  it('runs concurrent misses of one key through one load (single flight)', async () => {
    const cache = makeCache(storeOf(), prefix);
    const req = request(prefix, name(), ['Thing:1']);
    let loads = 0;
    const load = async () => {
      await sleep(50);
      return ++loads;
    };
    const values = await Promise.all(Array.from({ length: 25 }, () => get(cache, req, load)));
    expect(loads).toBe(1);
    expect(new Set(values)).toEqual(new Set([1]));
  });

  it('lets a miss seen just before a concurrent load finished take that value, unless a tag changed since', async () => {
    const cache = makeCache(storeOf(), prefix);
    const req = request(prefix, name(), ['Thing:1']);
    const [early] = await cache.lookupMany([req]);
    const [late] = await cache.lookupMany([req]);
    if (early.hit || late.hit) throw new Error('expected misses');
    let loads = 0;
    await get(cache, req, async () => ++loads, { lookup: async () => early });
    expect(await get(cache, req, async () => ++loads, { lookup: async () => late })).toBe(1);
    await cache.invalidate(['Thing:1']);
    const [afterWrite] = await cache.lookupMany([req]);
    if (afterWrite.hit) throw new Error('expected a miss after the invalidation');
    expect(await get(cache, req, async () => ++loads, { lookup: async () => afterWrite })).toBe(2);
  });

  it('does not hand a reader that looked after an invalidation a load that started before it', async () => {
    const cache = makeCache(storeOf(), prefix);
    const req = request(prefix, name(), ['Thing:1']);
    const held = gate();
    let committed = 'old';
    let loading = false;
    const first = get(cache, req, async () => {
      const seen = committed;
      loading = true;
      await held.promise;
      return seen;
    });
    // The first load has started (over a slower topology this takes more than a moment).
    await waitFor(() => loading, 'the first load to start');
    committed = 'new';
    await cache.invalidate(['Thing:1']);
    const second = get(cache, req, async () => committed);
    held.open();
    expect(await first).toBe('old');
    expect(await second).toBe('new');
  });

  it("reads many entries and all their tags' versions in one lookup", async () => {
    const cache = makeCache(storeOf(), prefix);
    const reqs = [1, 2, 3].map((i) => request(prefix, `${name()}-${i}`, [`Thing:${i}`, 'Thing']));
    for (const r of reqs) await get(cache, r, async () => r.key);
    const found = await cache.lookupMany(reqs);
    expect(found.map((f) => f.hit)).toEqual([true, true, true]);
    await cache.invalidate(['Thing:2']);
    expect((await cache.lookupMany(reqs)).map((f) => f.hit)).toEqual([true, false, true]);
  });

  describe('the stale-set race', () => {
    /**
     * A reader loads old data and is held; a writer commits and invalidates; the reader then
     * stores what it loaded. Returns what the next read sees.
     */
    async function race(planted = false): Promise<string> {
      const held = gate();
      let reached = false;
      const cache = planted ? makeCache(storeOf(), prefix, { variant: VersionsReadAfterLoad }) : makeCache(storeOf(), prefix);
      const req = request(prefix, name(), ['Row:1']);
      let committed = 'old';
      // Held after loading, before storing: the loader returns only when the gate opens.
      const reader = get(cache, req, async () => {
        const loaded = committed;
        reached = true;
        await held.promise;
        return loaded;
      });
      await waitFor(() => reached, 'the reader to load');
      committed = 'new';
      await cache.invalidate(['Row:1']);
      held.open();
      expect(await reader).toBe('old');
      return get(cache, req, async () => committed);
    }

    it('the next read after the writer returns the new data', async () => {
      expect(await race()).toBe('new');
    });

    it('catches the planted bug of reading tag versions after loading', async () => {
      expect(await race(true)).toBe('old');
    });
  });
});
