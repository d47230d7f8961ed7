import { createHash } from 'node:crypto';
import { CodecError, decodeValue, encodeValue } from './codec';
import type { CacheLogger } from './errors-are-misses';
import { type KeySpace, tagKey } from './keys';
import type { CacheStats } from './stats';
import type { KeyValueStore } from './store';

/** A whole response as stored: its bytes, and what makes it still true. */
export interface ResponseEntry {
  /** The response body exactly as sent the first time. */
  body: Buffer;
  tags: string[];
  /** versions[i] was the version of tags[i] before any of the response's data was loaded. */
  versions: string[];
  createdAt: number;
  ttlSeconds: number;
  private: boolean;
  etag: string;
}

export const RESPONSE_LABEL = '(whole response)';

/**
 * Whole responses under the versioned-tag protocol: an entry is served only if every tag it
 * was stamped with still has that version. One read for the entry, one for its tags' versions
 * (both from memory when the in-process tier holds them).
 */
export class ResponseCache {
  /**
   * Decoded entries by the bytes they came from: the in-process tier hands back the same Buffer
   * for the same entry, so a hit decodes (and builds its tag keys) once, not per request.
   */
  private readonly decoded = new WeakMap<Buffer, { entry: ResponseEntry; tagKeys: string[]; versionBytes: Buffer[] }>();

  constructor(
    private readonly kv: KeyValueStore,
    private readonly space: KeySpace,
    private readonly stats: CacheStats,
    private readonly logger: CacheLogger,
    private readonly opts: { compressMinBytes: number; maxEntryBytes: number; now?: () => number },
  ) {}

  /** The entry under key if it is fresh and every tag is current; undefined otherwise. */
  async lookup(key: string): Promise<ResponseEntry | undefined> {
    const started = performance.now();
    const [bytes] = await this.kv.getMany([key]);
    const found = bytes ? this.decodeOnce(key, bytes) : undefined;
    const now = (this.opts.now ?? Date.now)();
    if (!found || now >= found.entry.createdAt + found.entry.ttlSeconds * 1000) return this.miss(started);
    const { entry, tagKeys, versionBytes } = found;
    const current = tagKeys.length ? await this.kv.getMany(tagKeys) : [];
    for (let i = 0; i < tagKeys.length; i++) {
      if (current[i] === null || !current[i]!.equals(versionBytes[i])) return this.miss(started);
    }
    this.stats.record({ type: 'hit', label: RESPONSE_LABEL, ms: performance.now() - started });
    return entry;
  }

  async store(key: string, entry: Omit<ResponseEntry, 'etag'> & { etag?: string }): Promise<void> {
    const full: ResponseEntry = { ...entry, etag: entry.etag ?? etagOf(entry.body) };
    const { bytes } = encodeValue(
      [full.body, full.tags, full.versions, full.createdAt, full.ttlSeconds, full.private, full.etag],
      this.opts.compressMinBytes,
    );
    if (bytes.length > this.opts.maxEntryBytes) {
      this.stats.record({ type: 'oversize' });
      return;
    }
    if (await this.kv.setMany([{ key, value: bytes, ttlMs: entry.ttlSeconds * 1000 }])) this.stats.record({ type: 'set', count: 1 });
  }

  private miss(started: number): undefined {
    this.stats.record({ type: 'miss', label: RESPONSE_LABEL, ms: performance.now() - started });
    return undefined;
  }

  private decodeOnce(key: string, bytes: Buffer): { entry: ResponseEntry; tagKeys: string[]; versionBytes: Buffer[] } | undefined {
    let found = this.decoded.get(bytes);
    if (!found) {
      const entry = this.decode(key, bytes);
      if (!entry) return undefined;
      found = { entry, tagKeys: entry.tags.map((t) => tagKey(this.space, t)), versionBytes: entry.versions.map((v) => Buffer.from(v)) };
      this.decoded.set(bytes, found);
    }
    return found;
  }

  private decode(key: string, bytes: Buffer): ResponseEntry | undefined {
    try {
      const raw = decodeValue(bytes);
      if (!Array.isArray(raw) || raw.length !== 7) throw new CodecError('malformed response entry');
      const [body, tags, versions, createdAt, ttlSeconds, isPrivate, etag] = raw as [Uint8Array, string[], string[], number, number, boolean, string];
      return { body: Buffer.from(body.buffer, body.byteOffset, body.byteLength), tags, versions, createdAt, ttlSeconds, private: isPrivate, etag };
    } catch (err) {
      this.stats.record({ type: 'error', op: 'decode' });
      this.logger.warn({ err: (err as Error).message, key }, 'unreadable response entry; treating it as a miss');
      return undefined;
    }
  }
}

/** A strong ETag of a body. */
export function etagOf(body: Buffer | string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}
