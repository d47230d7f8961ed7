import { Redis } from 'ioredis';
import { tagKey, watermarkKey } from '../../src/cache/keys';
import { RedisInvalidationSink } from '../../src/cache/redis-invalidation-sink';
import { MemoryStore } from '../../src/cache/memory-store';
import { deletePrefix, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';
import { makeCache, silentLogger } from './helpers';

/** The sink's watermark: raised only over what this Redis holds, so a gap it lost stays visible. */
describe('the Redis invalidation sink', () => {
  const prefix = testPrefix();
  const space = { prefix, schemaVersion: 'stest' };
  let client: Redis;
  let sink: RedisInvalidationSink;

  beforeAll(() => {
    client = new Redis(SHARED_REDIS_URL);
    sink = new RedisInvalidationSink({
      client,
      space,
      channel: `${prefix}:invalidations`,
      values: makeCache(new MemoryStore(1024 * 1024), prefix),
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await deletePrefix(SHARED_REDIS_URL, prefix);
    client.disconnect();
  });

  it('raises the watermark over records that follow what Redis holds', async () => {
    await sink.apply(['Thing:1'], 7, 0);
    expect(await sink.watermark()).toBe(7);
    await sink.apply(['Thing:2'], 9, 7);
    expect(await sink.watermark()).toBe(9);
  });

  it('keeps the older watermark when Redis lost records before these (a restore): the relay then replays the gap', async () => {
    await client.set(watermarkKey(space), '3'); // as a restored snapshot would have it
    const before = await client.get(tagKey(space, 'Thing:3'));
    await sink.apply(['Thing:3'], 12, 9);
    expect(await sink.watermark()).toBe(3);
    // The records themselves are applied all the same.
    const after = await client.get(tagKey(space, 'Thing:3'));
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
    // The replay from 3 closes the gap and moves it.
    await sink.apply(['Thing:4'], 12, 3);
    expect(await sink.watermark()).toBe(12);
  });
});
