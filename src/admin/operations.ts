/**
 * The GraphQL operations the admin tools send (the `cachegate` CLI and the /dashboard page):
 * written once, here. The dashboard receives them as /dashboard/assets/operations.js.
 */

const STATS_FIELDS =
  'backend scope redisAvailable totalRequests hits misses sets deletes invalidatedTags deletedKeys errors oversize staleServed computations hitRate ' +
  'uptimeSeconds sinceResetSeconds countsLost countsLostAt l1Entries l1Bytes redisUsedMemoryBytes redisUsedMemoryHuman redisMaxMemoryPolicy ' +
  'redisKeyspaceHits redisKeyspaceMisses redisEvictedKeys keyCount fields { coordinate hits misses hitRate avgHitMs avgMissMs }';
const RESULT_FIELDS = 'invalidated tags deletedKeys dryRun';

/** Each invalidation mutation with its target argument and that argument's type; clearCache has none. */
const INVALIDATIONS = {
  invalidateCacheTags: { arg: 'tags', type: '[String!]!' },
  invalidateCachePattern: { arg: 'pattern', type: 'String!' },
  invalidateCacheKey: { arg: 'key', type: 'String!' },
  invalidateUserCache: { arg: 'userId', type: 'ID!' },
  invalidateDatasetCache: { arg: 'datasetId', type: 'ID!' },
  invalidateModelCache: { arg: 'modelRunId', type: 'ID!' },
  clearCache: undefined,
} as const;

export type InvalidationMutation = keyof typeof INVALIDATIONS;

/** An invalidation sent with variables $value (its target, absent for clearCache) and $dryRun; the answer is under `r`. */
function invalidation(mutation: InvalidationMutation): string {
  const target = INVALIDATIONS[mutation];
  return target
    ? `mutation Invalidate($value: ${target.type}, $dryRun: Boolean) { r: ${mutation}(${target.arg}: $value, dryRun: $dryRun) { ${RESULT_FIELDS} } }`
    : `mutation Invalidate($dryRun: Boolean) { r: ${mutation}(dryRun: $dryRun) { ${RESULT_FIELDS} } }`;
}

export const adminOperations = {
  stats: `query CacheStats { cacheStats { ${STATS_FIELDS} } }`,
  /** Just the counters: the CLI's warm compares them before and after. */
  counts: 'query CacheCounts { cacheStats { hits misses } }',
  health:
    'query CacheHealth { cacheHealth { healthy backend circuit tiered hitRate l1Bytes l1MaxBytes redisUsedMemoryBytes redisMaxMemoryBytes redis { available latencyMs url } } }',
  entry:
    'query CacheEntry($key: String!) { cacheEntry(key: $key) { key kind exists ttlSeconds bytes compressed tags tagStates { tag current } createdAt freshUntil } }',
  resetStats: 'mutation ResetCacheStats { resetCacheStats { hits scope } }',
  invalidate: Object.fromEntries(Object.keys(INVALIDATIONS).map((m) => [m, invalidation(m as InvalidationMutation)])) as Record<
    InvalidationMutation,
    string
  >,
};

/** The operations as a browser script: `window.cachegateOperations`. */
export function operationsScript(): string {
  return `window.cachegateOperations = ${JSON.stringify(adminOperations)};\n`;
}
