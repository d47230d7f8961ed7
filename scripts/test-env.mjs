#!/usr/bin/env node
// `npm test`: runs jest with the services the tests need, starting its own when they are not
// reachable, so the suite passes on a fresh Debian machine with Node.
//
//   Redis       TEST_REDIS_URL (default redis://127.0.0.1:6379); when it does not answer PING, a
//               redis-server of its own on a free port, without persistence, in a temporary folder.
//   PostgreSQL  TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); when it does
//               not answer, a cluster of its own made by initdb (Debian's postgresql package) in a
//               temporary folder, on a free port, run as the user `postgres` when we are root
//               (initdb refuses to run as root).
//   Chromium    /usr/bin/chromium, for the browser tests.
//
// A missing program is installed with apt-get when running as root (saying so first), otherwise
// named with the command to install it. CACHEGATE_TEST_INSTALL=0 never installs. Services it
// started are stopped by their PID (PostgreSQL through pg_ctl on its own data folder) when jest
// exits, and their folders removed. Arguments are passed to jest: `npm test -- test/cache`.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => process.stderr.write(`test-env: ${msg}\n`);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const mayInstall = process.env.CACHEGATE_TEST_INSTALL !== '0' && isRoot && onPath('apt-get');

/** What we started, stopped in reverse order on the way out. */
const stops = [];

function onPath(program) {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

let aptUpdated = false;
/** Installs a Debian package, saying so; or exits naming the command when it may not. */
function install(pkg, why) {
  if (!mayInstall) {
    say(`${why}. Install it with: sudo apt-get install -y ${pkg}${isRoot ? ' (CACHEGATE_TEST_INSTALL=0 stopped me)' : ''}`);
    process.exit(1);
  }
  say(`${why}: installing the Debian package ${pkg} (apt-get install -y ${pkg})`);
  if (!aptUpdated) execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  aptUpdated = true;
  execFileSync('apt-get', ['install', '-y', '-qq', pkg], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Whether a Redis answers PING at url (a plain TCP exchange: no client library needed). */
function redisAnswers(url, timeoutMs = 1500) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () =>
      socket.write(u.password ? `AUTH ${decodeURIComponent(u.username || 'default')} ${decodeURIComponent(u.password)}\r\nPING\r\n` : 'PING\r\n'),
    );
    let seen = '';
    socket.on('data', (d) => {
      seen += d;
      if (seen.includes('+PONG')) done(true);
      else if (seen.startsWith('-')) done(false);
    });
  });
}

/** Whether PostgreSQL accepts a connection at url (with the project's own pg client). */
async function postgresAnswers(url) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function waitFor(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

async function ensureRedis() {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await redisAnswers(url)) return say(`Redis at ${url}: reachable, using it`);
  // The tests start redis-servers of their own too (killing and pausing them), so it must be there either way.
  if (!onPath('redis-server')) install('redis-server', 'redis-server is missing (the tests need it)');
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'cachegate-test-redis-'));
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  const exited = new Promise((r) => proc.once('exit', r));
  stops.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid, 'SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    say(`stopped redis-server pid ${proc.pid}`);
  });
  const own = `redis://127.0.0.1:${port}`;
  await waitFor(() => redisAnswers(own), `redis-server on port ${port}`);
  say(`Redis at ${url} is not reachable: started redis-server pid ${proc.pid} on ${own}`);
  process.env.TEST_REDIS_URL = own;
}

/** The newest Debian PostgreSQL's bin folder, or undefined. */
function postgresBin() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], 'bin') : undefined;
}

async function ensurePostgres() {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  if (await postgresAnswers(url)) return say(`PostgreSQL at ${redact(url)}: reachable, using it`);
  let bin = postgresBin();
  if (!bin) {
    install('postgresql', 'PostgreSQL is not reachable and initdb is missing');
    bin = postgresBin();
    if (!bin) throw new Error('the postgresql package is installed but /usr/lib/postgresql/*/bin/initdb is not there');
  }
  // initdb and postgres refuse to run as root: as root, the cluster belongs to the user postgres
  // (which Debian's package creates).
  const asUser = isRoot ? ['runuser', '-u', 'postgres', '--'] : [];
  const run = (file, args) =>
    execFileSync(asUser[0] ?? file, asUser.length ? [...asUser.slice(1), file, ...args] : args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const dir = mkdtempSync(path.join(tmpdir(), 'cachegate-test-pg-'));
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const data = path.join(dir, 'data');
  const port = await freePort();
  run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  // A throwaway cluster: durability off, connections for jest's parallel workers.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  run(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'postgres.log'), '-o', options, '-w', 'start']);
  const pid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  stops.push(async () => {
    run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    // pg_ctl returns once the pid file is gone; the process itself may take a moment more.
    await waitFor(() => !running(pid), `PostgreSQL pid ${pid} to exit`, 10_000);
    rmSync(dir, { recursive: true, force: true });
    say(`stopped PostgreSQL pid ${pid}`);
  });
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitFor(() => postgresAnswers(admin), `PostgreSQL on port ${port}`);
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query('CREATE DATABASE test');
  await client.end();
  const own = `postgres://postgres@127.0.0.1:${port}/test`;
  say(`PostgreSQL at ${redact(url)} is not reachable: started PostgreSQL pid ${pid} (initdb in ${dir}) on ${own}`);
  process.env.TEST_DATABASE_URL = own;
}

function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  install('chromium', '/usr/bin/chromium is missing (the browser tests need it)');
}

/** Whether pid is a live process (a zombie waiting to be reaped counts as gone). */
function running(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const redact = (url) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

async function stopAll() {
  for (const stop of stops.splice(0).reverse()) {
    try {
      await stop();
    } catch (err) {
      say(`could not stop a service: ${err.message}`);
    }
  }
}

async function main() {
  try {
    await ensureRedis();
    await ensurePostgres();
    ensureChromium();
  } catch (err) {
    say(err.message);
    await stopAll();
    process.exit(1);
  }
  const jest = spawn(
    process.execPath,
    ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', path.join(ROOT, 'node_modules/jest/bin/jest.js'), ...process.argv.slice(2)],
    { stdio: 'inherit', env: process.env, cwd: ROOT },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => jest.kill(signal));
  const code = await new Promise((resolve) => jest.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  await stopAll();
  process.exit(code);
}

main();
