import { Cluster } from 'ioredis';
import { OwnRedisCluster } from '../helpers/redis-cluster';
import { OwnRedisSentinel } from '../helpers/redis-sentinel';

// The helpers themselves: what the cluster and sentinel tests stand on.
describe('test topologies', () => {
  it('a 3-master cluster with a replica each answers across slots, and stops by PID', async () => {
    const started = Date.now();
    const cluster = await OwnRedisCluster.start();
    const startupMs = Date.now() - started;
    const client = new Cluster(cluster.seeds);
    try {
      expect(await cluster.masters()).toHaveLength(3);
      await Promise.all(['a', 'b', 'c', 'd'].map((k) => client.set(`topo:${k}`, k)));
      expect(await Promise.all(['a', 'b', 'c', 'd'].map((k) => client.get(`topo:${k}`)))).toEqual(['a', 'b', 'c', 'd']);
      expect(startupMs).toBeLessThan(15_000);
    } finally {
      client.disconnect();
      await cluster.stop();
    }
    expect(cluster.nodes.every((n) => !n.running)).toBe(true);
  });

  it('a master, a replica and three sentinels name the master', async () => {
    const topology = await OwnRedisSentinel.start();
    try {
      expect(await topology.masterPort()).toBe(topology.master.port);
    } finally {
      await topology.stop();
    }
    expect(topology.sentinels.every((n) => !n.running)).toBe(true);
  });
});
