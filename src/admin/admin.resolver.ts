import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, Info, Mutation, Query, Resolver } from 'type-graphql';
import type { HealthReport, InvalidationReport, StatsReport, EntryReport } from '../cache/cache-admin';
import { hitRate } from '../cache/stats';
import { Authorized } from '../graphql/authorization';
import type { User } from '../identity';
import { adminOf } from './admin-context';
import {
  DryRunArgs,
  InvalidateDatasetArgs,
  InvalidateKeyArgs,
  InvalidateModelArgs,
  InvalidatePatternArgs,
  InvalidateTagsArgs,
  InvalidateUserArgs,
} from './admin.args';
import { CacheEntryInfo, CacheHealth, CacheStats, InvalidationResult } from './admin.type';

interface AdminContext {
  user?: User;
}

/**
 * Cache stats, health and invalidation. Every field but cacheHealth needs role admin, checked
 * (by @Authorized, the outermost wrapper) before a resolver here runs, so a refused request
 * touches no cache key. Every mutation is logged at info with the admin's user id.
 */
@Resolver()
export class CacheAdminResolver {
  @Authorized('admin')
  @Query(() => CacheStats, { description: 'Cache counters for the whole deployment, sizes and key count (admin)' })
  async cacheStats(@Info() info: GraphQLResolveInfo): Promise<CacheStats> {
    return toCacheStats(await adminOf(info).cache.stats());
  }

  @Query(() => CacheHealth, { description: 'Whether the cache can serve, the circuit state and the Redis round trip' })
  async cacheHealth(@Info() info: GraphQLResolveInfo): Promise<CacheHealth> {
    return toCacheHealth(await adminOf(info).cache.health());
  }

  @Authorized('admin')
  @Query(() => CacheEntryInfo, {
    nullable: true,
    description: 'One key under this gateway’s prefix read back: TTL, size, tags and whether each is current (admin)',
  })
  async cacheEntry(@Arg('key') key: string, @Info() info: GraphQLResolveInfo): Promise<CacheEntryInfo> {
    return toCacheEntryInfo(await adminOf(info).cache.entry(key));
  }

  @Authorized('admin')
  @Mutation(() => InvalidationResult, { description: 'Gives tags a new version: every entry depending on one becomes a miss (admin)' })
  invalidateCacheTags(
    @Args() { tags, dryRun }: InvalidateTagsArgs,
    @Ctx() ctx: AdminContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<InvalidationResult> {
    return audited(info, ctx, 'invalidateCacheTags', { tagCount: tags.length, tags: tags.slice(0, 20) }, (cache) =>
      cache.invalidateTags(tags, { dryRun: dryRun ?? false }),
    );
  }

  @Authorized('admin')
  @Mutation(() => InvalidationResult, { description: 'Deletes one key under this gateway’s prefix (admin)' })
  invalidateCacheKey(
    @Args() { key, dryRun }: InvalidateKeyArgs,
    @Ctx() ctx: AdminContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<InvalidationResult> {
    return audited(info, ctx, 'invalidateCacheKey', { key }, (cache) => cache.invalidateKey(key, { dryRun: dryRun ?? false }));
  }

  @Authorized('admin')
  @Mutation(() => InvalidationResult, { description: 'Deletes the keys whose part after "{prefix}:" matches a Redis glob (SCAN, UNLINK) (admin)' })
  invalidateCachePattern(
    @Args() { pattern, dryRun }: InvalidatePatternArgs,
    @Ctx() ctx: AdminContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<InvalidationResult> {
    return audited(info, ctx, 'invalidateCachePattern', { pattern }, (cache) => cache.invalidatePattern(pattern, { dryRun: dryRun ?? false }));
  }

  @Authorized('admin')
  @Mutation(() => InvalidationResult, { description: 'Invalidates the tag User:{id} and deletes every PRIVATE entry of the user (admin)' })
  invalidateUserCache(
    @Args() { userId, dryRun }: InvalidateUserArgs,
    @Ctx() ctx: AdminContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<InvalidationResult> {
    return audited(info, ctx, 'invalidateUserCache', { userId }, (cache) => cache.invalidateUser(userId, { dryRun: dryRun ?? false }));
  }

  // The same tags the domains' own mutations invalidate (a model run's id in its canonical form).
  @Authorized('admin')
  @Mutation(() => InvalidationResult, { description: 'Invalidates everything computed from one dataset (the tag Dataset:{id}) (admin)' })
  invalidateDatasetCache(
    @Args() { datasetId, dryRun }: InvalidateDatasetArgs,
    @Ctx() ctx: AdminContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<InvalidationResult> {
    return audited(info, ctx, 'invalidateDatasetCache', { datasetId }, (cache) =>
      cache.invalidateTags([adminOf(info).entityTag('Dataset', datasetId)], { dryRun: dryRun ?? false }),
    );
  }

  @Authorized('admin')
  @Mutation(() => InvalidationResult, { description: 'Invalidates everything computed from one model run (the tag ModelRun:{id}) (admin)' })
  invalidateModelCache(
    @Args() { modelRunId, dryRun }: InvalidateModelArgs,
    @Ctx() ctx: AdminContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<InvalidationResult> {
    return audited(info, ctx, 'invalidateModelCache', { modelRunId }, (cache) =>
      cache.invalidateTags([adminOf(info).entityTag('ModelRun', modelRunId)], { dryRun: dryRun ?? false }),
    );
  }

  @Authorized('admin')
  @Mutation(() => InvalidationResult, { description: 'Deletes every cache key of this gateway’s prefix, and nothing else (admin)' })
  clearCache(@Args() { dryRun }: DryRunArgs, @Ctx() ctx: AdminContext, @Info() info: GraphQLResolveInfo): Promise<InvalidationResult> {
    return audited(info, ctx, 'clearCache', {}, (cache) => cache.clear({ dryRun: dryRun ?? false }));
  }

  @Authorized('admin')
  @Mutation(() => CacheStats, { description: 'Zeroes the counters of the whole deployment; answers with the stats after it (admin)' })
  async resetCacheStats(@Ctx() ctx: AdminContext, @Info() info: GraphQLResolveInfo): Promise<CacheStats> {
    const { cache, logger } = adminOf(info);
    await cache.resetStats();
    logger.info({ admin: ctx.user?.id, mutation: 'resetCacheStats' }, 'cache stats reset by an admin');
    return toCacheStats(await cache.stats());
  }
}

/** Runs an invalidation and logs who did what, with what result. */
async function audited(
  info: GraphQLResolveInfo,
  ctx: AdminContext,
  mutation: string,
  args: Record<string, unknown>,
  run: (cache: ReturnType<typeof adminOf>['cache']) => Promise<InvalidationReport>,
): Promise<InvalidationResult> {
  const { cache, logger } = adminOf(info);
  let report: InvalidationReport;
  try {
    report = await run(cache);
  } catch (err) {
    logger.info({ admin: ctx.user?.id, mutation, ...args, error: (err as Error).message }, 'cache invalidation by an admin failed');
    throw err;
  }
  logger.info(
    { admin: ctx.user?.id, mutation, ...args, dryRun: report.dryRun, invalidated: report.invalidated, deletedKeys: report.deletedKeys },
    report.dryRun ? 'cache invalidation dry run by an admin' : 'cache invalidated by an admin',
  );
  return report;
}

export function toCacheStats(r: StatsReport): CacheStats {
  const c = r.counters;
  return {
    backend: r.backend,
    scope: r.scope,
    redisAvailable: r.redisAvailable,
    hits: c.hits,
    misses: c.misses,
    sets: c.sets,
    totalRequests: c.hits + c.misses,
    deletes: c.invalidations + c.deletes,
    invalidatedTags: c.invalidations,
    deletedKeys: c.deletes,
    errors: c.errors,
    oversize: c.oversize,
    staleServed: c.staleServed,
    computations: c.computations,
    hitRate: hitRate(c.hits, c.misses),
    uptimeSeconds: r.uptimeSeconds,
    sinceResetSeconds: r.sinceResetSeconds,
    countsLost: r.lost !== null,
    countsLostAt: r.lost ? new Date(r.lost.at) : null,
    redisMaxMemoryPolicy: r.redis?.policy || null,
    redisKeyspaceHits: finiteOrNull(r.redis?.keyspaceHits),
    redisKeyspaceMisses: finiteOrNull(r.redis?.keyspaceMisses),
    redisEvictedKeys: finiteOrNull(r.redis?.evictedKeys),
    l1Entries: r.l1Entries,
    l1Bytes: r.l1Bytes,
    redisUsedMemoryBytes: r.redisUsedMemoryBytes,
    redisUsedMemoryHuman: r.redisUsedMemoryHuman,
    keyCount: r.keyCount,
    fields: Object.entries(c.fields)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([coordinate, f]) => ({
        coordinate,
        hits: f.hits,
        misses: f.misses,
        hitRate: hitRate(f.hits, f.misses),
        avgHitMs: f.hits > 0 ? f.hitMs / f.hits : null,
        avgMissMs: f.misses > 0 ? f.missMs / f.misses : null,
      })),
  };
}

function toCacheHealth(r: HealthReport): CacheHealth {
  return {
    healthy: r.healthy,
    backend: r.backend,
    circuit: r.circuit,
    tiered: r.tiered,
    redis: r.redis,
    ...r.numbers,
    invalidation: r.invalidation && {
      ...r.invalidation,
      lastCatchUp: r.invalidation.lastCatchUp && { ...r.invalidation.lastCatchUp, at: r.invalidation.lastCatchUp.at.toISOString() },
    },
  };
}

const finiteOrNull = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);

function toCacheEntryInfo(r: EntryReport): CacheEntryInfo {
  return {
    key: r.key,
    kind: r.kind,
    exists: r.exists,
    ttlSeconds: r.ttlSeconds,
    bytes: r.bytes,
    compressed: r.compressed,
    tags: r.tags,
    tagStates: r.tagStates,
    createdAt: r.createdAt === null ? null : new Date(r.createdAt),
    freshUntil: r.freshUntil === null ? null : new Date(r.freshUntil),
  };
}
