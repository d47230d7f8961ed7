import calculateSlot from 'cluster-key-slot';
import { Cluster, Command, Redis, type RedisOptions } from 'ioredis';
import { maskRedisUrl } from './redis-url';

export interface HostPort {
  host: string;
  port: number;
}

/**
 * Where the shared tier lives: one Redis (a URL), a Redis Cluster (seed nodes), or a master
 * that Sentinels watch (commands follow it through a failover). Every connection the cache
 * opens is made from this, with options chosen for what the connection is for.
 */
export type RedisTopology =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: HostPort[]; username?: string; password?: string }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string; sentinelPassword?: string; username?: string; password?: string };

/** A connection to any topology: ioredis's Redis (single, sentinel) or Cluster, which share their commands. */
export type RedisClient = Redis | Cluster;

/** How long a cluster waits before retrying a command that met a failover or a cluster that is down, in milliseconds. */
const CLUSTER_RETRY_DELAY_MS = 50;

/** Opens a connection to the topology with the per-connection options given (see requestPathOptions). */
export function connectRedis(topology: RedisTopology, options: RedisOptions): RedisClient {
  switch (topology.kind) {
    case 'single':
      return new Redis(topology.url, options);
    case 'sentinel':
      return new Redis({
        ...options,
        sentinels: topology.sentinels,
        name: topology.name,
        sentinelPassword: topology.sentinelPassword,
        username: topology.username,
        password: topology.password,
        // Reconnect as soon as the sentinels announce a new master (+switch-master), not when the old one's socket times out.
        failoverDetector: true,
        sentinelRetryStrategy: (attempt) => options.retryStrategy?.(attempt) ?? null,
      });
    case 'cluster': {
      const { enableOfflineQueue, enableAutoPipelining, retryStrategy, ...perNode } = options;
      return new Cluster(topology.nodes, {
        redisOptions: { ...perNode, username: topology.username, password: topology.password },
        enableOfflineQueue,
        enableAutoPipelining,
        clusterRetryStrategy: retryStrategy ? (attempt) => retryStrategy(attempt) : undefined,
        // Reads and writes go to masters: a replica may lag behind an invalidation.
        scaleReads: 'master',
        // MOVED/ASK are followed a few times; a failover or a down cluster retries soon, and
        // the request path's deadline (withDeadline) bounds the whole wait.
        maxRedirections: 4,
        retryDelayOnMoved: 0,
        retryDelayOnFailover: CLUSTER_RETRY_DELAY_MS,
        retryDelayOnClusterDown: CLUSTER_RETRY_DELAY_MS,
        retryDelayOnTryAgain: CLUSTER_RETRY_DELAY_MS,
        slotsRefreshTimeout: 1000,
        // Learns a promotion within seconds even when no command met a MOVED.
        slotsRefreshInterval: 2000,
      });
    }
  }
}

/**
 * Closes a connection for good: QUIT (pending replies are still read), then disconnect. QUIT
 * alone ends the socket but not what ioredis keeps beside it: with Sentinel, the connections to
 * every sentinel that listen for +switch-master stay open and, once the sentinels go away,
 * reconnect forever (a process that never exits).
 */
export async function closeRedis(client: RedisClient): Promise<void> {
  await client.quit().catch(() => undefined);
  client.disconnect();
}

/** The topology for logs and health answers, passwords left out. */
export function describeTopology(topology: RedisTopology): string {
  switch (topology.kind) {
    case 'single':
      return maskRedisUrl(topology.url);
    case 'cluster':
      return `redis-cluster://${topology.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
    case 'sentinel':
      return `redis-sentinel://${topology.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}/${topology.name}`;
  }
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/** The masters to run a per-node command on (SCAN, INFO): every master of a cluster, or the one Redis. */
export function mastersOf(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}

/** Positions of keys that share one hash slot: one multi-key command each on a cluster. */
export interface SlotGroup {
  keys: string[];
  /** indexes[i] is the position of keys[i] in the caller's list. */
  indexes: number[];
}

/**
 * keys grouped by hash slot, so a multi-key command (MGET, UNLINK) never spans slots
 * (CROSSSLOT). On one Redis, one group of them all.
 */
export function slotGroups(client: RedisClient, keys: readonly string[]): SlotGroup[] {
  if (!isCluster(client)) return [{ keys: [...keys], indexes: keys.map((_, i) => i) }];
  const bySlot = new Map<number, SlotGroup>();
  keys.forEach((key, i) => {
    const slot = calculateSlot(key);
    let group = bySlot.get(slot);
    if (!group) bySlot.set(slot, (group = { keys: [], indexes: [] }));
    group.keys.push(key);
    group.indexes.push(i);
  });
  return [...bySlot.values()];
}

/**
 * MGET over any topology: one MGET per slot group, answered in the caller's order. Each is sent
 * as it is made: the request path gathers its reads first (read-batch.ts), and auto-pipelining
 * would hold the command for one more turn of the event loop.
 */
export async function mgetBuffers(client: RedisClient, keys: readonly string[]): Promise<(Buffer | null)[]> {
  if (keys.length === 0) return [];
  const groups = slotGroups(client, keys);
  if (groups.length === 1) return mgetNow(client, groups[0].keys);
  const replies = await Promise.all(groups.map((g) => mgetNow(client, g.keys)));
  const out: (Buffer | null)[] = new Array(keys.length);
  groups.forEach((g, gi) => g.indexes.forEach((at, i) => (out[at] = replies[gi][i])));
  return out;
}

function mgetNow(client: RedisClient, keys: string[]): Promise<(Buffer | null)[]> {
  return client.sendCommand(new Command('mget', keys, { replyEncoding: null })) as Promise<(Buffer | null)[]>;
}

/** UNLINK over any topology, one command per slot group; resolves with how many keys existed. */
export async function unlinkKeys(client: RedisClient, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const counts = await Promise.all(slotGroups(client, keys).map((g) => client.unlink(...g.keys)));
  return counts.reduce((a, b) => a + b, 0);
}
