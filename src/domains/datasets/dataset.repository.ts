import type { Queryable } from '../../db/database';
import type { Owner } from '../ownership';
import type { Dataset } from './dataset.type';
import type { ColumnInfo, Table } from './table';

/** Rows per stored chunk: large enough that flights-200k is four values, small enough to append cheaply. */
export const CHUNK_ROWS = 50_000;

interface DatasetRow {
  id: number;
  name: string;
  source: string | null;
  row_count: number;
  columns: ColumnInfo[];
  created_at: Date;
  updated_at: Date;
  owner: Owner;
}

const COLUMNS = 'id, name, source, row_count, columns, created_at, updated_at, owner';

function toDataset(r: DatasetRow): Dataset {
  return {
    id: String(r.id),
    name: r.name,
    source: r.source,
    rowCount: r.row_count,
    columns: r.columns,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    owner: r.owner,
  };
}

/** Ids arrive from clients as strings; anything that is not a positive int4 cannot exist. */
export function parseDatasetId(id: string): number | undefined {
  if (!/^\d{1,10}$/.test(id)) return undefined;
  const n = Number(id);
  return n > 0 && n <= 2_147_483_647 ? n : undefined;
}

export async function findDatasetsByIds(db: Queryable, ids: readonly string[]): Promise<Map<string, Dataset>> {
  const numeric = ids.map(parseDatasetId).filter((n): n is number => n !== undefined);
  if (numeric.length === 0) return new Map();
  const rows = await db.query<DatasetRow>(`SELECT ${COLUMNS} FROM dataset WHERE id = ANY($1::int[])`, [numeric]);
  return new Map(rows.map((r) => [String(r.id), toDataset(r)]));
}

export async function listDatasets(db: Queryable, limit: number, offset: number): Promise<Dataset[]> {
  const rows = await db.query<DatasetRow>(`SELECT ${COLUMNS} FROM dataset ORDER BY id LIMIT $1 OFFSET $2`, [limit, offset]);
  return rows.map(toDataset);
}

/** Locks the dataset row for the rest of the transaction, so concurrent appends number their chunks in turn. */
export async function lockDataset(tx: Queryable, id: string): Promise<Dataset | undefined> {
  const n = parseDatasetId(id);
  if (n === undefined) return undefined;
  const rows = await tx.query<DatasetRow>(`SELECT ${COLUMNS} FROM dataset WHERE id = $1 FOR UPDATE`, [n]);
  return rows[0] && toDataset(rows[0]);
}

export async function insertDataset(tx: Queryable, name: string, source: string, table: Table, owner: Owner): Promise<Dataset> {
  const [row] = await tx.query<DatasetRow>(
    `INSERT INTO dataset (name, source, row_count, columns, owner) VALUES ($1, $2, 0, $3::jsonb, $4) RETURNING ${COLUMNS}`,
    [name, source, JSON.stringify(table.columns), owner],
  );
  return appendRows(tx, toDataset(row), table);
}

/** Stores table's rows as new chunks after the existing ones and returns the updated dataset. */
export async function appendRows(tx: Queryable, dataset: Dataset, table: Table): Promise<Dataset> {
  const [{ next }] = await tx.query<{ next: number }>('SELECT COALESCE(MAX(seq) + 1, 0)::int AS next FROM dataset_chunk WHERE dataset_id = $1', [
    Number(dataset.id),
  ]);
  let seq = next;
  for (let start = 0; start < table.rowCount; start += CHUNK_ROWS) {
    const end = Math.min(start + CHUNK_ROWS, table.rowCount);
    const slice = table.data.map((col) => col.slice(start, end));
    await tx.query('INSERT INTO dataset_chunk (dataset_id, seq, row_count, data) VALUES ($1, $2, $3, $4)', [
      Number(dataset.id),
      seq++,
      end - start,
      JSON.stringify(slice),
    ]);
  }
  const [row] = await tx.query<DatasetRow>(`UPDATE dataset SET row_count = row_count + $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [
    Number(dataset.id),
    table.rowCount,
  ]);
  return toDataset(row);
}

export async function deleteDataset(tx: Queryable, id: string): Promise<boolean> {
  const n = parseDatasetId(id);
  if (n === undefined) return false;
  const rows = await tx.query('DELETE FROM dataset WHERE id = $1 RETURNING id', [n]);
  return rows.length > 0;
}

/**
 * A dataset's rows as the database holds them now: each chunk's position and the transaction that
 * wrote it (xmin), without the data. Any write to the chunks, from anywhere, changes it.
 */
export async function loadChunkVersions(db: Queryable, id: string): Promise<{ seq: number; xmin: string }[]> {
  return db.query('SELECT seq, xmin::text AS xmin FROM dataset_chunk WHERE dataset_id = $1 ORDER BY seq', [Number(id)]);
}

/** The stored chunks of a dataset as JSON text, in order, with their versions; parsing is left to a worker thread. */
export async function loadChunks(db: Queryable, id: string): Promise<{ seq: number; xmin: string; data: string }[]> {
  // data is text since migration 008: read as stored, with no conversion on the database's side.
  return db.query('SELECT seq, xmin::text AS xmin, data FROM dataset_chunk WHERE dataset_id = $1 ORDER BY seq', [Number(id)]);
}
