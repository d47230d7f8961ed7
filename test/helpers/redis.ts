import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/** The machine's shared Redis: tests use a prefix of their own on it and delete only their keys. */
export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testPrefix(): string {
  return `cgtest-${randomBytes(5).toString('hex')}`;
}

/** Deletes every key under prefix (SCAN, never KEYS or FLUSH: the server is shared). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port;
}

/**
 * n distinct free ports. Every listener stays open until all n are found: one closed first may
 * be handed out again at once (a cluster node got its own port as its bus port and could not start).
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** An ACL user of an OwnRedis: the default user is switched off, so every client must log in. */
export interface RedisAclUser {
  user: string;
  password: string;
}

/**
 * A redis-server of the test's own, for killing, pausing and counting commands, and (with an ACL
 * user) for the masking of passwords in health answers and logs. Stopped by its PID only.
 */
export class OwnRedis {
  private proc?: ChildProcess;
  /** The server's working folder: SAVE writes dump.rdb here, and a restart loads it (a restore). */
  readonly dir = mkdtempSync(path.join(tmpdir(), 'cachegate-redis-'));
  private constructor(
    readonly port: number,
    readonly acl?: RedisAclUser,
  ) {}

  /** Starts a server on a free port; with acl, only that user (with that password) may connect. */
  static async start(acl?: Partial<RedisAclUser>): Promise<OwnRedis> {
    const user = acl && { user: acl.user ?? 'cachegate', password: acl.password ?? `pw-${randomBytes(8).toString('hex')}` };
    const own = new OwnRedis(await freePort(), user);
    await own.launch();
    return own;
  }

  get url(): string {
    return this.acl ? `redis://${this.acl.user}:${this.acl.password}@127.0.0.1:${this.port}` : `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** (Re)starts the server on the same port and waits until it answers PING. */
  async launch(): Promise<void> {
    const users = this.acl ? ['--user', 'default', 'off', '--user', this.acl.user, 'on', `>${this.acl.password}`, '~*', '&*', '+@all'] : [];
    this.proc = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'no', ...users],
      {
        stdio: 'ignore',
      },
    );
    // Wait for the port with plain TCP: an ioredis client that failed to connect keeps a 2 s timer after disconnect().
    const deadline = Date.now() + 10_000;
    while (!(await portOpen(this.port))) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const probe = new Redis(this.url, { maxRetriesPerRequest: 0 });
    try {
      await probe.ping();
    } finally {
      await probe.quit();
    }
  }

  /** Sends the server a signal (SIGSTOP to freeze it, SIGCONT to let it go on). */
  signal(sig: NodeJS.Signals): void {
    this.proc?.kill(sig);
  }

  /** Kills the server (SIGKILL) and waits for it to be gone. */
  async kill(): Promise<void> {
    const proc = this.proc;
    // A killed process has a signalCode and no exitCode: it is gone all the same.
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Calls of each command since the last CONFIG RESETSTAT, from INFO commandstats. */
  async commandCalls(): Promise<Record<string, number>> {
    const redis = new Redis(this.url);
    try {
      const info = await redis.info('commandstats');
      const out: Record<string, number> = {};
      // The test's own probes (INFO, CONFIG RESETSTAT) are left out.
      for (const m of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) if (m[1] !== 'info' && !m[1].startsWith('config')) out[m[1]] = Number(m[2]);
      return out;
    } finally {
      redis.disconnect();
    }
  }

  async resetStats(): Promise<void> {
    const redis = new Redis(this.url);
    try {
      await redis.config('RESETSTAT');
    } finally {
      redis.disconnect();
    }
  }
}

/** Keys under prefix (SCAN), for asserting what was or was not written. */
export async function keysUnder(url: string, prefix: string): Promise<string[]> {
  const redis = new Redis(url);
  try {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      out.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return out.sort();
  } finally {
    redis.disconnect();
  }
}

/** The values of keys as Redis holds them (null where absent), read on a connection of the test's own. */
export async function readKeys(url: string, keys: string[]): Promise<(string | null)[]> {
  const redis = new Redis(url);
  try {
    return keys.length ? await redis.mget(...keys) : [];
  } finally {
    redis.disconnect();
  }
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
