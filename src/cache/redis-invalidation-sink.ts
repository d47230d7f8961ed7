import { isCluster, mastersOf, type RedisClient } from './redis-topology';
import type { CacheLogger } from './errors-are-misses';
import type { InvalidationSink } from './invalidation-relay';
import { type KeySpace, tagKey, watermarkKey } from './keys';
import type { Tag } from './tags';
import { newVersion, type TaggedCache } from './tagged-cache';
import type { TieredStore } from './tiered-store';
import { TAG_VERSION_TTL_SECONDS } from './ttl';

/**
 * KEYS[1] the watermark, KEYS[2..n] tag keys; ARGV[1] the log position, ARGV[2] the tags' TTL
 * in milliseconds, ARGV[3] the channel, ARGV[4] the message, ARGV[5] the position before these
 * records, ARGV[6..] the new versions. All or nothing: a Redis that has a tag's new version has
 * the watermark that covers it. The watermark moves only from at least the previous position:
 * a gap (records this Redis lost) stays visible to the relay's check, which replays it.
 */
const APPLY_SCRIPT = `
for i = 2, #KEYS do redis.call('SET', KEYS[i], ARGV[i + 4], 'PX', ARGV[2]) end
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tonumber(ARGV[1]) > current and current >= tonumber(ARGV[5]) then redis.call('SET', KEYS[1], ARGV[1]) end
if #KEYS > 1 then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
return current`;

export interface RedisInvalidationSinkOptions {
  /** A connection of the relay's own: its reconnects and run_id are the shared tier's. */
  client: RedisClient;
  space: KeySpace;
  /** The pub/sub channel every instance's in-process tier listens on. */
  channel: string;
  values: TaggedCache;
  /** This process's in-process tier, when it has one. */
  tiered?: TieredStore;
  logger: CacheLogger;
}

/**
 * Applies invalidation records to Redis with one script (new tag versions, the watermark, the
 * pub/sub message), whatever tiers this instance runs, so every instance hears every change. On
 * a cluster too: the tag versions and the watermark share one hash slot (src/cache/keys.ts), and
 * a PUBLISH from a script reaches the subscribers of every node.
 * This process's own in-process tier is invalidated at once, even when Redis did not take it
 * (so a Redis outage never leaves this instance stale); without that tier, the tags are treated
 * as changed here until Redis takes them.
 */
export class RedisInvalidationSink implements InvalidationSink {
  private runId: string | undefined;
  private readonly held = new Set<Tag>();
  private readonly reconnectListeners: (() => void)[] = [];

  constructor(private readonly opts: RedisInvalidationSinkOptions) {
    // A cluster's incarnation is its masters' run_ids together: any restart or failover changes it.
    const learn = () => {
      Promise.all(mastersOf(opts.client).map((node) => node.info('server')))
        .then((infos) => {
          const ids = infos.map((info) => /run_id:(\w+)/.exec(info)?.[1]).filter((id): id is string => Boolean(id));
          if (ids.length > 0) this.runId = ids.sort().join(',');
          for (const l of this.reconnectListeners) l();
        })
        .catch(() => undefined);
    };
    opts.client.on('ready', learn);
    // A cluster stays 'ready' through a master's failover; its new layout is the reconnect that matters.
    // (Before 'ready' the nodes are still being sorted into masters and replicas.)
    if (isCluster(opts.client)) opts.client.on('+node', () => opts.client.status === 'ready' && learn());
    if (opts.client.status === 'ready') learn();
  }

  async apply(tags: readonly Tag[], lastSeq: number, previousSeq: number): Promise<void> {
    const keys = tags.map((t) => tagKey(this.opts.space, t));
    // At once, before Redis answers: this instance never serves what the log says changed.
    this.opts.tiered?.dropLocal(keys);
    try {
      await this.opts.client.eval(
        APPLY_SCRIPT,
        1 + keys.length,
        watermarkKey(this.opts.space),
        ...keys,
        String(lastSeq),
        String(TAG_VERSION_TTL_SECONDS * 1000),
        this.opts.channel,
        JSON.stringify(keys),
        String(previousSeq),
        ...keys.map(() => newVersion()),
      );
    } catch (err) {
      if (!this.opts.tiered) {
        const fresh = tags.filter((t) => !this.held.has(t));
        for (const t of fresh) this.held.add(t);
        this.opts.values.holdUnapplied(fresh);
      }
      throw err;
    }
    // Records apply in order, so the ones that failed before are among those just applied.
    if (this.held.size > 0) {
      this.opts.values.releaseUnapplied([...this.held]);
      this.held.clear();
    }
  }

  async watermark(): Promise<number | undefined> {
    try {
      return Number((await this.opts.client.get(watermarkKey(this.opts.space))) ?? 0);
    } catch {
      return undefined;
    }
  }

  incarnation(): string | undefined {
    return this.runId;
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }
}
