import { entityTag, typeTag } from '../../graphql/cached';
import type { InvalidationPolicies } from '../../graphql/invalidation';

/** What each dataset mutation changes, invalidated once its write has committed. */
export const datasetInvalidations: InvalidationPolicies = {
  'Mutation.createDataset': () => [typeTag('Dataset')],
  'Mutation.appendDatasetRows': ({ args }) => [entityTag('Dataset', args.id)],
  'Mutation.deleteDataset': ({ args }) => [entityTag('Dataset', args.id), typeTag('Dataset')],
};
