import type { ApolloServerPlugin } from '@apollo/server';
import { defaultFieldResolver, type GraphQLField, type GraphQLSchema } from 'graphql';
import { Extensions } from 'type-graphql';
import type { Tag } from '../cache/tags';
import type { User } from '../identity';

/**
 * 'APPLIED': the cache has applied every change committed before the call. 'PENDING': not yet
 * within the wait bound; the changes are committed and the relay applies them later.
 */
export type InvalidationOutcome = 'APPLIED' | 'PENDING';

/**
 * How a committed write reaches the cache. The database's triggers record what it changed in
 * the invalidation log in the write's own transaction, and the relay applies the log; what a
 * mutation or background work declares is not needed to invalidate, only to wait for.
 */
export interface TagInvalidator {
  /**
   * Resolves once the changes committed so far are applied to the cache, or with 'PENDING' past
   * the wait bound. tags name what the caller changed: the gateway treats them as changed in
   * this process while the outcome is pending, so the writer's own next read never sees old data.
   */
  invalidate(tags: readonly Tag[]): Promise<InvalidationOutcome>;
}

export interface InvalidationInput {
  args: Record<string, any>;
  /** The mutation's result. */
  result: any;
  user?: User;
}

/** The tags a mutation's committed write changes, from its arguments, result and user. */
export type TagsChangedBy = (input: InvalidationInput) => Tag[];

/** Where a mutation's policy travels from the decorator to the schema's field extensions. */
const INVALIDATES = 'cachegateInvalidates';

/**
 * Declares what a mutation changes. The invalidation itself comes from the database's log (its
 * triggers see every tracked write, this mutation's included); the answer waits until the cache
 * has applied it, and these tags are what this process treats as changed should that take longer.
 */
export function Invalidates(tagsOf: TagsChangedBy): MethodDecorator {
  const extensions = Extensions({ [INVALIDATES]: tagsOf });
  return (target, key, descriptor) => extensions(target, key, descriptor as any);
}

/** The @Invalidates policy of a field, if it has one. */
export function invalidationPolicyOf(field: GraphQLField<unknown, unknown>): TagsChangedBy | undefined {
  return field.extensions?.[INVALIDATES] as TagsChangedBy | undefined;
}

/** Where a mutation leaves, in its request's context, that its invalidation is still pending. */
const PENDING = Symbol('cachegate.invalidationPending');

/**
 * Wraps each mutation carrying @Invalidates: its resolver writes and commits, then the answer
 * waits until the cache has applied what was committed (bounded), so the caller's next read
 * sees its write; past the bound the response says so (invalidationPlugin).
 */
export function applyInvalidation(schema: GraphQLSchema, invalidator: TagInvalidator): void {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const tagsOf = invalidationPolicyOf(field);
    if (!tagsOf) continue;
    const original = field.resolve ?? defaultFieldResolver;
    field.resolve = async (parent, args, ctx, info) => {
      const result = await original(parent, args, ctx, info);
      const outcome = await invalidator.invalidate(tagsOf({ args, result, user: (ctx as { user?: User }).user }));
      if (outcome === 'PENDING' && ctx && typeof ctx === 'object') (ctx as Record<symbol, unknown>)[PENDING] = true;
      return result;
    };
  }
}

/**
 * Adds `extensions.invalidation: { status: "PENDING" }` to a response whose mutation committed
 * but whose invalidation the cache had not applied within CACHE_INVALIDATION_WAIT_MS: the data is
 * the committed write's, and reads elsewhere may see the old value for a moment longer.
 */
export function invalidationPlugin(): ApolloServerPlugin<object> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind !== 'single' || !(contextValue as Record<symbol, unknown>)[PENDING]) return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, invalidation: { status: 'PENDING' } };
        },
      };
    },
  };
}
