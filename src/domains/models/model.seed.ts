import type { SeedContext } from '../../db/seed';
import type { ModelService } from './model.service';
import { Algorithm } from './model.type';

/** The runs queued at first start, on vega datasets found by source (seeded by 'vega-datasets' before). */
export const SEED_RUNS: ReadonlyArray<{ source: string; target: string; features: string[] | null; algorithms: Algorithm[] }> = [
  {
    source: 'vega-datasets/cars.json',
    target: 'Origin',
    features: ['Miles_per_Gallon', 'Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration'],
    algorithms: [Algorithm.DECISION_TREE, Algorithm.RANDOM_FOREST],
  },
  // Default features: island, beak and flipper sizes, body mass and sex.
  { source: 'vega-datasets/penguins.json', target: 'Species', features: null, algorithms: [Algorithm.DECISION_TREE, Algorithm.RANDOM_FOREST] },
];

/** Queues the seed runs not queued yet (training happens in the background, after the seed). */
export async function seedModelRuns(models: ModelService, ctx: SeedContext): Promise<void> {
  for (const { source, target, features, algorithms } of SEED_RUNS) {
    const [dataset] = await ctx.db.query<{ id: number }>('SELECT id FROM dataset WHERE source = $1 ORDER BY id LIMIT 1', [source]);
    if (!dataset) {
      ctx.progress(`model runs: no dataset from ${source}, skipped`);
      continue;
    }
    for (const algorithm of algorithms) {
      const queued = await ctx.db.query('SELECT 1 FROM model_run WHERE dataset_id = $1 AND algorithm = $2 AND target = $3', [
        dataset.id,
        algorithm,
        target,
      ]);
      if (queued.length > 0) continue;
      const run = await models.train({ datasetId: String(dataset.id), target, features, algorithm });
      ctx.progress(`model run queued: ${run.name}`);
    }
  }
}
