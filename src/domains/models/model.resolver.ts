import { Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Authorized } from '../../graphql/authorization';
import { CacheableLookup, Cached, Cost, TTL, typeTag } from '../../graphql/cached';
import { Invalidates } from '../../graphql/invalidation';
import { NotFoundError } from '../../lib/errors';
import type { AppContext } from '../context';
import { Dataset } from '../datasets/dataset.type';
import {
  CompareModelsArgs,
  DatasetModelRunsArgs,
  FeatureImportanceArgs,
  ModelRunIdArgs,
  ModelRunsArgs,
  PredictArgs,
  TrainModelArgs,
} from './model.args';
import { checkPageSize } from '../paging';
import { modelRunTag } from './model.service';
import { FeatureImportance, ModelComparison, ModelMetric, ModelMetrics, ModelRun, Prediction } from './model.type';

@Resolver(() => ModelRun)
export class ModelRunResolver {
  @CacheableLookup(({ id }) => [modelRunTag(id)])
  @Query(() => ModelRun, { nullable: true, description: 'A model run by id, or null when there is none' })
  modelRun(@Args() { id }: ModelRunIdArgs, @Ctx() ctx: AppContext): Promise<ModelRun | null> {
    return ctx.loaders.modelRun.load(id);
  }

  @CacheableLookup(() => [typeTag('ModelRun')])
  @Query(() => [ModelRun], { description: 'Model runs, newest first' })
  modelRuns(@Args() { datasetId, status, limit }: ModelRunsArgs, @Ctx() ctx: AppContext): Promise<ModelRun[]> {
    return ctx.services.models.list({ datasetId, status, limit: limit ?? 50 });
  }

  @Cached({
    ttl: TTL.THIRTY_MINUTES,
    setArgs: ['ids'],
    cost: ({ ids }) => 2 * (ids as string[]).length,
    tags: ({ args }) => (args.ids as string[]).map(modelRunTag),
  })
  @Query(() => ModelComparison, { description: 'Ranks model runs by a metric on their held-out rows (rank 1 is best)' })
  compareModels(@Args() { ids, metric }: CompareModelsArgs, @Ctx() ctx: AppContext): Promise<ModelComparison> {
    return ctx.services.models.compare(ids, metric ?? ModelMetric.ACCURACY);
  }

  @Cached({ ttl: TTL.ONE_HOUR, cost: 5, tags: ({ args }) => [modelRunTag(args.modelRunId)] })
  @Query(() => Prediction, { description: "Predicts the class of one input with a COMPLETED run's model" })
  predict(@Args() { modelRunId, input }: PredictArgs, @Ctx() ctx: AppContext): Promise<Prediction> {
    return ctx.services.models.predict(modelRunId, input);
  }

  @FieldResolver(() => Dataset, { description: 'The dataset the run was trained on' })
  async dataset(@Root() run: ModelRun, @Ctx() ctx: AppContext): Promise<Dataset> {
    const dataset = await ctx.loaders.dataset.load(run.datasetId);
    if (!dataset) throw new NotFoundError(`dataset ${run.datasetId} of model run ${run.id} no longer exists`, { datasetId: run.datasetId });
    return dataset;
  }

  @Cached({ ttl: TTL.ONE_HOUR, cost: 2 })
  @FieldResolver(() => ModelMetrics, { nullable: true, description: 'Scores on the held-out rows; null unless COMPLETED' })
  async metrics(@Root() run: ModelRun, @Ctx() ctx: AppContext): Promise<ModelMetrics | null> {
    // Read fresh, not from the parent: a parent loaded before the run completed would cache a stale null.
    return ctx.services.models.metrics(await ctx.loaders.modelRunResults.load(run.id));
  }

  @Cached({ ttl: TTL.THIRTY_MINUTES, cost: 10 })
  @FieldResolver(() => [FeatureImportance], {
    description: 'Permutation importance on the held-out rows, most important first; empty unless COMPLETED',
  })
  async featureImportance(@Root() run: ModelRun, @Args() { topN }: FeatureImportanceArgs, @Ctx() ctx: AppContext): Promise<FeatureImportance[]> {
    return ctx.services.models.featureImportance(await ctx.loaders.modelRunResults.load(run.id), topN);
  }

  // Each later change of the run's status (claimed, completed, failed, re-queued) is invalidated
  // by the trainer (trainer.ts), and a dataset's deletion invalidates its runs (model.service.ts).
  @Authorized()
  @Invalidates(() => [typeTag('ModelRun')])
  @Cost(100)
  @Mutation(() => ModelRun, { description: 'Queues a training run and returns it at once (QUEUED); poll modelRun(id) { status }' })
  trainModel(@Args() { datasetId, target, features, algorithm }: TrainModelArgs, @Ctx() ctx: AppContext): Promise<ModelRun> {
    return ctx.services.models.train({ datasetId, target, features, algorithm }, ctx.user);
  }

  // Its completion or failure is invalidated by the trainer, as for trainModel.
  @Authorized()
  @Invalidates(({ args }) => [modelRunTag(args.id), typeTag('ModelRun')])
  @Cost(100)
  @Mutation(() => ModelRun, {
    description:
      "Trains a COMPLETED or FAILED run again on its dataset's current rows (same target, features, algorithm and seed); the run's creator or an admin only (seeded runs: admin). Returns it QUEUED",
  })
  retrainModelRun(@Args() { id }: ModelRunIdArgs, @Ctx() ctx: AppContext): Promise<ModelRun> {
    return ctx.services.models.retrain(id, ctx.user);
  }

  @Authorized()
  @Invalidates(({ args }) => [modelRunTag(args.id), typeTag('ModelRun')])
  @Mutation(() => Boolean, {
    description: "Deletes a model run (one still training is dropped when it finishes); the run's creator or an admin only (seeded runs: admin)",
  })
  async deleteModelRun(@Args() { id }: ModelRunIdArgs, @Ctx() ctx: AppContext): Promise<boolean> {
    await ctx.services.models.delete(id, ctx.user);
    return true;
  }
}

@Resolver(() => Dataset)
export class DatasetModelRunsResolver {
  @FieldResolver(() => [ModelRun], { description: "The dataset's model runs, newest first" })
  async modelRuns(@Root() dataset: Dataset, @Args() { limit }: DatasetModelRunsArgs, @Ctx() ctx: AppContext): Promise<ModelRun[]> {
    checkPageSize(limit ?? 50);
    return (await ctx.loaders.datasetModelRuns.load(dataset.id)).slice(0, limit ?? 50);
  }
}
