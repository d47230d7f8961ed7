import type { Queryable } from '../../db/database';
import type { Owner } from '../ownership';
import type { EmgRecording } from './emg.type';
import type { RecordingFormat } from './recording';

interface RecordingRow {
  id: string;
  name: string;
  format: RecordingFormat;
  byte_size: number;
  created_at: Date;
  owner: Owner;
}

/** Everything but the bytes, which only the worker jobs need. */
const COLUMNS = 'id, name, format, byte_size, created_at, owner';

/** Ids are lower-case SHA-256 hex; anything else cannot exist. */
export const RECORDING_ID = /^[0-9a-f]{64}$/;

/**
 * The bytes travel to and from the database as base64 text, encoded and decoded natively on
 * both sides: PGlite converts bytea parameters and results byte by byte in JavaScript (a
 * second per 2 MB), and pg reads bytea as hex text, half again as long as base64.
 * (PostgreSQL's encode() breaks lines every 76 characters; Buffer skips the line breaks.)
 */
function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function toRecording(r: RecordingRow): EmgRecording {
  return { id: r.id, name: r.name, format: r.format, byteSize: r.byte_size, createdAt: r.created_at, owner: r.owner };
}

export async function findRecordingsByIds(db: Queryable, ids: readonly string[]): Promise<Map<string, EmgRecording>> {
  const valid = [...new Set(ids.filter((id) => RECORDING_ID.test(id)))];
  if (valid.length === 0) return new Map();
  const rows = await db.query<RecordingRow>(`SELECT ${COLUMNS} FROM emg_recording WHERE id = ANY($1::text[])`, [valid]);
  return new Map(rows.map((r) => [r.id, toRecording(r)]));
}

export async function listRecordings(db: Queryable, limit: number): Promise<EmgRecording[]> {
  const rows = await db.query<RecordingRow>(`SELECT ${COLUMNS} FROM emg_recording ORDER BY created_at DESC, id LIMIT $1`, [limit]);
  return rows.map(toRecording);
}

/**
 * Stores a recording unless one with this id (the same content) exists; returns the stored one
 * either way (then with its first uploader as owner).
 */
export async function insertRecording(
  db: Queryable,
  id: string,
  name: string,
  format: RecordingFormat,
  bytes: Uint8Array,
  owner: Owner,
): Promise<EmgRecording> {
  // A second attempt only when a concurrent delete removed the conflicting row in between.
  for (let attempt = 0; ; attempt++) {
    const inserted = await db.query<RecordingRow>(
      `INSERT INTO emg_recording (id, name, format, bytes, byte_size, owner) VALUES ($1, $2, $3, decode($4, 'base64'), $5, $6)
       ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
      [id, name, format, toBase64(bytes), bytes.byteLength, owner],
    );
    if (inserted[0]) return toRecording(inserted[0]);
    const [existing] = await db.query<RecordingRow>(`SELECT ${COLUMNS} FROM emg_recording WHERE id = $1`, [id]);
    if (existing) return toRecording(existing);
    if (attempt >= 2) throw new Error(`emg_recording ${id} kept appearing and disappearing during insert`);
  }
}

/** The stored file, or undefined when the recording is gone. */
export async function loadRecordingBytes(db: Queryable, id: string): Promise<Uint8Array | undefined> {
  if (!RECORDING_ID.test(id)) return undefined;
  const [row] = await db.query<{ content: string }>("SELECT encode(bytes, 'base64') AS content FROM emg_recording WHERE id = $1", [id]);
  return row && Buffer.from(row.content, 'base64');
}

/** Locks the recording's row for the rest of the transaction (a delete decides on what it read). */
export async function lockRecording(tx: Queryable, id: string): Promise<EmgRecording | undefined> {
  if (!RECORDING_ID.test(id)) return undefined;
  const rows = await tx.query<RecordingRow>(`SELECT ${COLUMNS} FROM emg_recording WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] && toRecording(rows[0]);
}

export async function deleteRecording(db: Queryable, id: string): Promise<boolean> {
  if (!RECORDING_ID.test(id)) return false;
  const rows = await db.query('DELETE FROM emg_recording WHERE id = $1 RETURNING id', [id]);
  return rows.length > 0;
}
