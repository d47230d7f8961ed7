import { entityTag, typeTag } from '../../graphql/cached';
import type { InvalidationPolicies } from '../../graphql/invalidation';
import type { ResponsePolicies } from '../../graphql/response-plan';

/** What each EMG mutation changes, invalidated once its write has committed. */
export const emgInvalidations: InvalidationPolicies = {
  // result is undefined only under the test fault that invalidates before the write.
  'Mutation.uploadEmgRecording': ({ result }) => [...(result ? [entityTag('EmgRecording', result.id)] : []), typeTag('EmgRecording')],
  'Mutation.deleteEmgRecording': ({ args }) => [entityTag('EmgRecording', args.id), typeTag('EmgRecording')],
};

/** The recording lookups a whole response may be cached over, with the tags known from their arguments. */
export const emgResponsePolicies: ResponsePolicies = {
  'Query.emgRecording': ({ id }) => [entityTag('EmgRecording', id)],
  'Query.emgRecordings': () => [typeTag('EmgRecording')],
};
