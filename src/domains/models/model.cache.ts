import { typeTag } from '../../graphql/cached';
import type { InvalidationPolicies } from '../../graphql/invalidation';
import type { ResponsePolicies } from '../../graphql/response-plan';
import { modelRunTag } from './model.service';

/**
 * What each model mutation changes, invalidated once its write has committed. Each change of a
 * run's status in the background (claimed, completed, failed, re-queued) invalidates
 * `ModelRun:<id>` and `ModelRun` itself (trainer.ts); a dataset's deletion invalidates its runs
 * through DatasetService.onDelete (model.service.ts).
 */
export const modelInvalidations: InvalidationPolicies = {
  'Mutation.trainModel': () => [typeTag('ModelRun')],
  'Mutation.deleteModelRun': ({ args }) => [modelRunTag(args.id), typeTag('ModelRun')],
};

/** The model-run lookups a whole response may be cached over, with the tags known from their arguments. */
export const modelResponsePolicies: ResponsePolicies = {
  'Query.modelRun': ({ id }) => [modelRunTag(id)],
  'Query.modelRuns': () => [typeTag('ModelRun')],
};
