import path from 'node:path';
import DataLoader from 'dataloader';
import type { Database, Queryable } from '../../db/database';
import type { Tag } from '../../graphql/cached';
import type { TagInvalidator } from '../../graphql/invalidation';
import type { User } from '../../identity';
import { InputError, NotFoundError } from '../../lib/errors';
import { WorkerPool } from '../../lib/worker-pool';
import { checkOwnership, ownerFor } from '../ownership';
import { checkPageSize } from '../paging';
import * as repo from './dataset.repository';
import type { ColumnStatistics, Dataset, EdaReport, Visualization } from './dataset.type';
import type { VisualizationArgs } from './dataset.args';
import type { ColumnInfo, Table } from './table';
import { type DatasetJobs, DEFAULT_MAX_COLUMNS, DEFAULT_MAX_CSV_BYTES, rejectTooWide, type StoredTableJob } from './compute';
import { StoredTables } from './stored-tables';

const MAX_NAME_LENGTH = 200;

/**
 * Called inside the transaction that deletes a dataset, before the delete: returns the tags of
 * what other domains lose with it (rows removed by ON DELETE CASCADE), invalidated after commit.
 */
export type DatasetDeleteHook = (tx: Queryable, datasetId: string) => Promise<Tag[]>;

/** The shape an uploaded dataset may have (DATASET_MAX_COLUMNS, DATASET_MAX_CSV_BYTES), and the rows kept in memory (DATASET_ROWS_MEMORY_BYTES). */
export interface DatasetLimits {
  /** Columns of a CSV upload or append. */
  maxColumns: number;
  /** UTF-8 bytes of one CSV upload or append. */
  maxCsvBytes: number;
  /** Stored rows kept in memory for worker jobs, in bytes of their text. */
  rowsMemoryBytes: number;
}

export const DEFAULT_DATASET_LIMITS: DatasetLimits = {
  maxColumns: DEFAULT_MAX_COLUMNS,
  maxCsvBytes: DEFAULT_MAX_CSV_BYTES,
  rowsMemoryBytes: 128 * 1024 * 1024,
};

/** Datasets: storage in the database, heavy computation in a worker thread. */
export class DatasetService {
  private readonly pool: WorkerPool<DatasetJobs>;
  private readonly storedTables: StoredTables;
  private readonly deleteHooks: DatasetDeleteHook[] = [];

  constructor(
    private readonly db: Database,
    private readonly invalidator: TagInvalidator,
    private readonly limits: DatasetLimits = DEFAULT_DATASET_LIMITS,
    workers = 1,
  ) {
    this.pool = new WorkerPool(path.join(__dirname, 'dataset.worker'), workers);
    this.storedTables = new StoredTables(db, limits.rowsMemoryBytes);
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

  /** Creates a dataset owned by user (the system's without one). */
  async create(name: string, csv: string, user?: User, source = 'upload'): Promise<Dataset> {
    const validated = validName(name);
    const table = await this.parseCsv(csv);
    return this.insert(validated, source, table, user);
  }

  /** Stores an already-built table (seed data: owned by the system). */
  insert(name: string, source: string, table: Table, user?: User): Promise<Dataset> {
    return this.db.transaction((tx) => repo.insertDataset(tx, name, source, table, ownerFor(user)));
  }

  /** Appends rows; only the dataset's owner or an admin may (FORBIDDEN, and nothing parsed or written, otherwise). */
  async append(id: string, csv: string, user?: User): Promise<Dataset> {
    // Columns and owner never change after creation, so the rows can be fitted before the
    // transaction, and a caller who may not append is refused before the worker parses anything.
    const existing = (await repo.findDatasetsByIds(this.db, [id])).get(id);
    if (!existing) throw new NotFoundError(`dataset ${id} does not exist`, { id });
    checkOwnership(user, existing.owner, `dataset ${id}`);
    const rows = await this.parseCsv(csv, existing.columns);
    return this.db.transaction(async (tx) => {
      const dataset = await repo.lockDataset(tx, id);
      if (!dataset) throw new NotFoundError(`dataset ${id} does not exist`, { id });
      checkOwnership(user, dataset.owner, `dataset ${id}`);
      return repo.appendRows(tx, dataset, rows);
    });
  }

  /** Deletes a dataset and its model runs (whoever trained them); only its owner or an admin may. */
  async delete(id: string, user?: User): Promise<void> {
    const dependentTags = await this.db.transaction(async (tx) => {
      const dataset = await repo.lockDataset(tx, id);
      if (!dataset) throw new NotFoundError(`dataset ${id} does not exist`, { id });
      checkOwnership(user, dataset.owner, `dataset ${id}`);
      const tags = (await Promise.all(this.deleteHooks.map((hook) => hook(tx, id)))).flat();
      await repo.deleteDataset(tx, id);
      return tags;
    });
    // The dataset's own tags are the mutation's (dataset.cache.ts); these are what went with it.
    if (dependentTags.length > 0) await this.invalidator.invalidate(dependentTags);
  }

  /** The stored rows of the dataset's current version, for this and other domains' workers (storedTable parses them). */
  loadStoredTable(dataset: Dataset): Promise<StoredTableJob> {
    return this.storedTables.load(dataset);
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
    const { maxCsvBytes: maxBytes, maxColumns } = this.limits;
    // Checked here as well as in the worker so a huge body is not copied to a thread only to be
    // refused; a UTF-16 code unit is at most 3 UTF-8 bytes, so most texts need no count.
    if (csv.length > maxBytes / 3 && Buffer.byteLength(csv, 'utf8') > maxBytes)
      throw new InputError(`CSV is larger than ${maxBytes} bytes (DATASET_MAX_CSV_BYTES)`, { maxBytes });
    // The header's first commas, counted here too: a refusal need not wait behind a busy worker.
    rejectTooWide(csv, maxColumns);
    return columns
      ? this.pool.run('parseCsvForAppend', { text: csv, columns, maxBytes, maxColumns })
      : this.pool.run('parseCsv', { text: csv, maxBytes, maxColumns });
  }
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new InputError('dataset name must not be empty');
  if (trimmed.length > MAX_NAME_LENGTH) throw new InputError(`dataset name must be at most ${MAX_NAME_LENGTH} characters`);
  return trimmed;
}
