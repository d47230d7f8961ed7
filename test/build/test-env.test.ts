import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TEST_POSTGRES_URL } from '../helpers/databases';
import { freePorts, SHARED_REDIS_URL } from '../helpers/redis';

const ROOT = path.join(__dirname, '..', '..');

/** Runs `npm test`'s wrapper on one small test file, as `npm test -- test/build/services.test.ts` would. */
function runWrapper(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/test-env.mjs'), 'test/build/services.test.ts'], {
      cwd: ROOT,
      // Never apt-get from a test: what is missing must be reported, not installed.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', CACHEGATE_TEST_INSTALL: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Whether pid is a live process (a zombie not reaped yet counts as gone). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/**
 * npm test on a machine without the services (pointed at ports where nothing listens): the
 * wrapper starts a redis-server and an initdb'd PostgreSQL of its own, the tests pass against
 * them, and both are stopped, by PID, when jest is done.
 */
describe('npm test (scripts/test-env.mjs)', () => {
  it('starts its own Redis and PostgreSQL when none is reachable, and stops them afterwards', async () => {
    const [redisPort, pgPort] = await freePorts(2);
    const { code, output } = await runWrapper({
      TEST_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      TEST_DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/test`,
    });
    expect({ code, output }).toMatchObject({ code: 0 });
    const redisPid = Number(/started redis-server pid (\d+) on redis:\/\/127\.0\.0\.1:\d+/.exec(output)?.[1]);
    const pgPid = Number(/started PostgreSQL pid (\d+) \(initdb in .*\) on postgres:\/\/postgres@127\.0\.0\.1:\d+\/test/.exec(output)?.[1]);
    expect(redisPid).toBeGreaterThan(0);
    expect(pgPid).toBeGreaterThan(0);
    expect(output).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(output).toContain(`stopped redis-server pid ${redisPid}`);
    expect(output).toContain(`stopped PostgreSQL pid ${pgPid}`);
    expect([alive(redisPid), alive(pgPid)]).toEqual([false, false]);
  }, 240_000);

  it('uses the services that are reachable and starts nothing', async () => {
    const { code, output } = await runWrapper({ TEST_REDIS_URL: SHARED_REDIS_URL, TEST_DATABASE_URL: TEST_POSTGRES_URL });
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toContain(`Redis at ${SHARED_REDIS_URL}: reachable, using it`);
    expect(output).toMatch(/PostgreSQL at .*: reachable, using it/);
    expect(output).not.toMatch(/started|stopped/);
  }, 240_000);
});
