import { Redis } from 'ioredis';
import { CacheTimeoutError, RedisStore, withDeadline } from '../../src/cache/redis-store';
import { SHARED_REDIS_URL } from '../helpers/redis';

/** Keeps the event loop busy, as a burst of requests does. */
function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** Issues call, lets its command reach Redis, then blocks the loop past the deadline before the reply is read. */
async function replyWaitingWhileLoopBlocked<T>(call: () => Promise<T>, blockMs: number): Promise<T> {
  const pending = call();
  await new Promise<void>((resolve) =>
    setImmediate(() => {
      blockLoop(blockMs);
      resolve();
    }),
  );
  return pending;
}

describe('Redis call deadlines', () => {
  it('fail a call that never answers with a CacheTimeoutError naming the operation', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withDeadline(never, 20, 'get')).rejects.toThrow(CacheTimeoutError);
    await expect(withDeadline(never, 20, 'get')).rejects.toMatchObject({ op: 'get', timeoutMs: 20 });
  });

  it('pass a call that answers in time through, value or error', async () => {
    await expect(withDeadline(Promise.resolve(7), 20, 'get')).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('refused')), 20, 'get')).rejects.toThrow('refused');
  });

  it("do not count the event loop's own lateness: a reply already in the socket is served", async () => {
    const store = new RedisStore({ url: SHARED_REDIS_URL, commandTimeoutMs: 50 });
    // ioredis's own commandTimeout, as the store used before: the same situation fails there.
    const plain = new Redis(SHARED_REDIS_URL, { commandTimeout: 50 });
    try {
      await store.ready(5000);
      await plain.ping();
      await expect(replyWaitingWhileLoopBlocked(() => store.ping(), 200)).resolves.toEqual(expect.any(Number));
      await expect(replyWaitingWhileLoopBlocked(() => store.getMany(['cgtest-deadline:absent']), 200)).resolves.toEqual([null]);
      await expect(replyWaitingWhileLoopBlocked(() => plain.ping(), 200)).rejects.toThrow('Command timed out');
    } finally {
      plain.disconnect();
      await store.close();
    }
  });
});
