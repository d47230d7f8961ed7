import { userTag } from '../../graphql/cached';
import type { InvalidationPolicies } from '../../graphql/invalidation';

/** A user's progress changes only through their own mutations. */
export const progressInvalidations: InvalidationPolicies = {
  'Mutation.completeProgressStep': ({ user }) => [userTag(user!.id)],
  'Mutation.resetProgress': ({ user }) => [userTag(user!.id)],
};
