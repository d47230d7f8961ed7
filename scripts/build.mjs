// Builds dist/ only when something it is built from changed: a restart with nothing changed
// starts at once instead of waiting for tsc (issue 20, item 6). `--force` always builds.
// tsc itself is incremental (tsconfig.build.json), so a change rebuilds only what it affects.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.tsbuildinfo');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'scripts/build.mjs'];

/** The newest modification time under p (a file or a folder), in ms. */
function newest(p) {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(p)) max = Math.max(max, newest(path.join(p, name)));
  return max;
}

const force = process.argv.includes('--force');
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const changed = inputs.reduce((m, p) => Math.max(m, newest(path.join(root, p))), 0);
if (!force && built > 0 && changed <= built && existsSync(path.join(root, 'dist', 'src', 'main.js'))) process.exit(0);

const tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
const run = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);
// The non-TypeScript files the compiled gateway reads (SQL migrations).
cpSync(path.join(root, 'src/db/migrations'), path.join(root, 'dist/src/db/migrations'), { recursive: true });
// tsc leaves its build info alone when no output changed: mark the build as current anyway.
if (existsSync(stamp)) utimesSync(stamp, new Date(), new Date());
