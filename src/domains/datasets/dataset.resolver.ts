import { Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Authorized } from '../../graphql/authorization';
import { CacheableLookup, Cached, Cost, entityTag, TTL, typeTag } from '../../graphql/cached';
import { Invalidates } from '../../graphql/invalidation';
import type { AppContext } from '../context';
import { AppendDatasetRowsArgs, CreateDatasetArgs, DatasetIdArgs, DatasetsArgs, VisualizationArgs } from './dataset.args';
import { ColumnStatistics, Dataset, EdaReport, Visualization } from './dataset.type';

@Resolver(() => Dataset)
export class DatasetResolver {
  @CacheableLookup(({ id }) => [entityTag('Dataset', id)])
  @Query(() => Dataset, { nullable: true, description: 'A dataset by id, or null when there is none' })
  dataset(@Args() { id }: DatasetIdArgs, @Ctx() ctx: AppContext): Promise<Dataset | null> {
    return ctx.loaders.dataset.load(id);
  }

  @CacheableLookup(() => [typeTag('Dataset')])
  @Query(() => [Dataset])
  datasets(@Args() { limit, offset }: DatasetsArgs, @Ctx() ctx: AppContext): Promise<Dataset[]> {
    return ctx.services.datasets.list(limit ?? 50, offset ?? 0);
  }

  @Cached({ ttl: TTL.TWO_HOURS, cost: 10 })
  @FieldResolver(() => [ColumnStatistics], { description: 'Per-column statistics over all rows' })
  statistics(@Root() dataset: Dataset, @Ctx() ctx: AppContext): Promise<ColumnStatistics[]> {
    return ctx.services.datasets.statistics(dataset);
  }

  @Cached({ ttl: TTL.THREE_HOURS, cost: 20 })
  @FieldResolver(() => EdaReport, { description: 'Correlations, missing values and outliers' })
  eda(@Root() dataset: Dataset, @Ctx() ctx: AppContext): Promise<EdaReport> {
    return ctx.services.datasets.eda(dataset);
  }

  @Cached({ ttl: TTL.ONE_HOUR, cost: 10 })
  @FieldResolver(() => Visualization, { description: 'Chart data for one column (or two, for SCATTER)' })
  visualization(@Root() dataset: Dataset, @Args() args: VisualizationArgs, @Ctx() ctx: AppContext): Promise<Visualization> {
    return ctx.services.datasets.visualization(dataset, args);
  }

  // Any change to a dataset also bumps the type tag, which every response listing or nesting datasets depends on.
  @Authorized()
  @Invalidates(({ result }) => [typeTag('Dataset'), entityTag('Dataset', result.id)])
  @Cost(50)
  @Mutation(() => Dataset, { description: 'Creates a dataset from CSV text; column types are inferred' })
  createDataset(@Args() { name, csv }: CreateDatasetArgs, @Ctx() ctx: AppContext): Promise<Dataset> {
    return ctx.services.datasets.create(name, csv, ctx.user);
  }

  @Authorized()
  @Invalidates(({ args }) => [entityTag('Dataset', args.id), typeTag('Dataset')])
  @Cost(20)
  @Mutation(() => Dataset, {
    description: "Appends CSV rows whose columns match the dataset; the dataset's creator or an admin only (seeded datasets: admin)",
  })
  appendDatasetRows(@Args() { id, csv }: AppendDatasetRowsArgs, @Ctx() ctx: AppContext): Promise<Dataset> {
    return ctx.services.datasets.append(id, csv, ctx.user);
  }

  // What other domains lose with the dataset (its model runs) is invalidated by DatasetService.delete.
  @Authorized()
  @Invalidates(({ args }) => [entityTag('Dataset', args.id), typeTag('Dataset')])
  @Mutation(() => Boolean, {
    description: "Deletes a dataset with its model runs; the dataset's creator or an admin only (seeded datasets: admin)",
  })
  async deleteDataset(@Args() { id }: DatasetIdArgs, @Ctx() ctx: AppContext): Promise<boolean> {
    await ctx.services.datasets.delete(id, ctx.user);
    return true;
  }
}
