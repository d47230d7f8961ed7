import { entityTag, typeTag } from '../../graphql/cached';
import type { InvalidationPolicies } from '../../graphql/invalidation';

/** What each EMG mutation changes, invalidated once its write has committed. */
export const emgInvalidations: InvalidationPolicies = {
  // result is undefined only under the test fault that invalidates before the write.
  'Mutation.uploadEmgRecording': ({ result }) => [...(result ? [entityTag('EmgRecording', result.id)] : []), typeTag('EmgRecording')],
  'Mutation.deleteEmgRecording': ({ args }) => [entityTag('EmgRecording', args.id), typeTag('EmgRecording')],
};
