import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePorts, portOpen } from './redis';

const run = promisify(execFile);

/** Every redis-server a topology helper started, killed if the test process exits without stopping them. */
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const proc of started) if (proc.exitCode === null) proc.kill('SIGKILL');
});

/** One redis-server (or sentinel) of a topology, on its own port, stopped by its PID. */
export class TopologyNode {
  private proc?: ChildProcess;

  constructor(
    readonly port: number,
    private readonly args: string[],
    readonly dir: string,
  ) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return Boolean(this.proc && this.proc.exitCode === null && this.proc.signalCode === null);
  }

  /** (Re)starts the process with the same arguments (and the same config files, so a cluster node rejoins) and waits for its port. */
  async launch(): Promise<void> {
    const proc = spawn('redis-server', this.args, { stdio: 'ignore', cwd: this.dir });
    started.add(proc);
    proc.once('exit', () => started.delete(proc));
    this.proc = proc;
    const deadline = Date.now() + 10_000;
    while (!(await portOpen(this.port))) {
      if (proc.exitCode !== null) throw new Error(`redis-server ${this.args.join(' ')} exited with ${proc.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SIGKILL, as a crash would: no shutdown, no failover handed over. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }

  /** A plain connection to this node alone (close it with disconnect()). */
  connect(): Redis {
    return new Redis(this.port, '127.0.0.1', { maxRetriesPerRequest: 0, lazyConnect: false, retryStrategy: () => null });
  }
}

export interface ClusterOptions {
  /** Masters; each gets one replica. Default 3. */
  masters?: number;
  /** cluster-node-timeout in milliseconds: how long a silent master takes to be failed over. Default 1000. */
  nodeTimeoutMs?: number;
}

/**
 * A Redis Cluster of the test's own: N masters and N replicas on free ports in a temporary
 * folder, built with `redis-cli --cluster create`, stopped by PID. A short node timeout makes a
 * killed master fail over in about two seconds.
 */
export class OwnRedisCluster {
  private constructor(
    readonly nodes: TopologyNode[],
    readonly dir: string,
  ) {}

  static async start(opts: ClusterOptions = {}): Promise<OwnRedisCluster> {
    const masters = opts.masters ?? 3;
    const dir = mkdtempSync(path.join(tmpdir(), 'cachegate-cluster-'));
    const nodes: TopologyNode[] = [];
    // Each node's port and bus port, all distinct.
    const ports = await freePorts(masters * 4);
    for (let i = 0; i < masters * 2; i++) {
      // The bus port is set explicitly: port + 10000 (Redis's default) may not exist above 55535.
      const [port, busPort] = ports.slice(i * 2, i * 2 + 2);
      const args = [
        '--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1',
        '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
        '--cluster-node-timeout', String(opts.nodeTimeoutMs ?? 1000),
        // A replica may take over even when it lost contact with its master a while ago.
        '--cluster-replica-validity-factor', '0',
        '--save', '', '--appendonly', 'no', '--dir', dir,
      ]; // prettier-ignore
      nodes.push(new TopologyNode(port, args, dir));
    }
    const cluster = new OwnRedisCluster(nodes, dir);
    try {
      await Promise.all(nodes.map((n) => n.launch()));
      await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => n.address), '--cluster-replicas', '1', '--cluster-yes'], {
        timeout: 30_000,
      });
      await cluster.waitHealthy();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** host:port of every node, as REDIS_CLUSTER_NODES takes them. */
  get seedList(): string {
    return this.nodes.map((n) => n.address).join(',');
  }

  get seeds(): { host: string; port: number }[] {
    return this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
  }

  /** The running nodes that are masters now, as they answer ROLE. */
  async masters(): Promise<TopologyNode[]> {
    const out: TopologyNode[] = [];
    for (const node of this.nodes.filter((n) => n.running)) {
      const c = node.connect();
      try {
        const [role] = (await c.role()) as [string];
        if (role === 'master') out.push(node);
      } catch {
        // A node that does not answer is no master.
      } finally {
        c.disconnect();
      }
    }
    return out;
  }

  /** The master that serves key's slot now. */
  async masterOf(key: string): Promise<TopologyNode> {
    const first = this.nodes.find((n) => n.running)!.connect();
    try {
      const slot = await first.cluster('KEYSLOT', key);
      const shards = await first.cluster('SLOTS');
      const owner = shards.find(([from, to]) => slot >= from && slot <= to)!;
      return this.nodes.find((n) => n.port === owner[2][1])!;
    } finally {
      first.disconnect();
    }
  }

  /** Waits until every running node says cluster_state:ok and sees as many masters as it should. */
  async waitHealthy(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const want = this.nodes.length / 2;
    for (;;) {
      if (await this.healthy(want)) return;
      if (Date.now() > deadline) throw new Error('the test cluster did not become healthy');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async healthy(wantMasters: number): Promise<boolean> {
    for (const node of this.nodes.filter((n) => n.running)) {
      const c = node.connect();
      try {
        const info = await c.cluster('INFO');
        if (!/cluster_state:ok/.test(info)) return false;
        const size = Number(/cluster_size:(\d+)/.exec(info)?.[1]);
        if (size !== wantMasters) return false;
      } catch {
        return false;
      } finally {
        c.disconnect();
      }
    }
    return true;
  }

  /** Sums INFO commandstats calls over every running master (since the last resetStats). */
  async commandCalls(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const node of await this.masters()) {
      const c = node.connect();
      try {
        const info = await c.info('commandstats');
        for (const m of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) {
          if (m[1] === 'info' || m[1].startsWith('config') || m[1].startsWith('cluster') || m[1] === 'role') continue;
          out[m[1]] = (out[m[1]] ?? 0) + Number(m[2]);
        }
      } finally {
        c.disconnect();
      }
    }
    return out;
  }

  async resetStats(): Promise<void> {
    for (const node of await this.masters()) {
      const c = node.connect();
      try {
        await c.config('RESETSTAT');
      } finally {
        c.disconnect();
      }
    }
  }

  /** Kills every node by PID and removes the folder. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
