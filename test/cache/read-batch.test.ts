import { Redis } from 'ioredis';
import { batchReads, type ReadMany } from '../../src/cache/read-batch';
import { RedisStore } from '../../src/cache/redis-store';
import { OwnRedis } from '../helpers/redis';

/** A read over a fixed table that records what each call asked for. */
function recordingRead(table: Record<string, string>): { read: ReadMany; calls: string[][] } {
  const calls: string[][] = [];
  const read: ReadMany = async (keys) => {
    calls.push([...keys]);
    return keys.map((k) => (k in table ? Buffer.from(table[k]) : null));
  };
  return { read, calls };
}

const text = (values: (Buffer | null)[]) => values.map((v) => v?.toString() ?? null);

describe('batchReads', () => {
  const table = { a: '1', b: '2', c: '3', d: '4', e: '5' };

  it('sends the reads of one turn as one, each key once, and gives each reader its keys in its order', async () => {
    const { read, calls } = recordingRead(table);
    const batched = batchReads(read);
    const answers = await Promise.all([batched(['a', 'b']), batched(['b', 'x', 'a']), batched(['c'])]);
    expect(calls).toEqual([['a', 'b', 'x', 'c']]);
    expect(answers.map(text)).toEqual([['1', '2'], ['2', null, '1'], ['3']]);
  });

  it('starts a new batch in a later turn', async () => {
    const { read, calls } = recordingRead(table);
    const batched = batchReads(read);
    await batched(['a']);
    await batched(['a']);
    expect(calls).toEqual([['a'], ['a']]);
  });

  it('sends a batch at once when it reaches its key limit', async () => {
    const { read, calls } = recordingRead(table);
    const batched = batchReads(read, 3);
    const first = batched(['a', 'b']);
    const second = batched(['c', 'd']);
    expect(calls).toEqual([['a', 'b', 'c', 'd']]);
    const third = batched(['e']);
    expect(text(await first)).toEqual(['1', '2']);
    expect(text(await second)).toEqual(['3', '4']);
    expect(text(await third)).toEqual(['5']);
    expect(calls).toEqual([['a', 'b', 'c', 'd'], ['e']]);
  });

  it('fails every reader of a batch whose read failed', async () => {
    const batched = batchReads(async () => {
      throw new Error('connection lost');
    });
    const results = await Promise.allSettled([batched(['a']), batched(['b'])]);
    expect(results.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['connection lost', 'connection lost']);
  });
});

describe('RedisStore reads on one Redis', () => {
  let own: OwnRedis;
  beforeAll(async () => {
    own = await OwnRedis.start();
  });
  afterAll(async () => {
    await own?.stop();
  });

  it('lets concurrent reads share one MGET, each getting its own values', async () => {
    const seed = new Redis(own.url);
    const store = new RedisStore({ url: own.url, commandTimeoutMs: 1000 });
    try {
      await seed.mset('k1', 'one', 'k2', 'two');
      await store.ready(5000);
      await own.resetStats();
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => store.getMany(i % 2 ? ['k1', 'k2'] : ['k2', 'absent'])));
      expect(answers.map(text)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 ? ['one', 'two'] : ['two', null])));
      expect((await own.commandCalls()).mget).toBe(1);
    } finally {
      seed.disconnect();
      await store.close();
    }
  });
});
