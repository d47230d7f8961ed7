import { entityTag, typeTag } from '../../graphql/cached';
import type { InvalidationPolicies } from '../../graphql/invalidation';
import type { ResponsePolicies } from '../../graphql/response-plan';

/**
 * What each dataset mutation changes, invalidated once its write has committed. Any change
 * to a dataset also bumps the type tag, which every response listing or nesting datasets
 * depends on.
 */
export const datasetInvalidations: InvalidationPolicies = {
  'Mutation.createDataset': ({ result }) => [typeTag('Dataset'), ...(result ? [entityTag('Dataset', result.id)] : [])],
  'Mutation.appendDatasetRows': ({ args }) => [entityTag('Dataset', args.id), typeTag('Dataset')],
  'Mutation.deleteDataset': ({ args }) => [entityTag('Dataset', args.id), typeTag('Dataset')],
};

/** The dataset lookups a whole response may be cached over, with the tags known from their arguments. */
export const datasetResponsePolicies: ResponsePolicies = {
  'Query.dataset': ({ id }) => [entityTag('Dataset', id)],
  'Query.datasets': () => [typeTag('Dataset')],
};
