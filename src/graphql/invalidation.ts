import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import type { Tag } from '../cache/tags';
import type { User } from '../server/auth';

/** What domains use to invalidate outside a mutation (a training run finishing in the background). */
export interface TagInvalidator {
  /** Resolves once the tags' new versions are written (or queued for retry). */
  invalidate(tags: readonly Tag[]): Promise<number>;
}

export interface InvalidationInput {
  args: Record<string, any>;
  /** The mutation's result (undefined when a planted fault invalidates before the write). */
  result: any;
  user?: User;
}

/** Per mutation coordinate ("Mutation.appendDatasetRows"): the tags its committed write changes. */
export type InvalidationPolicies = Record<string, (input: InvalidationInput) => Tag[]>;

/** Test-only switch planting the classic bug, so the race test can show it catches it. */
export interface InvalidationFaults {
  invalidateBeforeCommit?: boolean;
}

export interface InvalidationHooks {
  /** Runs before the mutation's resolver writes (after a faulty early invalidation). */
  beforeMutationWrite?: (coordinate: string) => Promise<void>;
}

/**
 * Wraps each mutation named in the policies: its resolver writes and commits, then its tags
 * are invalidated, and the answer waits for that, so the caller's next read sees its write.
 * A policy naming a mutation the schema lacks fails at startup.
 */
export function applyInvalidation(
  schema: GraphQLSchema,
  policies: InvalidationPolicies,
  invalidator: TagInvalidator,
  faults: InvalidationFaults = {},
  hooks: InvalidationHooks = {},
): void {
  const mutation = schema.getMutationType();
  for (const [coordinate, tagsOf] of Object.entries(policies)) {
    const [typeName, fieldName] = coordinate.split('.');
    const field = typeName === mutation?.name ? mutation.getFields()[fieldName] : undefined;
    if (!field) throw new Error(`invalidation policy names ${coordinate}, which is not a mutation of the schema; fix the name or remove the policy`);
    const original = field.resolve ?? defaultFieldResolver;
    field.resolve = async (parent, args, ctx, info) => {
      const user = (ctx as { user?: User }).user;
      if (faults.invalidateBeforeCommit) await invalidator.invalidate(tagsOf({ args, result: undefined, user }));
      await hooks.beforeMutationWrite?.(coordinate);
      const result = await original(parent, args, ctx, info);
      if (!faults.invalidateBeforeCommit) await invalidator.invalidate(tagsOf({ args, result, user }));
      return result;
    };
  }
}
