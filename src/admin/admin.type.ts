import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Cache hits and misses of one cached field (or of the whole responses of one operation)' })
export class FieldCacheStats {
  @Field({ description: 'Type.field, or "(whole response) OperationName" for whole responses' }) coordinate!: string;
  @Field(() => Float) hits!: number;
  @Field(() => Float) misses!: number;
  @Field(() => Float, { description: 'hits / (hits + misses); 0 when both are 0' }) hitRate!: number;
  @Field(() => Float, { nullable: true, description: 'Average time to answer a hit, in milliseconds; null without hits' }) avgHitMs!: number | null;
  @Field(() => Float, { nullable: true, description: 'Average time to answer a miss (computing the value included), in milliseconds' }) avgMissMs!:
    number | null;
}

@ObjectType({ description: 'Cache counters: for the whole deployment when Redis is configured and answers, otherwise this process’s own' })
export class CacheStats {
  @Field({ description: '"redis" or "memory": where values are shared' }) backend!: string;
  @Field({ description: '"deployment" (every instance, summed in Redis) or "process" (this instance only)' }) scope!: string;
  @Field() redisAvailable!: boolean;
  @Field(() => Float) hits!: number;
  @Field(() => Float) misses!: number;
  @Field(() => Float, { description: 'Entries written' }) sets!: number;
  @Field(() => Float, { description: 'Cache lookups answered: hits + misses' }) totalRequests!: number;
  @Field(() => Float, { description: 'Tags given a new version plus keys deleted (by key, pattern, user or clearCache)' }) deletes!: number;
  @Field(() => Float, { description: 'Tags given a new version' }) invalidatedTags!: number;
  @Field(() => Float, { description: 'Keys deleted by key, pattern, user or clearCache' }) deletedKeys!: number;
  @Field(() => Float, { description: 'Cache store failures (each one served as a miss)' }) errors!: number;
  @Field(() => Float, { description: 'Values not cached because they exceeded CACHE_MAX_ENTRY_BYTES' }) oversize!: number;
  @Field(() => Float, { description: 'Stale values served within their swr window' }) staleServed!: number;
  @Field(() => Float, { description: 'Values computed after a miss; with leases, one per key across every instance' }) computations!: number;
  @Field(() => Float, { description: 'hits / (hits + misses); 0 when both are 0' }) hitRate!: number;
  @Field(() => Float, { description: 'Seconds since this instance started' }) uptimeSeconds!: number;
  @Field(() => Float, { description: 'Seconds the counters cover: since the last resetCacheStats (or since counting began)' })
  sinceResetSeconds!: number;
  @Field({
    description:
      'True when the stats hashes were found gone in Redis (evicted under allkeys-lru, or expired): counts before countsLostAt are missing',
  })
  countsLost!: boolean;
  @Field(() => Date, { nullable: true, description: 'When counts were last found lost; null if never since the last reset' })
  countsLostAt!: Date | null;
  @Field(() => Int, { description: 'Entries in this instance’s in-process tier' }) l1Entries!: number;
  @Field(() => Float, { description: 'Bytes held by this instance’s in-process tier' }) l1Bytes!: number;
  @Field(() => Float, { nullable: true, description: 'used_memory of the Redis server (INFO memory), for every application on it' })
  redisUsedMemoryBytes!: number | null;
  @Field(() => String, { nullable: true }) redisUsedMemoryHuman!: string | null;
  @Field(() => String, { nullable: true, description: 'maxmemory-policy of the Redis server (allkeys-lru evicts any key, stats included)' })
  redisMaxMemoryPolicy!: string | null;
  @Field(() => Float, { nullable: true, description: 'keyspace_hits of the Redis server (INFO stats): every application on it' })
  redisKeyspaceHits!: number | null;
  @Field(() => Float, { nullable: true, description: 'keyspace_misses of the Redis server (INFO stats)' }) redisKeyspaceMisses!: number | null;
  @Field(() => Float, { nullable: true, description: 'evicted_keys of the Redis server (INFO stats)' }) redisEvictedKeys!: number | null;
  @Field(() => Float, { nullable: true, description: 'Cache keys under this gateway’s prefix (a SCAN count, reused for up to 10 s)' }) keyCount!:
    number | null;
  @Field(() => [FieldCacheStats], { description: 'Per field coordinate, sorted by coordinate' }) fields!: FieldCacheStats[];
}

@ObjectType()
export class RedisHealth {
  @Field({ description: 'Redis answered PING' }) available!: boolean;
  @Field(() => Float, { nullable: true, description: 'PING round trip in milliseconds; null when it failed' }) latencyMs!: number | null;
  @Field(() => String, { nullable: true, description: 'REDIS_URL with its password masked' }) url!: string | null;
}

@ObjectType({ description: 'The last time Redis was found behind the invalidation log, and what was done' })
export class InvalidationCatchUp {
  @Field({ description: 'When it was found (ISO 8601)' }) at!: string;
  @Field({ description: '"replay" (the missing records applied again) or "generation" (past retention: every older entry made a miss)' })
  kind!: string;
  @Field(() => Int, { description: 'Records replayed' }) records!: number;
  @Field(() => Float, { description: 'The watermark Redis had' }) fromSeq!: number;
  @Field(() => Float, { description: 'The log position it was brought to' }) toSeq!: number;
}

@ObjectType({ description: "The cache against the database's invalidation log (the transactional outbox its relay applies)" })
export class InvalidationHealth {
  @Field(() => Float, { nullable: true, description: 'The last log position Redis has applied; null without Redis or when it did not answer' })
  watermark!: number | null;
  @Field(() => Float, { description: 'The log’s last applied position' }) logPosition!: number;
  @Field(() => Float, { description: 'Committed records not applied yet' }) pending!: number;
  @Field(() => Float, { description: 'logPosition minus watermark: how far Redis is behind the log (0 when caught up)' }) lag!: number;
  @Field(() => Int, { description: 'The cache generation: a Redis older than the log’s retention moves it, making every older entry a miss' })
  generation!: number;
  @Field(() => String, { nullable: true, description: 'Redis run_id as last seen (it changes on a restart or failover)' })
  redisRunId!: string | null;
  @Field(() => InvalidationCatchUp, { nullable: true, description: 'null until Redis was found behind the log' })
  lastCatchUp!: InvalidationCatchUp | null;
  @Field(() => Int, { description: 'Consecutive passes that failed to apply (Redis or the database unavailable)' }) failures!: number;
}

@ObjectType()
export class CacheHealth {
  @Field({
    description: 'The cache can serve: memory alone, or Redis answering with the circuit closed; and it is not behind the invalidation log',
  })
  healthy!: boolean;
  @Field({ description: '"redis" or "memory"' }) backend!: string;
  @Field({ description: 'The Redis circuit breaker: "closed" (in use), "open" (bypassed), "half-open" (probing); "none" without Redis' })
  circuit!: string;
  @Field({ description: 'An in-process tier sits in front of Redis' }) tiered!: boolean;
  @Field(() => RedisHealth, { nullable: true, description: 'null when the gateway runs without Redis' }) redis!: RedisHealth | null;
  @Field(() => InvalidationHealth, { nullable: true, description: 'null when the gateway runs without an invalidation relay' })
  invalidation!: InvalidationHealth | null;
  @Field(() => Float, { description: 'hits / (hits + misses) counted by the answering instance since it started or was reset' })
  hitRate!: number;
  @Field(() => Float, { description: 'Bytes held by the answering instance’s in-process tier' }) l1Bytes!: number;
  @Field(() => Float, { description: 'Budget of the in-process tier (CACHE_L1_MAX_BYTES); 0 without one' }) l1MaxBytes!: number;
  @Field(() => Float, { nullable: true, description: 'used_memory of the Redis server; null without Redis or when it did not answer' })
  redisUsedMemoryBytes!: number | null;
  @Field(() => Float, { nullable: true, description: 'maxmemory of the Redis server; null without Redis or without a limit' })
  redisMaxMemoryBytes!: number | null;
}

@ObjectType({ description: 'One tag of a cache entry: whether the entry is still valid for it' })
export class CacheTagState {
  @Field() tag!: string;
  @Field({ description: 'The tag still has the version the entry was stamped with' }) current!: boolean;
  @Field(() => String, { nullable: true }) stampedVersion!: string | null;
  @Field(() => String, { nullable: true, description: 'null when the tag has no version (the entry is a miss)' }) currentVersion!: string | null;
}

@ObjectType({ description: 'A cache key read back' })
export class CacheEntryInfo {
  @Field() key!: string;
  @Field({ description: 'field, response, tag, persisted-query, stats or other' }) kind!: string;
  @Field() exists!: boolean;
  @Field(() => Float, { nullable: true, description: 'Seconds until the key expires; null when absent or without expiry' }) ttlSeconds!:
    number | null;
  @Field(() => Int, { nullable: true, description: 'Stored size in bytes (after compression)' }) bytes!: number | null;
  @Field(() => Boolean, { nullable: true }) compressed!: boolean | null;
  @Field(() => [String], { description: 'Tags the entry depends on' }) tags!: string[];
  @Field(() => [CacheTagState]) tagStates!: CacheTagState[];
  @Field(() => Date, { nullable: true }) createdAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'After this the entry is stale (served only within its swr window)' }) freshUntil!: Date | null;
}

@ObjectType({ description: 'What an invalidation did (or, with dryRun, would do)' })
export class InvalidationResult {
  @Field(() => Int, { description: 'Tags given a new version plus keys deleted' }) invalidated!: number;
  @Field(() => [String], { description: 'The tags given a new version' }) tags!: string[];
  @Field(() => Int, { description: 'Keys deleted (UNLINK)' }) deletedKeys!: number;
  @Field({ description: 'Nothing was changed: the counts are what would have been' }) dryRun!: boolean;
}
