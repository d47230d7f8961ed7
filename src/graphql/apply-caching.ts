import { defaultFieldResolver, type GraphQLField, type GraphQLSchema, isObjectType } from 'graphql';
import { canonicalArgs, fieldKey } from '../cache/keys';
import { entityTag } from '../cache/tags';
import { normalizeTags, type TaggedCache } from '../cache/tagged-cache';
import { UnauthenticatedError } from '../lib/errors';
import type { User } from '../identity';
import { CACHE_POLICY, type CachePolicy } from './cached';
import type { RequestCache } from './request-cache';

/** What the caching binding needs from a resolver's context. */
export interface CacheContext {
  user?: User;
  /** Absent when the gateway runs without a cache. */
  cache?: RequestCache;
}

export interface CachedField {
  coordinate: string;
  policy: Required<Pick<CachePolicy, 'ttl' | 'scope' | 'swr'>> & CachePolicy;
}

/** Fields carrying @cached, with their policies (defaults filled in). */
export function cachedFields(schema: GraphQLSchema, defaultTtlSeconds: number): CachedField[] {
  const out: CachedField[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const policy = field.extensions?.[CACHE_POLICY] as CachePolicy | undefined;
      if (!policy) continue;
      out.push({
        coordinate: `${type.name}.${field.name}`,
        policy: { ...policy, ttl: policy.ttl ?? defaultTtlSeconds, scope: policy.scope ?? 'PUBLIC', swr: policy.swr ?? 0 },
      });
    }
  }
  return out;
}

/**
 * Wraps the resolver of every @cached field so its value comes from the request's cache.
 * Keys and tags are derived here, from the schema, the parent's id, the coerced arguments
 * and (for PRIVATE fields) the verified user; resolvers stay unaware of the cache.
 */
export function applyCaching(schema: GraphQLSchema, cache: TaggedCache, defaultTtlSeconds: number): CachedField[] {
  const fields = cachedFields(schema, defaultTtlSeconds);
  const rootTypes = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name]);
  for (const { coordinate, policy } of fields) {
    const [typeName, fieldName] = coordinate.split('.');
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    const field = type.getFields()[fieldName] as GraphQLField<any, CacheContext>;
    if (typeName === schema.getMutationType()?.name) throw new Error(`${coordinate}: mutations cannot be @cached`);
    const isRoot = rootTypes.has(typeName);
    const original = field.resolve ?? defaultFieldResolver;
    const isPrivate = policy.scope === 'PRIVATE';
    field.resolve = (parent, args, ctx, info) => {
      const requestCache = ctx.cache;
      if (isPrivate && !ctx.user) throw new UnauthenticatedError(`${coordinate} is private to a user: sign in (Authorization: Bearer <token>)`);
      if (!requestCache) return original(parent, args, ctx, info);
      const parentId = isRoot ? undefined : parent?.id;
      if (!isRoot && (parentId === undefined || parentId === null)) {
        throw new Error(`${coordinate} is @cached but its parent ${typeName} has no id to key it by`);
      }
      const key = fieldKey(cache.space, {
        coordinate,
        parentId: parentId === undefined ? undefined : String(parentId),
        args: canonicalArgs(args, { setArgs: policy.setArgs }),
        user: isPrivate ? ctx.user : undefined,
      });
      const tags = normalizeTags([
        ...(isRoot ? [] : [entityTag(typeName, String(parentId))]),
        ...(policy.tags?.({ parent, args, user: ctx.user }) ?? []),
      ]);
      return requestCache.resolve(
        { key, tags, ttlSeconds: policy.ttl, swrSeconds: policy.swr, label: coordinate },
        async () => original(parent, args, ctx, info),
        isPrivate,
      );
    };
  }
  return fields;
}
