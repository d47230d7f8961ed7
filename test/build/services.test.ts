import { Redis } from 'ioredis';
import { openPostgres } from '../../src/db/postgres';
import { TEST_POSTGRES_URL } from '../helpers/databases';
import { SHARED_REDIS_URL } from '../helpers/redis';

/**
 * The services the suite runs against (npm test starts its own when these are not reachable:
 * scripts/test-env.mjs). Failing here says at once which one is missing, instead of every test
 * that uses it timing out.
 */
describe('the test services', () => {
  it(`Redis answers at TEST_REDIS_URL (${SHARED_REDIS_URL})`, async () => {
    const redis = new Redis(SHARED_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it(`PostgreSQL answers at TEST_DATABASE_URL (${TEST_POSTGRES_URL.replace(/:[^:@/]*@/, ':***@')})`, async () => {
    const db = openPostgres({ url: TEST_POSTGRES_URL, max: 1 });
    try {
      expect(await db.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});
