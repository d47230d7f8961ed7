import { webcrypto } from 'node:crypto';
import path from 'node:path';
import DataLoader from 'dataloader';
import type { Database } from '../../db/database';
import type { User } from '../../identity';
import { InputError, NotFoundError } from '../../lib/errors';
import { WorkerPool } from '../../lib/worker-pool';
import { checkOwnership, ownerFor } from '../ownership';
import { checkPageSize } from '../paging';
import type { EmgJobs } from './emg.worker';
import { base64DecodedSize } from './base64';
import type { DemoRecordingOptions } from './demo';
import * as repo from './emg.repository';
import type { EmgRecording } from './emg.type';
import { RECORDING_FORMATS, type RecordingFormat, type RecordingMetadata } from './recording';
import { checkAnalysable, MAX_WINDOW_MS, MIN_WINDOW_MS, type RecordingAnalysis } from './signal/analyze';

export const MAX_RECORDING_BYTES = 100 * 1024 * 1024;
export const DEFAULT_WINDOW_MS = 250;
const MAX_NAME_LENGTH = 200;

/**
 * EMG recordings: files stored whole in the database, keyed by the SHA-256 of their content;
 * decoding, parsing, analysis and demo generation run in one worker thread, never on the event loop.
 */
export class EmgService {
  private readonly pool: WorkerPool<EmgJobs>;

  constructor(
    private readonly db: Database,
    workers = 1,
  ) {
    this.pool = new WorkerPool(path.join(__dirname, 'emg.worker'), workers);
  }

  /** A per-request loader: every emgRecording(id) of one request becomes one `WHERE id = ANY($1)`. */
  createLoader(): DataLoader<string, EmgRecording | null> {
    return new DataLoader(async (ids) => {
      const found = await repo.findRecordingsByIds(this.db, ids);
      return ids.map((id) => found.get(id) ?? null);
    });
  }

  /** Newest first. */
  list(limit: number): Promise<EmgRecording[]> {
    checkPageSize(limit);
    return repo.listRecordings(this.db, limit);
  }

  /** Stores an uploaded file given as base64, owned by user; see store(). */
  async upload(name: string, format: RecordingFormat, contentBase64: string, user?: User): Promise<EmgRecording> {
    const validated = validName(name);
    checkFormat(format);
    // The size follows from the length alone: an oversized text is refused before it is copied to the worker.
    const size = base64DecodedSize(contentBase64);
    if (size > MAX_RECORDING_BYTES)
      throw new InputError(`the recording is ${size} bytes; at most ${MAX_RECORDING_BYTES} bytes (100 MB) are accepted`, { bytes: size });
    const bytes = await this.pool.run('decodeBase64', { text: contentBase64, maxBytes: MAX_RECORDING_BYTES });
    return this.store(validated, format, bytes, user);
  }

  /**
   * Stores a file unless the same content is stored already (then that recording is returned,
   * with its first name and owner). A file that does not parse as its format, or is too short to
   * analyse with the default window, is refused and nothing is stored. Without a user (the seed)
   * the recording is the system's.
   */
  async store(name: string, format: RecordingFormat, bytes: Uint8Array, user?: User): Promise<EmgRecording> {
    const validated = validName(name);
    checkFormat(format);
    if (bytes.byteLength > MAX_RECORDING_BYTES)
      throw new InputError(`the recording is ${bytes.byteLength} bytes; at most ${MAX_RECORDING_BYTES} bytes (100 MB) are accepted`);
    const id = await contentId(bytes);
    const existing = (await repo.findRecordingsByIds(this.db, [id])).get(id);
    if (existing) {
      if (existing.format !== format) {
        throw new InputError(`this file is stored already as ${existing.format} recording ${id}; it cannot also be ${format}`, {
          id,
          format: existing.format,
        });
      }
      return existing;
    }
    // Throws InputError (BAD_USER_INPUT) with the reader's message for a corrupt file.
    const metadata = await this.pool.run('metadata', { format, bytes });
    // A stored recording is listed for everyone; one whose analysis can only fail is refused here.
    checkAnalysable(metadata, DEFAULT_WINDOW_MS);
    return repo.insertRecording(this.db, id, validated, format, bytes, ownerFor(user));
  }

  /** Whether a recording with this id is stored (the seed skips those). */
  async exists(id: string): Promise<boolean> {
    return (await repo.findRecordingsByIds(this.db, [id])).has(id);
  }

  /** Deletes a recording; only its first uploader or an admin may (seeded recordings: admin). */
  async delete(id: string, user?: User): Promise<void> {
    await this.db.transaction(async (tx) => {
      const recording = await repo.lockRecording(tx, id);
      if (!recording) throw new NotFoundError(`EMG recording ${id} does not exist`, { id });
      checkOwnership(user, recording.owner, `EMG recording ${id}`);
      await repo.deleteRecording(tx, id);
    });
  }

  async metadata(recording: EmgRecording): Promise<RecordingMetadata> {
    const bytes = await this.bytesOf(recording);
    return this.pool.run('metadata', { format: recording.format, bytes }, [bytes.buffer as ArrayBuffer]);
  }

  async analysis(recording: EmgRecording, windowMs: number): Promise<RecordingAnalysis> {
    if (!Number.isInteger(windowMs) || windowMs < MIN_WINDOW_MS || windowMs > MAX_WINDOW_MS) {
      throw new InputError(`windowMs must be an integer from ${MIN_WINDOW_MS} to ${MAX_WINDOW_MS}, got ${windowMs}`, { windowMs });
    }
    const bytes = await this.bytesOf(recording);
    return this.pool.run('analysis', { format: recording.format, bytes, windowMs }, [bytes.buffer as ArrayBuffer]);
  }

  /** A generated demo recording as C3D bytes (generateDemoRecording, in the worker). */
  demoRecording(options: DemoRecordingOptions): Promise<Uint8Array> {
    return this.pool.run('demo', options);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** The stored file in a buffer of its own, so it can be moved to the worker rather than copied. */
  private async bytesOf(recording: EmgRecording): Promise<Uint8Array> {
    const bytes = await repo.loadRecordingBytes(this.db, recording.id);
    if (!bytes) throw new NotFoundError(`EMG recording ${recording.id} does not exist`, { id: recording.id });
    const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    // pg hands small values out of Buffer's shared pool and PGlite may return a view; those are copied.
    return owned ? bytes : new Uint8Array(bytes);
  }
}

/** The id of a recording: SHA-256 of its content as lower-case hex (hashed on libuv's thread pool). */
export async function contentId(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex');
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new InputError('recording name must not be empty');
  if (trimmed.length > MAX_NAME_LENGTH) throw new InputError(`recording name must be at most ${MAX_NAME_LENGTH} characters`);
  return trimmed;
}

function checkFormat(format: string): asserts format is RecordingFormat {
  if (!RECORDING_FORMATS.includes(format as RecordingFormat))
    throw new InputError(`format must be one of ${RECORDING_FORMATS.join(', ')}, got ${format}`);
}
