/**
 * The consistency checker: two gateway processes over one PostgreSQL database of its own and a
 * redis-server of its own, driven by one load process that reads and writes on one monotonic
 * clock (performance.now) and judges every read:
 *
 * - stale after acknowledgement: a read that started after a write was acknowledged (or, for a
 *   write no gateway acknowledged — one made in the database, or by a gateway killed after its
 *   commit — after the commit was seen) returned an older version;
 * - non-monotonic: a client saw a version older than one it had already seen;
 * - torn: two fields of one response from different versions (rowCount and statistics' count),
 *   judged by the older part: a response that overlapped a write may mix the two sides of it,
 *   one that started after the write's acknowledgement may not;
 * - private leak: one user's PRIVATE data served to another user, or to anonymous.
 *
 * Phases inject one fault each (Redis killed, restored, stopped, paused, slowed, its pub/sub
 * clients killed, its memory squeezed; a gateway killed after a commit; a write behind the
 * gateway's back; PostgreSQL connections terminated, PostgreSQL blackholed) and print a table.
 *
 *   npm run check:consistency            full profile, at least 2·10^5 judged reads
 *   npm run check:consistency:ci         CI profile, at least 5·10^4 judged reads
 *   npm run check:consistency -- --self-test   gateways with planted bugs: each must be caught
 *   ... -- --phases healthy,redis   only the phases whose names start so (--min-reads, --phase-ms)
 *   ... -- --redis-only   gateways without the in-process tier (no staleness allowed when healthy)
 *   ... -- --cluster      the gateways on a 3-master Redis Cluster (own redis-servers, stopped by
 *                         PID); only the phases that fault no Redis run there
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { signToken } from '../../src/server/auth';
import { freePort } from '../../test/helpers/redis';
import { OwnRedisCluster } from '../../test/helpers/redis-cluster';
import { TcpProxy } from '../../test/helpers/tcp-proxy';

const ROOT = path.join(__dirname, '..', '..');
const JWT_SECRET = 'consistency-checker-secret-0123456789';
const POSTGRES_URL = process.env.CHECK_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const OUTAGE_TTL_MS = 1000; // CACHE_OUTAGE_TTL_MS's default
const STATEMENT_TIMEOUT_MS = 5000;

// ---------------------------------------------------------------- arguments and profile

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const PROFILE = option('--profile') ?? 'full';
/** Gateways without the in-process tier: Redis is the only tier, and the bounds are stricter. */
const REDIS_ONLY = flag('--redis-only');
/** Gateways on a Redis Cluster: the phases that stop, restore or reconfigure the one Redis do not run. */
const CLUSTER = flag('--cluster');
const PROFILES = {
  ci: { minReads: 50_000, phaseMs: 5000, datasets: 40, readers: 24 },
  full: { minReads: 200_000, phaseMs: 14_000, datasets: 80, readers: 24 },
} as const;
const profile = PROFILES[PROFILE as keyof typeof PROFILES];
if (!profile) throw new Error(`--profile ${PROFILE}: use ci or full`);

const t0 = performance.now();
const now = () => performance.now();
const elapsed = () => `${((now() - t0) / 1000).toFixed(1)}s`;
const say = (msg: string) => process.stdout.write(`[${elapsed()}] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- processes

class OwnRedis {
  proc?: ChildProcess;
  constructor(
    readonly port: number,
    readonly dir: string,
  ) {}
  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.proc = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes'],
      { stdio: 'ignore' },
    );
    const proc = this.proc;
    children.add(proc);
    proc.once('exit', () => children.delete(proc));
    const deadline = now() + 10_000;
    for (;;) {
      const probe = new Redis(this.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        if (now() > deadline) throw new Error('redis-server did not start');
        await sleep(50);
      }
    }
  }
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode) return;
    p.kill('SIGCONT');
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }
  signal(sig: NodeJS.Signals) {
    this.proc?.kill(sig);
  }
}

/** Every process the checker started, so that an interrupted run stops them (by PID) too. */
const children = new Set<ChildProcess>();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    for (const c of children) {
      c.kill('SIGCONT');
      c.kill('SIGKILL');
    }
    process.exit(130);
  });
}

interface GatewayProc {
  name: string;
  url: string;
  proc: ChildProcess;
  /** Set when the process ended without being asked to. */
  crashed?: string;
  stopping: boolean;
}

async function startGateway(name: string, env: Record<string, string>, plant?: string): Promise<GatewayProc> {
  // The built gateway, as test/helpers/gateway-process.ts starts it; a plant needs the start script.
  const argv = plant
    ? ['-r', '@swc-node/register', path.join(ROOT, 'check', 'consistency', 'start-gateway.ts')]
    : [path.join(ROOT, 'dist', 'src', 'main.js')];
  const proc = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      JWT_SECRET,
      PORT: '0',
      SEED: '0',
      LOG_LEVEL: 'info',
      ...(plant ? { CHECK_PLANT: plant } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  const gw: GatewayProc = { name, url: '', proc, stopping: false };
  const stderr: string[] = [];
  createInterface({ input: proc.stderr! }).on('line', (l) => {
    stderr.push(l);
    if (stderr.length > 50) stderr.shift();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr.join('\n')}`)), 120_000);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      // src/main.ts's banner, or start-gateway.ts's (which names its plant).
      const m = /cachegate ready: GraphQL at http:\/\/localhost:(\d+)\/graphql/.exec(line) ?? /"port":(\d+).*cachegate ready/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
      if (/Unhandled|uncaught/i.test(line)) gw.crashed = line.slice(0, 200);
    });
    proc.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${stderr.join('\n')}`)));
  });
  proc.on('exit', (code, sig) => {
    if (!gw.stopping)
      gw.crashed = `exited with ${code ?? sig}: ${stderr
        .filter((l) => /error|at /i.test(l))
        .slice(0, 6)
        .join(' | ')
        .slice(0, 1200)}`;
  });
  gw.url = `http://127.0.0.1:${port}`;
  return gw;
}

async function stopGateway(gw: GatewayProc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  gw.stopping = true;
  if (gw.proc.exitCode !== null || gw.proc.signalCode) return;
  await new Promise<void>((resolve) => {
    gw.proc.once('exit', () => resolve());
    gw.proc.kill(signal);
  });
}

// ---------------------------------------------------------------- HTTP

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

interface Answer {
  status: number;
  body?: any;
  error?: string;
  /** The x-cache header: HIT, MISS or BYPASS for the whole response. */
  cache?: string;
}

function post(url: string, body: unknown, token?: string, timeoutMs = 15_000): Promise<Answer> {
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = http.request(
      `${url}/graphql`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
              cache: res.headers['x-cache'] as string | undefined,
            });
          } catch {
            resolve({ status: res.statusCode ?? 0, error: `http ${res.statusCode} (not JSON)` });
          }
        });
        res.on('error', (err) => resolve({ status: 0, error: (err as NodeJS.ErrnoException).code ?? 'network' }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'client-timeout' })));
    req.on('error', (err) => resolve({ status: 0, error: (err as NodeJS.ErrnoException).code ?? 'network' }));
    req.end(payload);
  });
}

/** The class an answer's failure falls in, or undefined when it carries data. */
function errorClass(a: Answer): string | undefined {
  if (a.error) return a.error;
  const code = a.body?.errors?.[0]?.extensions?.code;
  if (code) return String(code);
  if (a.status !== 200) return `http ${a.status}`;
  return undefined;
}

// ---------------------------------------------------------------- the model of what was written

const READ_DATASET = 'query Read($id: ID!) { dataset(id: $id) { id rowCount statistics { column count } } }';
const READ_PROGRESS = '{ myProgress { userId completedCount } }';
const APPEND = 'mutation Append($id: ID!, $csv: String!) { appendDatasetRows(id: $id, csv: $csv) { id rowCount } }';
const rowsCsv = (n: number, seed: number) => ['x,y', ...Array.from({ length: n }, (_, i) => `${seed + i},${(seed * 7 + i) % 13}`)].join('\n');

/** What must be visible: versions with the time (on our clock) from which a read must show them. */
interface Visible {
  version: number;
  at: number;
  /** 'ack': the gateway acknowledged the write; 'commit': it was committed without an acknowledgement. */
  kind: 'ack' | 'commit';
}

class Model {
  readonly visible = new Map<string, Visible[]>();
  require(id: string, v: Visible) {
    const list = this.visible.get(id) ?? [];
    list.push(v);
    this.visible.set(id, list);
  }
  /** The newest version that must be visible to a read started at t, and since when. */
  required(id: string, t: number): Visible | undefined {
    let best: Visible | undefined;
    for (const v of this.visible.get(id) ?? []) if (v.at <= t && (!best || v.version > best.version)) best = v;
    return best;
  }
  /** When the first version newer than seen became required (how long the read was stale). */
  staleSince(id: string, seen: number, t: number): Visible | undefined {
    let first: Visible | undefined;
    for (const v of this.visible.get(id) ?? []) if (v.version > seen && v.at <= t && (!first || v.at < first.at)) first = v;
    return first;
  }
}

/** Zipf(s) over n keys by inverse CDF. */
function zipf(n: number, s = 1.1): () => number {
  const cdf: number[] = [];
  let sum = 0;
  for (let k = 1; k <= n; k++) cdf.push((sum += 1 / k ** s));
  return () => {
    const u = Math.random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

// ---------------------------------------------------------------- phase statistics

interface PhaseStats {
  name: string;
  reads: number;
  stale: number;
  staleBeyond: number;
  worstStaleMs: number;
  nonMonotonic: number;
  nonMonotonicBeyond: number;
  torn: number;
  /** Torn responses whose older part was stale beyond the bound. */
  tornBeyond: number;
  leaks: number;
  slow: number;
  writes: number;
  errors: Map<string, number>;
  latencies: number[];
  /** When each stale read started, and how stale it was: judged against the fault window once the phase ends. */
  staleEvents: { t: number; end: number; ms: number; kind: Visible['kind']; torn: boolean; detail: string }[];
  nonMonotonicEvents: { t: number; end: number; ms: number; detail: string }[];
  crashes: string[];
  notes: string[];
}

const newStats = (name: string): PhaseStats => ({
  name,
  reads: 0,
  stale: 0,
  staleBeyond: 0,
  worstStaleMs: 0,
  nonMonotonic: 0,
  nonMonotonicBeyond: 0,
  torn: 0,
  tornBeyond: 0,
  leaks: 0,
  slow: 0,
  writes: 0,
  errors: new Map(),
  latencies: [],
  staleEvents: [],
  nonMonotonicEvents: [],
  crashes: [],
  notes: [],
});

// ---------------------------------------------------------------- the world

interface World {
  /** The one Redis and a connection to it; absent on a cluster (--cluster). */
  single?: { redis: Redis; own: OwnRedis };
  cluster?: OwnRedisCluster;
  pgProxy: TcpProxy;
  admin: Client;
  dbUrl: string;
  gateways: GatewayProc[];
  gatewayEnv: Record<string, string>;
  plant?: string;
  datasetIds: string[];
  users: { id: string; token: string }[];
  writerToken: string;
  adminToken: string;
  model: Model;
}

/** One load process: readers and writers on the same clock, judging as they go. */
class Load {
  stats: PhaseStats = newStats('-');
  /** The self-test ends a phase as soon as the planted bug shows. */
  caught: (s: PhaseStats) => boolean = () => false;
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly lastSeen = new Map<string, { version: number; at: number; where: string }>();
  private readonly pick: () => number;
  private writeSeq = 1_000_000;

  constructor(private readonly w: World) {
    this.pick = zipf(w.datasetIds.length);
  }

  start(readers: number, writers: number) {
    this.running = true;
    for (let c = 0; c < readers; c++) this.loops.push(this.reader(c));
    for (let c = 0; c < writers; c++) this.loops.push(this.writer());
  }

  async stop() {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  private live(): GatewayProc[] {
    return this.w.gateways.filter((g) => !g.stopping && g.proc.exitCode === null && !g.proc.signalCode);
  }

  private async reader(client: number) {
    while (this.running) {
      const gws = this.live();
      if (gws.length === 0) {
        await sleep(20);
        continue;
      }
      const gw = gws[Math.floor(Math.random() * gws.length)];
      // One read in ten is PRIVATE: a user's progress, or anonymous asking for it.
      if (client % 8 === 7) await this.readPrivate(gw, client);
      else await this.readDataset(gw, client);
    }
  }

  private async readDataset(gw: GatewayProc, client: number) {
    const id = this.w.datasetIds[this.pick()];
    const started = now();
    const a = await post(gw.url, { query: READ_DATASET, variables: { id } });
    const ended = now();
    const s = this.stats;
    s.latencies.push(ended - started);
    if (ended - started > STATEMENT_TIMEOUT_MS + 1000) s.slow++;
    const err = errorClass(a);
    if (err) {
      s.errors.set(err, (s.errors.get(err) ?? 0) + 1);
      return;
    }
    const d = a.body.data?.dataset;
    if (!d) {
      s.errors.set('no data', (s.errors.get('no data') ?? 0) + 1);
      return;
    }
    s.reads++;
    // Every column has a value in every row: a count other than rowCount comes from another
    // version. Such a torn response is judged by its older part: stale if that part is.
    const counts: number[] = d.statistics.map((c: { count: number }) => c.count);
    const torn = counts.some((c) => c !== d.rowCount);
    if (torn) s.torn++;
    const version = Math.min(d.rowCount, ...counts);
    const need = this.w.model.required(id, started);
    if (need && version < need.version) {
      s.stale++;
      const since = this.w.model.staleSince(id, version, started)!;
      const ms = started - since.at;
      s.worstStaleMs = Math.max(s.worstStaleMs, ms);
      const detail = `dataset ${id} on ${gw.name} (x-cache ${a.cache ?? '-'}): saw rowCount ${d.rowCount} and count ${counts[0]}, ${need.version} required`;
      s.staleEvents.push({ t: started, end: ended, ms, kind: since.kind, torn, detail });
    }
    const key = `${client}:${id}`;
    const last = this.lastSeen.get(key);
    const where = `${gw.name} (x-cache ${a.cache ?? '-'})`;
    if (last && version < last.version) {
      s.nonMonotonic++;
      const acked = this.w.model.visible.get(id)?.some((v) => v.version >= last.version) ?? false;
      const detail = `dataset ${id}: ${version} on ${where} after ${last.version} on ${last.where}, a version ${acked ? 'acknowledged' : 'no gateway acknowledged'}`;
      s.nonMonotonicEvents.push({ t: started, end: ended, ms: started - last.at, detail });
    }
    if (!last || version >= last.version) this.lastSeen.set(key, { version, at: ended, where });
  }

  private async readPrivate(gw: GatewayProc, client: number) {
    const s = this.stats;
    const anonymous = Math.random() < 0.2;
    const user = this.w.users[(client + Math.floor(Math.random() * this.w.users.length)) % this.w.users.length];
    const started = now();
    const a = await post(gw.url, { query: READ_PROGRESS }, anonymous ? undefined : user.token);
    s.latencies.push(now() - started);
    const userId = a.body?.data?.myProgress?.userId;
    if (anonymous) {
      if (userId !== undefined) s.leaks++;
      return;
    }
    const err = errorClass(a);
    if (err) {
      s.errors.set(err, (s.errors.get(err) ?? 0) + 1);
      return;
    }
    s.reads++;
    if (userId !== user.id) s.leaks++;
  }

  private async writer() {
    while (this.running) {
      const gws = this.live();
      if (gws.length === 0) {
        await sleep(20);
        continue;
      }
      const gw = gws[Math.floor(Math.random() * gws.length)];
      // The hottest QUIET datasets are written only by the phases that write behind the gateways'
      // back: another write would invalidate them and hide what the phase is after.
      const id = this.w.datasetIds[Math.max(this.pick(), QUIET)];
      const a = await post(gw.url, { query: APPEND, variables: { id, csv: rowsCsv(1, this.writeSeq++) } }, this.w.writerToken);
      const acked = now();
      const err = errorClass(a);
      if (err) {
        this.stats.errors.set(`write ${err}`, (this.stats.errors.get(`write ${err}`) ?? 0) + 1);
        continue;
      }
      this.stats.writes++;
      this.w.model.require(id, { version: a.body.data.appendDatasetRows.rowCount, at: acked, kind: 'ack' });
      // About 8 writes a second: enough to race every fault, few enough to keep most reads hits.
      await sleep(100);
    }
  }
}

// ---------------------------------------------------------------- phases

interface Phase {
  name: string;
  /** Whether the phase needs the durable invalidation of issue 15 (items 1-5) to pass. */
  needsDurable?: boolean;
  /** The phase stops, restores or reconfigures the one Redis (oneRedis), so it does not run on a cluster. */
  faultsRedis?: boolean;
  /** Runs the fault while the load runs; resolves with the window [from, to] it affected. */
  fault(w: World, load: Load, ms: number): Promise<{ from: number; to: number } | void>;
  /** Staleness a read may show inside the fault window (and up to 1 s after it), in ms. */
  faultAllowanceMs?: number;
}

/** Datasets 0 .. QUIET-1 (the most read) get no writes from the load's writer. */
const QUIET = 3;
/**
 * The hottest written datasets are large: their statistics take tens of milliseconds to load, as
 * the expensive work this gateway fronts does, so a write often commits while a load of the old
 * rows is in flight. That is the window every stale-set race needs (the self-test's race plants
 * went uncaught in a minute of load over 3-row datasets, whose loads take a millisecond).
 */
const LARGE = 2;
const LARGE_ROWS = 20_000;
/** Redis as the only tier (--redis-only) allows no staleness at all when healthy; the in-process tier 50 ms across instances. */
const HEALTHY_ALLOWANCE_MS = REDIS_ONLY ? 0 : 50;
const FAULT_ALLOWANCE_MS = OUTAGE_TTL_MS + 500;

async function gatewayPorts(w: World): Promise<number[]> {
  return w.pgProxy.upstreamPorts();
}

/**
 * Writes Redis's snapshot to disk in the background. SAVE would block every client for as long as
 * it writes: a Redis stall before the phase's fault window, whose reads the healthy bound would
 * then judge (a gateway serving its in-process copies through the stall looked stale by ~1 s).
 */
async function snapshot(redis: Redis): Promise<void> {
  await redis.bgsave();
  for (;;) {
    const info = await redis.info('persistence');
    if (/rdb_bgsave_in_progress:0/.test(info)) {
      if (!/rdb_last_bgsave_status:ok/.test(info)) throw new Error('BGSAVE failed');
      return;
    }
    await sleep(20);
  }
}

/** The one Redis of a run without --cluster. */
function oneRedis(w: World): { redis: Redis; own: OwnRedis } {
  if (!w.single) throw new Error('this phase faults the one Redis: it does not run with --cluster');
  return w.single;
}

const PHASES: Phase[] = [
  {
    name: 'healthy',
    async fault(_w, load, ms) {
      const from = now();
      while (now() - from < ms && !load.caught(load.stats)) await sleep(200);
    },
  },
  {
    name: 'redis kill -9 + restart',
    faultsRedis: true,
    faultAllowanceMs: FAULT_ALLOWANCE_MS,
    async fault(w, _l, ms) {
      const { own } = oneRedis(w);
      await sleep(ms / 4);
      const from = now();
      await own.kill();
      const rdb = path.join(own.dir, 'dump.rdb');
      if (existsSync(rdb)) unlinkSync(rdb);
      await sleep(1000);
      await own.start();
      const to = now();
      await sleep(ms / 2);
      return { from, to };
    },
  },
  {
    name: 'restore from old RDB',
    faultsRedis: true,
    needsDurable: true,
    faultAllowanceMs: Infinity, // anything until 1 s after Redis is back, then 0
    async fault(w, _l, ms) {
      const { redis, own } = oneRedis(w);
      await snapshot(redis);
      const saved = path.join(own.dir, 'old.rdb');
      copyFileSync(path.join(own.dir, 'dump.rdb'), saved);
      await sleep(ms / 3);
      const from = now();
      await own.kill();
      copyFileSync(saved, path.join(own.dir, 'dump.rdb'));
      await own.start();
      const to = now();
      await sleep(ms / 2);
      return { from, to };
    },
  },
  {
    name: 'SIGSTOP 3 s',
    faultsRedis: true,
    needsDurable: true,
    faultAllowanceMs: FAULT_ALLOWANCE_MS,
    async fault(w, _l, ms) {
      const { own } = oneRedis(w);
      await sleep(ms / 5);
      const from = now();
      own.signal('SIGSTOP');
      await sleep(3000);
      own.signal('SIGCONT');
      const to = now();
      await sleep(ms / 2);
      return { from, to };
    },
  },
  {
    name: 'CLIENT PAUSE 3000 WRITE',
    faultsRedis: true,
    needsDurable: true,
    faultAllowanceMs: FAULT_ALLOWANCE_MS,
    async fault(w, _l, ms) {
      const { redis } = oneRedis(w);
      await sleep(ms / 5);
      const from = now();
      await redis.call('CLIENT', 'PAUSE', '3000', 'WRITE');
      await sleep(3000);
      const to = now();
      await sleep(ms / 2);
      return { from, to };
    },
  },
  {
    name: 'DEBUG SLEEP 0.2 every 0.5 s',
    faultsRedis: true,
    needsDurable: true,
    faultAllowanceMs: FAULT_ALLOWANCE_MS,
    async fault(w, _l, ms) {
      const { own } = oneRedis(w);
      const sleeper = new Redis(own.url, { maxRetriesPerRequest: 0 });
      sleeper.on('error', () => undefined);
      const from = now();
      while (now() - from < Math.max(3000, ms / 2)) {
        await sleeper.call('DEBUG', 'SLEEP', '0.2').catch(() => undefined);
        await sleep(300);
      }
      const to = now();
      sleeper.disconnect();
      await sleep(ms / 3);
      return { from, to };
    },
  },
  {
    name: 'CLIENT KILL TYPE pubsub',
    faultsRedis: true,
    needsDurable: true,
    faultAllowanceMs: FAULT_ALLOWANCE_MS,
    async fault(w, _l, ms) {
      // Killed again as soon as they resubscribe, for seconds: invalidations published meanwhile
      // never reach the in-process tiers, which must notice and stop serving.
      const { redis } = oneRedis(w);
      const from = now();
      while (now() - from < Math.max(3000, ms / 3)) {
        await redis.call('CLIENT', 'KILL', 'TYPE', 'pubsub').catch(() => undefined);
        await sleep(30);
      }
      const to = now();
      await sleep(ms / 2);
      return { from, to };
    },
  },
  {
    name: 'maxmemory evicting tag versions',
    faultsRedis: true,
    faultAllowanceMs: FAULT_ALLOWANCE_MS,
    async fault(w, _l, ms) {
      const { redis } = oneRedis(w);
      const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
      const from = now();
      await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
      await redis.config('SET', 'maxmemory', String(Math.max(used - 200_000, 1_500_000)));
      await sleep(ms / 2);
      await redis.config('SET', 'maxmemory', '0');
      const to = now();
      await sleep(ms / 3);
      return { from, to };
    },
  },
  {
    name: 'gateway kill -9 after commit',
    needsDurable: true,
    faultAllowanceMs: 1000,
    async fault(w, load, ms) {
      // Gateway A is replaced by one that commits and never applies (no relay); a write is sent
      // to it, and it is killed as soon as the database holds the write.
      const [a, b] = w.gateways;
      await stopGateway(a);
      const paused = await startGateway('A*', w.gatewayEnv, 'pause-after-commit');
      w.gateways = [paused, b];
      const id = w.datasetIds[0];
      const before = await rowCount(w, id);
      const from = now();
      void post(paused.url, { query: APPEND, variables: { id, csv: rowsCsv(1, 7) } }, w.writerToken);
      let after = before;
      while (after === before && now() - from < 10_000) after = await rowCount(w, id);
      const committed = now();
      await stopGateway(paused, 'SIGKILL');
      if (after === before) load.stats.notes.push('the write was not committed within 10 s: nothing to judge');
      w.model.require(id, { version: after, at: committed, kind: 'commit' });
      w.gateways = [b];
      const restarted = await startGateway('A', w.gatewayEnv, w.plant);
      w.gateways = [restarted, b];
      await sleep(ms / 2);
      return { from, to: committed };
    },
  },
  {
    name: 'direct database write',
    needsDurable: true,
    faultAllowanceMs: 1000,
    async fault(w, _l, ms) {
      const from = now();
      // A write that does not go through the gateway: a script, psql, a migration.
      for (const id of w.datasetIds.slice(1, QUIET)) {
        const version = await directAppend(w, id);
        w.model.require(id, { version, at: now(), kind: 'commit' });
      }
      const to = now();
      await sleep(ms);
      return { from, to };
    },
  },
  {
    name: 'PostgreSQL terminates connections',
    faultAllowanceMs: HEALTHY_ALLOWANCE_MS,
    async fault(w, _l, ms) {
      const from = now();
      while (now() - from < ms / 2) {
        await w.admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE client_port = ANY($1::int[])', [await gatewayPorts(w)]);
        await sleep(300);
      }
      const to = now();
      await sleep(ms / 3);
      return { from, to };
    },
  },
  {
    name: 'PostgreSQL blackhole 3 s',
    faultAllowanceMs: HEALTHY_ALLOWANCE_MS,
    async fault(w, _l, ms) {
      await sleep(ms / 5);
      const from = now();
      w.pgProxy.blackhole();
      await sleep(3000);
      w.pgProxy.heal();
      const to = now();
      await sleep(ms / 2);
      return { from, to };
    },
  },
];

/**
 * Writes that no gateway acknowledged stay stale on main until their TTL; an operator would
 * invalidate them by hand. So does the checker after each phase, so that the next phase's figures
 * are its own.
 */
async function repairCommitted(w: World): Promise<void> {
  const ids = [...w.model.visible].filter(([, vs]) => vs.some((v) => v.kind === 'commit')).map(([id]) => id);
  for (const id of ids) {
    const r = await post(
      w.gateways[0].url,
      { query: 'mutation($id: ID!) { invalidateDatasetCache(datasetId: $id) { invalidated } }', variables: { id } },
      w.adminToken,
    );
    if (errorClass(r)) say(`  could not invalidate dataset ${id} after the phase: ${errorClass(r)}`);
    const list = w.model.visible.get(id)!;
    for (const v of list) v.kind = 'ack';
  }
}

async function rowCount(w: World, id: string): Promise<number> {
  const r = await w.admin.query(`SELECT row_count FROM ${SCHEMA}.dataset WHERE id = $1`, [Number(id)]);
  return r.rows[0].row_count as number;
}

/** Appends one row the way the datasets repository does, in one transaction, behind the gateways' back. */
async function directAppend(w: World, id: string): Promise<number> {
  await w.admin.query('BEGIN');
  try {
    const [{ seq }] = (
      await w.admin.query(`SELECT coalesce(max(seq), -1) + 1 AS seq FROM ${SCHEMA}.dataset_chunk WHERE dataset_id = $1`, [Number(id)])
    ).rows;
    await w.admin.query(`INSERT INTO ${SCHEMA}.dataset_chunk (dataset_id, seq, row_count, data) VALUES ($1, $2, 1, $3::jsonb)`, [
      Number(id),
      seq,
      JSON.stringify([[424242], [5]]),
    ]);
    const r = await w.admin.query(`UPDATE ${SCHEMA}.dataset SET row_count = row_count + 1, updated_at = now() WHERE id = $1 RETURNING row_count`, [
      Number(id),
    ]);
    await w.admin.query('COMMIT');
    return r.rows[0].row_count as number;
  } catch (err) {
    await w.admin.query('ROLLBACK');
    throw err;
  }
}

// ---------------------------------------------------------------- running

const SCHEMA = `checker_${process.pid}`;

async function setUp(plant?: string): Promise<World> {
  const admin = new Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  let single: World['single'];
  let cluster: OwnRedisCluster | undefined;
  let redisEnv: Record<string, string>;
  let redisName: string;
  if (CLUSTER) {
    cluster = await OwnRedisCluster.start();
    redisEnv = { REDIS_CLUSTER_NODES: cluster.seedList };
    redisName = `Redis Cluster ${cluster.seedList}`;
  } else {
    const own = new OwnRedis(await freePort(), mkdtempSync(path.join(tmpdir(), 'cachegate-check-')));
    await own.start();
    const redis = new Redis(own.url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    single = { own, redis };
    redisEnv = { REDIS_URL: own.url };
    redisName = `redis-server on port ${own.port}`;
  }
  const target = new URL(POSTGRES_URL);
  const pgProxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
  const viaProxy = new URL(POSTGRES_URL);
  viaProxy.port = String(pgProxy.port);
  viaProxy.searchParams.set('options', `-c search_path=${SCHEMA}`);
  const gatewayEnv = {
    DATABASE_URL: viaProxy.toString(),
    ...redisEnv,
    REDIS_CACHE_PREFIX: 'check',
    ...(REDIS_ONLY ? { CACHE_L1_MAX_BYTES: '0' } : {}),
    DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
  };
  say(`${redisName}, PostgreSQL schema ${SCHEMA} through a proxy on port ${pgProxy.port}${plant ? `, plant ${plant}` : ''}`);
  // The first gateway migrates; the second starts once the tables exist.
  const a = await startGateway('A', gatewayEnv, plant);
  const b = await startGateway('B', gatewayEnv, plant);
  say(`gateways A ${a.url} and B ${b.url} (pids ${a.proc.pid}, ${b.proc.pid})`);
  const writerToken = await signToken(JWT_SECRET, { id: 'writer', role: 'user' });
  const adminToken = await signToken(JWT_SECRET, { id: 'checker', role: 'admin' });
  const users = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => ({ id: `user${i}`, token: await signToken(JWT_SECRET, { id: `user${i}`, role: 'user' }) })),
  );
  const datasetIds: string[] = [];
  for (let i = 0; i < profile.datasets; i++) {
    const r = await post(
      a.url,
      {
        query: 'mutation($n: String!, $csv: String!) { createDataset(name: $n, csv: $csv) { id } }',
        variables: { n: `d${i}`, csv: rowsCsv(i >= QUIET && i < QUIET + LARGE ? LARGE_ROWS : 3, i) },
      },
      writerToken,
    );
    if (!r.body?.data) throw new Error(`createDataset failed: ${JSON.stringify(r.body ?? r.error)}`);
    datasetIds.push(r.body.data.createDataset.id);
  }
  return {
    single,
    cluster,
    pgProxy,
    admin,
    dbUrl: viaProxy.toString(),
    gateways: [a, b],
    gatewayEnv,
    plant,
    datasetIds,
    users,
    writerToken,
    adminToken,
    model: new Model(),
  };
}

async function tearDown(w: World): Promise<void> {
  for (const g of w.gateways) await stopGateway(g).catch(() => undefined);
  w.single?.redis.disconnect();
  await w.single?.own.kill();
  await w.cluster?.stop();
  await w.pgProxy.close();
  await w.admin.query(`DROP SCHEMA ${SCHEMA} CASCADE`).catch(() => undefined);
  await w.admin.end();
  if (w.single) rmSync(w.single.own.dir, { recursive: true, force: true });
  agent.destroy();
}

async function runPhase(w: World, load: Load, phase: Phase, ms: number): Promise<PhaseStats> {
  const stats = newStats(phase.name);
  load.stats = stats;
  let window: { from: number; to: number } | undefined;
  const progress = setInterval(() => say(`  ${phase.name}: ${stats.reads} reads judged, ${stats.stale} stale, ${stats.writes} writes`), 5000);
  try {
    window = (await phase.fault(w, load, ms)) ?? undefined;
  } catch (err) {
    stats.notes.push(`fault failed: ${(err as Error).message}`);
  } finally {
    clearInterval(progress);
  }
  for (const g of w.gateways) if (g.crashed) stats.crashes.push(`${g.name}: ${g.crashed}`);
  // A crashed gateway is replaced, so later phases still run on two.
  for (let i = 0; i < w.gateways.length; i++) {
    const g = w.gateways[i];
    if (g.crashed) w.gateways[i] = await startGateway(g.name, w.gatewayEnv, w.plant);
  }
  finalize(stats, phase, window);
  await repairCommitted(w);
  return stats;
}

/**
 * Counts the stale and non-monotonic reads beyond what the phase allows (the issue's targets):
 * 50 ms across instances when healthy; for a read in flight during a fault window, or started up
 * to 1 s after it, the phase's own bound (a read sent just before the fault can be answered after
 * it began: a restore that lands while it waits for Redis). A committed write no gateway
 * acknowledged must be visible within 1 s of the commit.
 */
function finalize(s: PhaseStats, phase: Phase | undefined, window: { from: number; to: number } | undefined): void {
  const allowed = (e: { t: number; end: number }) =>
    window && e.end >= window.from && e.t <= window.to + 1000 ? (phase?.faultAllowanceMs ?? HEALTHY_ALLOWANCE_MS) : HEALTHY_ALLOWANCE_MS;
  const beyond = s.staleEvents.filter((e) => e.ms > (e.kind === 'commit' ? Math.max(1000, allowed(e)) : allowed(e)));
  s.staleBeyond = beyond.length;
  s.tornBeyond = beyond.filter((e) => e.torn).length;
  // A few of them, placed against the fault window, say where to look.
  const at = (t: number) =>
    window ? `${(t - window.from).toFixed(0)} ms after the fault began (it lasted ${(window.to - window.from).toFixed(0)} ms)` : `${t.toFixed(0)} ms`;
  for (const e of beyond.slice(0, 3).concat(beyond.length > 3 ? beyond.slice(-2) : []))
    s.notes.push(`stale ${Math.round(e.ms)} ms at ${at(e.t)}: ${e.detail}`);
  const backwards = s.nonMonotonicEvents.filter((e) => e.ms > allowed(e));
  s.nonMonotonicBeyond = backwards.length;
  for (const e of backwards.slice(0, 3)) s.notes.push(`non-monotonic after ${Math.round(e.ms)} ms at ${at(e.t)}: ${e.detail}`);
}

function judge(s: PhaseStats): boolean {
  return (
    s.staleBeyond === 0 && s.nonMonotonicBeyond === 0 && s.tornBeyond === 0 && s.leaks === 0 && s.slow === 0 && s.crashes.length === 0 && s.reads > 0
  );
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function table(all: PhaseStats[]): string {
  const rows = all.map((s) => [
    s.name,
    String(s.reads),
    String(s.writes),
    `${s.stale} (${s.staleBeyond} beyond)`,
    s.stale ? `${Math.round(s.worstStaleMs)} ms` : '-',
    `${s.nonMonotonic} (${s.nonMonotonicBeyond})`,
    `${s.torn} (${s.tornBeyond})`,
    String(s.leaks),
    [...s.errors].map(([k, v]) => `${k}:${v}`).join(' ') || '-',
    `${percentile(s.latencies, 50).toFixed(1)}/${percentile(s.latencies, 99).toFixed(1)}`,
    String(s.slow),
    String(s.crashes.length),
    judge(s) ? 'pass' : 'FAIL',
  ]);
  const head = [
    'phase',
    'reads judged',
    'writes',
    'stale',
    'worst stale',
    'non-mono',
    'torn (beyond)',
    'leaks',
    'errors by class',
    'p50/p99 ms',
    'slow',
    'crashes',
    'result',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function check(
  plant: string | undefined,
  phaseNames: string[] | undefined,
  minReads: number,
  phaseMs: number,
  caught?: (s: PhaseStats) => boolean,
): Promise<PhaseStats[]> {
  const w = await setUp(plant);
  const load = new Load(w);
  if (caught) load.caught = caught;
  const results: PhaseStats[] = [];
  try {
    // The self-test writes more often: each planted race needs writes to race with.
    load.start(profile.readers, plant ? 3 : 1);
    // Warm the caches before judging.
    await sleep(1000);
    const phases = PHASES.filter(
      (p) => (!CLUSTER || !p.faultsRedis) && (!phaseNames || phaseNames.includes(p.name) || phaseNames.some((n) => p.name.startsWith(n))),
    );
    for (const phase of phases) {
      say(`phase ${phase.name}`);
      const s = await runPhase(w, load, phase, phaseMs);
      results.push(s);
      say(
        `  ${phase.name}: ${s.reads} reads, ${s.stale} stale (${s.staleBeyond} beyond target), ${judge(s) ? 'pass' : 'FAIL'}${s.notes.map((n) => `\n    ${n}`).join('')}`,
      );
    }
    // Top up with healthy load until the profile's judged reads are reached.
    let total = results.reduce((n, s) => n + s.reads, 0);
    if (total < minReads) {
      const s = newStats('healthy (top-up)');
      load.stats = s;
      say(`phase healthy (top-up) until ${minReads} reads are judged (${total} so far)`);
      const started = now();
      while (total + s.reads < minReads && now() - started < 30 * 60_000) {
        await sleep(2000);
        say(`  top-up: ${total + s.reads} of ${minReads}`);
      }
      for (const g of w.gateways) if (g.crashed) s.crashes.push(`${g.name}: ${g.crashed}`);
      finalize(s, undefined, undefined);
      results.push(s);
      total += s.reads;
    }
  } finally {
    await load.stop();
    await tearDown(w);
  }
  return results;
}

async function main(): Promise<void> {
  const phaseNames = option('--phases')?.split(',');
  if (flag('--self-test')) return selfTest();
  say(
    `consistency check, ${PROFILE} profile${REDIS_ONLY ? ', Redis as the only tier' : ', in-process tier in front of Redis'}${CLUSTER ? ', on a 3-master Redis Cluster (the phases that fault no Redis)' : ''}: at least ${profile.minReads} judged reads, ${profile.phaseMs} ms per phase`,
  );
  const minReads = Number(option('--min-reads') ?? profile.minReads);
  const results = await check(undefined, phaseNames, minReads, Number(option('--phase-ms') ?? profile.phaseMs));
  const total = results.reduce((n, s) => n + s.reads, 0);
  process.stdout.write(`\n${table(results)}\n\n`);
  for (const s of results) for (const c of s.crashes) process.stdout.write(`crash in ${s.name}: ${c}\n`);
  const durableNeeded = results.filter((s) => !judge(s) && PHASES.find((p) => p.name === s.name)?.needsDurable).map((s) => s.name);
  if (durableNeeded.length)
    process.stdout.write(`failing phases that need durable invalidation (issue 15, items 1-5): ${durableNeeded.join(', ')}\n`);
  const enough = total >= minReads;
  process.stdout.write(`${total} reads judged (${enough ? 'enough' : `fewer than ${minReads}`}) in ${elapsed()}\n`);
  const passed = results.filter(judge).length;
  const failed = results.length - passed + (enough ? 0 : 1);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exitCode = failed ? 1 : 0;
}

/**
 * Each planted bug (test/helpers/planted-bugs.ts) must make the checker fail, in the phase that
 * exposes it: the checker is itself tested.
 */
const SELF_TEST: { plant: string; phases: string[]; expect: 'stale reads' | 'private leaks' }[] = [
  { plant: 'versions-read-after-load', phases: ['healthy'], expect: 'stale reads' },
  { plant: 'response-versions-read-after-execution', phases: ['healthy'], expect: 'stale reads' },
  { plant: 'invalidate-before-write', phases: ['healthy'], expect: 'stale reads' },
  { plant: 'private-response-key-without-user', phases: ['healthy'], expect: 'private leaks' },
  { plant: 'no-flush-on-subscription-loss', phases: ['CLIENT KILL TYPE pubsub'], expect: 'stale reads' },
  { plant: 'outbox-not-replayed', phases: ['restore from old RDB'], expect: 'stale reads' },
  { plant: 'commit-then-crash', phases: ['healthy'], expect: 'stale reads' },
  { plant: 'only-own-writes-applied', phases: ['direct database write'], expect: 'stale reads' },
];

async function selfTest(): Promise<void> {
  const { PLANTED } = await import('../../test/helpers/planted-bugs');
  const only = option('--plants')?.split(',');
  const cases = SELF_TEST.filter((c) => !only || only.includes(c.plant));
  const unknown = [...cases.map((c) => c.plant), ...(only ?? [])].filter((p) => !(p in PLANTED));
  if (unknown.length) throw new Error(`no such planted bug in test/helpers/planted-bugs.ts: ${unknown.join(', ')}`);
  let passed = 0;
  let failed = 0;
  for (const c of cases) {
    say(`self-test: plant ${c.plant}, expecting ${c.expect} in ${c.phases.join(', ')}`);
    // A healthy phase runs up to a minute of load, ended as soon as the failure the plant causes
    // shows; a fault phase runs its fault once, at twice the profile's length.
    const shows = (s: PhaseStats) => (c.expect === 'private leaks' ? s.leaks > 0 : s.staleEvents.some((e) => e.ms > HEALTHY_ALLOWANCE_MS));
    const results = await check(c.plant, c.phases, 0, c.phases[0] === 'healthy' ? 60_000 : 2 * profile.phaseMs, shows);
    process.stdout.write(`\n${table(results)}\n\n`);
    // Caught means the failure the plant causes, not any failure: a loaded machine may add others.
    const caught = results.some((s) => (c.expect === 'private leaks' ? s.leaks > 0 : s.staleBeyond > 0));
    say(`plant ${c.plant}: ${caught ? 'caught' : 'NOT caught'}`);
    if (caught) passed++;
    else failed++;
  }
  process.stdout.write(`self-test: ${passed} passed, ${failed} failed\n`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`consistency check failed to run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 2;
});
