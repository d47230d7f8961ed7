import { defaultFieldResolver, type GraphQLField, type GraphQLSchema } from 'graphql';
import { Extensions } from 'type-graphql';
import type { Tag } from '../cache/tags';
import type { User } from '../identity';

/** What domains use to invalidate outside a mutation (a training run finishing in the background). */
export interface TagInvalidator {
  /** Resolves once the tags' new versions are written (or queued for retry). */
  invalidate(tags: readonly Tag[]): Promise<number>;
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
 * Declares what a mutation changes: once its resolver has written and committed, these tags
 * get new versions, and the answer waits for that.
 */
export function Invalidates(tagsOf: TagsChangedBy): MethodDecorator {
  const extensions = Extensions({ [INVALIDATES]: tagsOf });
  return (target, key, descriptor) => extensions(target, key, descriptor as any);
}

/** The @Invalidates policy of a field, if it has one. */
export function invalidationPolicyOf(field: GraphQLField<unknown, unknown>): TagsChangedBy | undefined {
  return field.extensions?.[INVALIDATES] as TagsChangedBy | undefined;
}

/**
 * Wraps each mutation carrying @Invalidates: its resolver writes and commits, then its tags
 * are invalidated, and the answer waits for that, so the caller's next read sees its write.
 * Invalidating before the write instead is the classic bug the race tests plant.
 */
export function applyInvalidation(schema: GraphQLSchema, invalidator: TagInvalidator): void {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const tagsOf = invalidationPolicyOf(field);
    if (!tagsOf) continue;
    const original = field.resolve ?? defaultFieldResolver;
    field.resolve = async (parent, args, ctx, info) => {
      const result = await original(parent, args, ctx, info);
      await invalidator.invalidate(tagsOf({ args, result, user: (ctx as { user?: User }).user }));
      return result;
    };
  }
}
