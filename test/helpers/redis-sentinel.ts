import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePorts } from './redis';
import { TopologyNode } from './redis-cluster';

export const SENTINEL_MASTER_NAME = 'cachegate-test';

/**
 * A master, a replica and three sentinels of the test's own, on free ports in a temporary
 * folder, stopped by PID. down-after 1 s and a 3 s failover timeout make a killed master's
 * replica take over within a few seconds.
 */
export class OwnRedisSentinel {
  private constructor(
    readonly master: TopologyNode,
    readonly replica: TopologyNode,
    readonly sentinels: TopologyNode[],
    readonly dir: string,
  ) {}

  static async start(): Promise<OwnRedisSentinel> {
    const dir = mkdtempSync(path.join(tmpdir(), 'cachegate-sentinel-'));
    const base = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    const [masterPort, replicaPort, ...sentinelPorts] = await freePorts(5);
    const master = new TopologyNode(masterPort, ['--port', String(masterPort), ...base], dir);
    const replica = new TopologyNode(replicaPort, ['--port', String(replicaPort), '--replicaof', '127.0.0.1', String(masterPort), ...base], dir);
    const sentinels: TopologyNode[] = [];
    for (const port of sentinelPorts) {
      // A sentinel rewrites its config file as it learns the topology: one file each.
      const file = path.join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
          `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 3000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(new TopologyNode(port, [file, '--sentinel'], dir));
    }
    const topology = new OwnRedisSentinel(master, replica, sentinels, dir);
    try {
      await master.launch();
      await replica.launch();
      await Promise.all(sentinels.map((s) => s.launch()));
      await topology.waitReady();
    } catch (err) {
      await topology.stop();
      throw err;
    }
    return topology;
  }

  /** host:port of every sentinel, as REDIS_SENTINELS takes them. */
  get sentinelList(): string {
    return this.sentinels.map((s) => s.address).join(',');
  }

  get sentinelAddresses(): { host: string; port: number }[] {
    return this.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port }));
  }

  /** The port of the master as the sentinels name it now. */
  async masterPort(): Promise<number> {
    const c = new Redis(this.sentinels.find((s) => s.running)!.port, '127.0.0.1', { maxRetriesPerRequest: 0 });
    try {
      const [, port] = (await c.call('SENTINEL', 'get-master-addr-by-name', SENTINEL_MASTER_NAME)) as [string, string];
      return Number(port);
    } finally {
      c.disconnect();
    }
  }

  /** The node that is master now. */
  async currentMaster(): Promise<TopologyNode> {
    const port = await this.masterPort();
    return port === this.master.port ? this.master : this.replica;
  }

  /** Waits until the replica is in sync and every sentinel knows the others and the replica. */
  private async waitReady(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.ready()) return;
      if (Date.now() > deadline) throw new Error('the test sentinel topology did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async ready(): Promise<boolean> {
    const m = this.master.connect();
    try {
      const info = await m.info('replication');
      if (!/connected_slaves:1/.test(info) || !/state=online/.test(info)) return false;
    } catch {
      return false;
    } finally {
      m.disconnect();
    }
    for (const s of this.sentinels) {
      const c = s.connect();
      try {
        const master = (await c.call('SENTINEL', 'master', SENTINEL_MASTER_NAME)) as string[];
        const field = (name: string) => Number(master[master.indexOf(name) + 1]);
        if (field('num-other-sentinels') !== 2 || field('num-slaves') !== 1) return false;
      } catch {
        return false;
      } finally {
        c.disconnect();
      }
    }
    return true;
  }

  /** Kills every process by PID and removes the folder. */
  async stop(): Promise<void> {
    await Promise.all([this.master, this.replica, ...this.sentinels].map((n) => n.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
