import { spawnSync } from 'node:child_process';
import { statSync, utimesSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const STAMP = path.join(ROOT, 'dist', '.tsbuildinfo');
const build = () => spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });

/** npm start's build step (issue 20, item 6): nothing changed, nothing compiled. */
describe('scripts/build.mjs', () => {
  it('skips tsc when no source changed since the last build, and builds after a change', () => {
    expect(build().status).toBe(0); // npm test built already; this makes sure
    const before = statSync(STAMP).mtimeMs;
    const started = performance.now();
    expect(build().status).toBe(0);
    expect(statSync(STAMP).mtimeMs).toBe(before);
    // No tsc: well under the seconds a type-check of the project takes even on an idle machine.
    expect(performance.now() - started).toBeLessThan(3000);

    const touched = path.join(ROOT, 'src', 'identity.ts');
    const future = new Date(Date.now() + 1000);
    utimesSync(touched, future, future);
    expect(build().status).toBe(0);
    expect(statSync(STAMP).mtimeMs).toBeGreaterThan(before);
  }, 180_000);
});
