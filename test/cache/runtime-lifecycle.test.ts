import { createCacheRuntime } from '../../src/cache/runtime';
import type { CacheLogger } from '../../src/cache/errors-are-misses';
import { installInvalidationTriggers, SqlInvalidationLog } from '../../src/db/invalidation-log';
import { migrate } from '../../src/db/migrate';
import { domains } from '../../src/domains';
import type { Domain } from '../../src/domains/domain';
import { waitFor } from '../helpers/async';
import { openTestDatabase } from '../helpers/databases';
import { deletePrefix, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

/** A logger that keeps its warnings. */
function recordingLogger(): CacheLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (_obj, msg) => void warnings.push(msg), info: () => undefined, debug: () => undefined };
}

describe('cache runtime start and shutdown (real Redis, in-process tier on)', () => {
  const prefix = testPrefix();
  afterAll(() => deletePrefix(SHARED_REDIS_URL, prefix));

  const options = (logger: CacheLogger) => ({
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

  it('applies the records startup left pending without a warning (the relay starts on a connected client)', async () => {
    const test = await openTestDatabase('pglite');
    try {
      await migrate(test.db);
      await installInvalidationTriggers(
        test.db,
        (domains as readonly Domain[]).flatMap((d) => d.tracks ?? []),
      );
      // What a seed leaves: a committed write whose record no relay has applied yet.
      await test.db.query("INSERT INTO dataset (name, columns) VALUES ('seeded', '[]')");
      const log = new SqlInvalidationLog(test.db);
      const before = await log.position();
      expect(before.appliedThrough).toBeLessThan(before.recorded);
      const logger = recordingLogger();
      const runtime = await createCacheRuntime({ ...options(logger), invalidationLog: log });
      try {
        await expect(runtime.invalidations.settle(5000)).resolves.toBe(true);
        expect(logger.warnings).toEqual([]);
      } finally {
        await runtime.close();
      }
    } finally {
      await test.dispose();
    }
  });

  it('closes the invalidation subscription without warning that it was lost', async () => {
    const logger = recordingLogger();
    const runtime = await createCacheRuntime(options(logger));
    await waitFor(() => runtime.state().subscribed === true, 'the in-process tier to subscribe');
    await runtime.close();
    // The subscriber's close event arrives after disconnect; give it a moment to be (not) reported.
    await new Promise((r) => setTimeout(r, 200));
    expect(logger.warnings).toEqual([]);
  });
});
