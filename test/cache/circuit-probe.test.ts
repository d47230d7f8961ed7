import { Writable } from 'node:stream';
import pino from 'pino';
import { createCacheRuntime, type CacheRuntime } from '../../src/cache/runtime';
import { sleep, waitFor } from '../helpers/async';
import { OwnRedis, testPrefix } from '../helpers/redis';
import { request } from './helpers';

/**
 * Redis back but slow (a starved machine right after a failover): the circuit's probe must see
 * it answering, though slower than a request's deadline, or the circuit stays open probe after
 * probe, each doubling the wait, and hits stay away long after Redis is back.
 */
describe('an open circuit over a Redis that answers slower than the request deadline', () => {
  let redis: OwnRedis;
  let cache: CacheRuntime;
  const states: string[] = [];

  beforeAll(async () => {
    redis = await OwnRedis.start();
    const lines = new Writable({
      write(chunk: Buffer, _encoding, done) {
        const { circuit } = JSON.parse(chunk.toString()) as { circuit?: string };
        if (circuit) states.push(circuit);
        done();
      },
    });
    cache = await createCacheRuntime({
      space: { prefix: testPrefix(), schemaVersion: 'ptest' },
      redisUrl: redis.url,
      redisPoolSize: 1,
      redisTimeoutMs: 50,
      l1MaxBytes: 0,
      maxEntryBytes: 1024 * 1024,
      compressMinBytes: 1024,
      statsFlushDelayMs: 0,
      logger: pino({ level: 'info' }, lines),
    });
  });
  afterAll(async () => {
    redis?.signal('SIGCONT');
    await cache?.close();
    await redis?.stop();
  });

  it('closes once a probe gets an answer within a second, though every answer takes 150-300 ms', async () => {
    const req = request('p', 'a', ['Thing:a'], 60);
    await cache.values.read(req, async () => 'a');
    redis.signal('SIGSTOP');
    // Reads made one after another while Redis is stopped: each fails, and the third opens the circuit.
    for (let i = 0; i < 5 && !states.includes('open'); i++) await cache.values.read(req, async () => 'a');
    expect(states).toContain('open');
    // Redis answers again, but only in short windows between pauses of 150-300 ms.
    let slow = true;
    const stutter = (async () => {
      while (slow) {
        redis.signal('SIGCONT');
        await sleep(2);
        redis.signal('SIGSTOP');
        await sleep(150 + Math.random() * 150);
      }
      redis.signal('SIGCONT');
    })();
    try {
      await waitFor(() => states.includes('closed'), 'the circuit to close', 8000);
    } finally {
      slow = false;
      await stutter;
    }
  });
});
