import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SeedContext } from '../../db/seed';
import { parseCsvTable, tableFromRecords } from './compute';
import type { DatasetService } from './dataset.service';

/** The vega-datasets files loaded at first start, by dataset name. */
export const VEGA_DATASETS: ReadonlyArray<{ name: string; file: string }> = [
  { name: 'cars', file: 'cars.json' },
  { name: 'penguins', file: 'penguins.json' },
  { name: 'seattle-weather', file: 'seattle-weather.csv' },
  { name: 'movies', file: 'movies.json' },
  { name: 'flights-200k', file: 'flights-200k.json' },
];

/** The package exports only its JS entry (build/index.js); the data folder sits beside build/. */
export function vegaDataPath(file: string): string {
  return path.join(path.dirname(require.resolve('vega-datasets')), '..', 'data', file);
}

/** Loads each vega dataset not yet present (by source), so an interrupted seed resumes where it stopped. */
export async function seedVegaDatasets(datasets: DatasetService, ctx: SeedContext): Promise<void> {
  for (const [i, { name, file }] of VEGA_DATASETS.entries()) {
    const source = `vega-datasets/${file}`;
    const exists = await ctx.db.query('SELECT 1 FROM dataset WHERE source = $1', [source]);
    if (exists.length > 0) continue;
    const text = await readFile(vegaDataPath(file), 'utf8');
    const table = file.endsWith('.csv') ? parseCsvTable(text, { maxBytes: Infinity }) : tableFromRecords(JSON.parse(text));
    await datasets.insert(name, source, table);
    ctx.progress(`dataset ${i + 1}/${VEGA_DATASETS.length}: ${name} (${table.rowCount.toLocaleString('en')} rows)`);
  }
}
