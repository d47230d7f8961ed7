import { RedisAdminStore } from '../../src/cache/admin-store';
import { connectRedis, type RedisTopology } from '../../src/cache/redis-topology';
import { SHARED_REDIS_URL } from './redis';

/**
 * The Redis the core cache tests and race tests share. Normally the machine's Redis; the quick
 * topology profile (`npm run test:topologies`) sets CACHE_TEST_TOPOLOGY=cluster or sentinel, and
 * the global setup then starts that topology and hands its addresses over in the environment.
 */
export function sharedTopology(): RedisTopology {
  const nodes = process.env.TEST_REDIS_CLUSTER_NODES;
  if (nodes) return { kind: 'cluster', nodes: hostPorts(nodes) };
  const sentinels = process.env.TEST_REDIS_SENTINELS;
  if (sentinels) return { kind: 'sentinel', sentinels: hostPorts(sentinels), name: process.env.TEST_REDIS_SENTINEL_NAME! };
  return { kind: 'single', url: SHARED_REDIS_URL };
}

/** A name for test titles: 'redis', 'redis cluster' or 'redis sentinel'. */
export function sharedTopologyName(): string {
  const kind = sharedTopology().kind;
  return kind === 'single' ? 'redis' : `redis ${kind}`;
}

/** The gateway's settings for the shared topology. */
export function sharedRedisEnv(): Record<string, string> {
  const t = sharedTopology();
  if (t.kind === 'cluster') return { REDIS_CLUSTER_NODES: process.env.TEST_REDIS_CLUSTER_NODES! };
  if (t.kind === 'sentinel') return { REDIS_SENTINELS: process.env.TEST_REDIS_SENTINELS!, REDIS_SENTINEL_NAME: t.name };
  return { REDIS_URL: t.url };
}

/** Deletes every key under prefix on the shared topology (SCAN on every master, never FLUSH). */
export async function deleteUnderPrefix(prefix: string, topology = sharedTopology()): Promise<void> {
  const client = connectRedis(topology, { maxRetriesPerRequest: 1 });
  try {
    await new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));
    const admin = new RedisAdminStore(client);
    for await (const keys of admin.scan(`${prefix}:*`, 500)) await admin.unlink(keys);
  } finally {
    client.disconnect();
  }
}

function hostPorts(list: string): { host: string; port: number }[] {
  return list.split(',').map((hp) => {
    const [host, port] = hp.split(':');
    return { host, port: Number(port) };
  });
}
