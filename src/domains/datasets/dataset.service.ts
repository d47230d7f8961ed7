import path from 'node:path';
import DataLoader from 'dataloader';
import type { Database, Queryable } from '../../db/database';
import type { Tag } from '../../graphql/cached';
import type { TagInvalidator } from '../../graphql/invalidation';
import { InputError, NotFoundError } from '../../lib/errors';
import { WorkerPool } from '../../lib/worker-pool';
import { checkPageSize } from '../paging';
import * as repo from './dataset.repository';
import type { ColumnStatistics, Dataset, EdaReport, Visualization } from './dataset.type';
import type { VisualizationArgs } from './dataset.args';
import type { ColumnInfo, Table } from './table';
import { type DatasetJobs, DEFAULT_MAX_CSV_BYTES, type StoredTableJob } from './compute';

const MAX_NAME_LENGTH = 200;

/**
 * Called inside the transaction that deletes a dataset, before the delete: returns the tags of
 * what other domains lose with it (rows removed by ON DELETE CASCADE), invalidated after commit.
 */
export type DatasetDeleteHook = (tx: Queryable, datasetId: string) => Promise<Tag[]>;

/** Datasets: storage in the database, heavy computation in a worker thread. */
export class DatasetService {
  private readonly pool: WorkerPool<DatasetJobs>;
  private readonly deleteHooks: DatasetDeleteHook[] = [];

  constructor(
    private readonly db: Database,
    private readonly invalidator: TagInvalidator,
    workers = 1,
  ) {
    this.pool = new WorkerPool(path.join(__dirname, 'dataset.worker'), workers);
  }

  /** Lets another domain (models) learn which of its entities a dataset's deletion removes. */
  onDelete(hook: DatasetDeleteHook): void {
    this.deleteHooks.push(hook);
  }

  /** A per-request loader: every dataset(id) of one request becomes one `WHERE id = ANY($1)`. */
  createLoader(): DataLoader<string, Dataset | null> {
    return new DataLoader(async (ids) => {
      const found = await repo.findDatasetsByIds(this.db, ids);
      return ids.map((id) => found.get(id) ?? null);
    });
  }

  list(limit: number, offset: number): Promise<Dataset[]> {
    checkPageSize(limit);
    if (!Number.isInteger(offset) || offset < 0) throw new InputError(`offset must be 0 or more, got ${offset}`);
    return repo.listDatasets(this.db, limit, offset);
  }

  async create(name: string, csv: string, source = 'upload'): Promise<Dataset> {
    const table = await this.parseCsv(csv);
    return this.insert(validName(name), source, table);
  }

  /** Stores an already-built table (seed data). */
  insert(name: string, source: string, table: Table): Promise<Dataset> {
    return this.db.transaction((tx) => repo.insertDataset(tx, name, source, table));
  }

  async append(id: string, csv: string): Promise<Dataset> {
    // Columns never change after creation, so the rows can be fitted to them before the transaction.
    const existing = (await repo.findDatasetsByIds(this.db, [id])).get(id);
    if (!existing) throw new NotFoundError(`dataset ${id} does not exist`, { id });
    const rows = await this.parseCsv(csv, existing.columns);
    return this.db.transaction(async (tx) => {
      const dataset = await repo.lockDataset(tx, id);
      if (!dataset) throw new NotFoundError(`dataset ${id} does not exist`, { id });
      return repo.appendRows(tx, dataset, rows);
    });
  }

  async delete(id: string): Promise<void> {
    const dependentTags = await this.db.transaction(async (tx) => {
      const dataset = await repo.lockDataset(tx, id);
      if (!dataset) throw new NotFoundError(`dataset ${id} does not exist`, { id });
      const tags = (await Promise.all(this.deleteHooks.map((hook) => hook(tx, id)))).flat();
      await repo.deleteDataset(tx, id);
      return tags;
    });
    // The dataset's own tags are the mutation's (dataset.cache.ts); these are what went with it.
    if (dependentTags.length > 0) await this.invalidator.invalidate(dependentTags);
  }

  /** The stored table as columns and chunk texts, for other domains' workers (tableFromChunks builds it). */
  async loadStoredTable(dataset: Dataset): Promise<StoredTableJob> {
    return { columns: dataset.columns, chunks: await repo.loadChunkTexts(this.db, dataset.id) };
  }

  async statistics(dataset: Dataset): Promise<ColumnStatistics[]> {
    return this.pool.run('statistics', await this.loadStoredTable(dataset));
  }

  async eda(dataset: Dataset): Promise<EdaReport> {
    return this.pool.run('eda', await this.loadStoredTable(dataset));
  }

  async visualization(dataset: Dataset, args: VisualizationArgs): Promise<Visualization> {
    const chart = await this.pool.run('visualization', {
      ...(await this.loadStoredTable(dataset)),
      kind: args.kind,
      column: args.column,
      column2: args.column2 ?? undefined,
      bins: args.bins ?? undefined,
    });
    // The worker's kind is the same string the GraphQL enum holds.
    return chart as Visualization;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** Parses CSV in the worker: with inferred types for a new dataset, or fitted to existing columns for an append. */
  private async parseCsv(csv: string, columns?: ColumnInfo[]): Promise<Table> {
    // Checked here as well as in the worker so a huge body is not copied to a thread only to be refused.
    if (Buffer.byteLength(csv, 'utf8') > DEFAULT_MAX_CSV_BYTES) throw new InputError(`CSV is larger than ${DEFAULT_MAX_CSV_BYTES / 1024 / 1024} MB`);
    return columns ? this.pool.run('parseCsvForAppend', { text: csv, columns }) : this.pool.run('parseCsv', { text: csv });
  }
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new InputError('dataset name must not be empty');
  if (trimmed.length > MAX_NAME_LENGTH) throw new InputError(`dataset name must be at most ${MAX_NAME_LENGTH} characters`);
  return trimmed;
}
