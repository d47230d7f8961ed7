import { createCacheRuntime } from '../../src/cache/runtime';
import type { CacheLogger } from '../../src/cache/errors-are-misses';
import { waitFor } from '../helpers/async';
import { deletePrefix, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

/** A logger that keeps its warnings. */
function recordingLogger(): CacheLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (_obj, msg) => void warnings.push(msg), info: () => undefined, debug: () => undefined };
}

describe('cache runtime shutdown (real Redis, in-process tier on)', () => {
  const prefix = testPrefix();
  afterAll(() => deletePrefix(SHARED_REDIS_URL, prefix));

  it('closes the invalidation subscription without warning that it was lost', async () => {
    const logger = recordingLogger();
    const runtime = await createCacheRuntime({
      space: { prefix, schemaVersion: 'v1' },
      redisUrl: SHARED_REDIS_URL,
      redisPoolSize: 1,
      redisTimeoutMs: 1000,
      l1MaxBytes: 1024 * 1024,
      maxEntryBytes: 1024 * 1024,
      compressMinBytes: 1024,
      statsFlushDelayMs: 0,
      logger,
    });
    await waitFor(() => runtime.state().subscribed === true, 'the in-process tier to subscribe');
    await runtime.close();
    // The subscriber's close event arrives after disconnect; give it a moment to be (not) reported.
    await new Promise((r) => setTimeout(r, 200));
    expect(logger.warnings).toEqual([]);
  });
});
