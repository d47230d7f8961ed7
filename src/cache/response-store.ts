import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { decodeResponseEntry, encodeResponseEntry, type ResponseEntry } from './codec';
import type { CacheLogger } from './errors-are-misses';
import { type KeySpace, tagKey } from './keys';
import type { StatsRecorder } from './stats';
import type { KeyValueStore } from './store';

export type { ResponseEntry };

/** A lookup's answer: the entry, or, on a miss, the tag versions the lookup read (by tag key) so the miss need not read them again. */
export type ResponseLookup = { hit: ResponseEntry } | { hit?: undefined; versionsRead: Map<string, Buffer | null> };

export const RESPONSE_LABEL = '(whole response)';
/** Distinct operation names counted apart; later ones share one row (clients choose the names, the stats must stay small). */
export const MAX_RESPONSE_LABELS = 100;
const OTHER_LABEL = `${RESPONSE_LABEL} (other operations)`;

/** An entry decoded once, with what a lookup compares against. */
interface Decoded {
  /** The stored bytes it was decoded from: a later read is this entry only if its bytes are equal. */
  bytes: Buffer;
  entry: ResponseEntry;
  tagKeys: string[];
  /** The entry's key followed by tagKeys: what one read fetches. */
  readKeys: string[];
  versionBytes: Buffer[];
  /** When the entry's own TTL runs out (ms since the epoch). */
  expiresAt: number;
  /** The stats row of its operation, worked out once. */
  label: string;
}

/** How many bytes of decoded entries are kept to skip decoding an unchanged entry. */
const DECODED_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Whole responses under the versioned-tag protocol: an entry is served only if every tag it
 * was stamped with still has that version.
 *
 * A lookup reads the entry and the versions of the tags it is expected to carry in one MGET
 * (one memory read with the in-process tier). The expected tags are those of the entry last
 * decoded under the key, or the caller's guess; only tags outside them cost a second read.
 */
export class ResponseStore {
  /** Entries by key, reused while the store hands back the same bytes: a hit decodes nothing. */
  private readonly decoded = new LRUCache<string, Decoded>({ maxSize: DECODED_MAX_BYTES, sizeCalculation: (d) => d.bytes.length + 256 });
  private readonly labels = new Set<string>();

  constructor(
    private readonly kv: KeyValueStore,
    private readonly space: KeySpace,
    private readonly stats: StatsRecorder,
    private readonly logger: CacheLogger,
    private readonly opts: { compressMinBytes: number; maxEntryBytes: number; now?: () => number },
  ) {}

  /** The tag keys to pass to lookup for tags known before the entry is read. */
  tagKeysOf(tags: readonly string[]): string[] {
    return tags.map((t) => tagKey(this.space, t));
  }

  /**
   * The entry under key if it is fresh and every tag is current. expectedTagKeys (from
   * tagKeysOf) are read along with the entry when nothing was decoded under the key yet; a
   * miss hands back every tag version it read.
   */
  async lookup(key: string, expectedTagKeys: readonly string[] = [], operation?: string): Promise<ResponseLookup> {
    const started = performance.now();
    const known = this.decoded.get(key);
    const readAlong = known ? known.tagKeys : expectedTagKeys;
    const values = await this.kv.getMany(known ? known.readKeys : [key, ...readAlong]);
    const bytes = values[0];
    const found = !bytes ? undefined : known && sameBytes(bytes, known.bytes) ? known : this.decodeAndKeep(key, bytes, operation);
    const read = () => new Map(readAlong.map((k, i) => [k, values[i + 1]]));
    if (!found || !this.fresh(found)) return this.miss(key, operation, started, read());
    // The usual case: the tags read along are the entry's own.
    if (found.tagKeys === readAlong)
      return this.current(found, values, 1) ? { hit: this.hit(key, found, started) } : this.miss(key, operation, started, read());
    const versions = read();
    await this.readMissing(found.tagKeys, versions);
    if (
      !this.current(
        found,
        found.tagKeys.map((k) => versions.get(k) ?? null),
        0,
      )
    )
      return this.miss(key, operation, started, versions);
    return { hit: this.hit(key, found, started) };
  }

  /**
   * The entry, answered without waiting, when the in-process tier holds it and its tags'
   * current versions; undefined when that cannot be told at once (then ask lookup). now lets
   * the caller share one clock reading with what it does next (the Age header).
   *
   * Such a hit is counted with a duration of 0: timing it would cost more than it takes.
   */
  lookupNow(key: string, now = (this.opts.now ?? Date.now)()): ResponseEntry | undefined {
    if (!this.kv.peekMany) return undefined;
    const known = this.decoded.get(key);
    if (!known || now >= known.expiresAt) return undefined;
    const values = this.kv.peekMany(known.readKeys);
    if (!values || !sameBytes(values[0], known.bytes) || !this.current(known, values, 1, true)) return undefined;
    this.stats.record({ type: 'hit', label: known.label, key, ms: 0 });
    return known.entry;
  }

  private fresh(found: Decoded): boolean {
    return (this.opts.now ?? Date.now)() < found.expiresAt;
  }

  /**
   * True when versions[first + i], the version tags[i] has now, is the one the entry was stamped
   * with. adopt keeps the Buffers read (the in-process tier's own), so the next check of an
   * unchanged version compares references only.
   */
  private current(found: Decoded, versions: readonly (Buffer | null)[], first: number, adopt = false): boolean {
    for (let i = 0; i < found.tagKeys.length; i++) {
      const now = versions[first + i];
      if (!sameBytes(now, found.versionBytes[i])) return false;
      if (adopt) found.versionBytes[i] = now!;
    }
    return true;
  }

  private hit(key: string, found: Decoded, started: number): ResponseEntry {
    this.stats.record({ type: 'hit', label: found.label, key, ms: performance.now() - started });
    return found.entry;
  }

  async store(key: string, entry: Omit<ResponseEntry, 'etag'> & { etag?: string }): Promise<void> {
    const { bytes } = encodeResponseEntry({ ...entry, etag: entry.etag ?? etagOf(entry.body) }, this.opts.compressMinBytes);
    if (bytes.length > this.opts.maxEntryBytes) {
      this.stats.record({ type: 'oversize' });
      return;
    }
    const ttlMs = entry.ttlSeconds * 1000;
    // The versions the response is stamped with live at least as long as it (they may have been created short-lived).
    const [ok] = await Promise.all([this.kv.setMany([{ key, value: bytes, ttlMs }]), this.kv.extendTtl?.(this.tagKeysOf(entry.tags), ttlMs)]);
    if (ok) this.stats.record({ type: 'set', count: 1 });
  }

  private miss(key: string, operation: string | undefined, started: number, versionsRead: Map<string, Buffer | null>): ResponseLookup {
    this.stats.record({ type: 'miss', label: this.labelOf(operation), key, ms: performance.now() - started });
    return { versionsRead };
  }

  /** `(whole response) OperationName` (`… anonymous` without a name), one shared row past MAX_RESPONSE_LABELS names. */
  private labelOf(operation: string | undefined): string {
    const label = `${RESPONSE_LABEL} ${operation ?? 'anonymous'}`;
    if (this.labels.has(label)) return label;
    if (this.labels.size >= MAX_RESPONSE_LABELS) return OTHER_LABEL;
    this.labels.add(label);
    return label;
  }

  private decodeAndKeep(key: string, bytes: Buffer, operation: string | undefined): Decoded | undefined {
    const entry = this.decode(key, bytes);
    if (!entry) return undefined;
    const tagKeys = this.tagKeysOf(entry.tags);
    const found = {
      bytes,
      entry,
      tagKeys,
      readKeys: [key, ...tagKeys],
      versionBytes: entry.versions.map((v) => Buffer.from(v)),
      expiresAt: entry.createdAt + entry.ttlSeconds * 1000,
      label: this.labelOf(operation),
    };
    this.decoded.set(key, found);
    return found;
  }

  /** Adds to read the versions of the tagKeys it lacks, in one more read. */
  private async readMissing(tagKeys: readonly string[], read: Map<string, Buffer | null>): Promise<void> {
    const rest = tagKeys.filter((k) => !read.has(k));
    const more = rest.length ? await this.kv.getMany(rest) : [];
    rest.forEach((k, i) => read.set(k, more[i]));
  }

  private decode(key: string, bytes: Buffer): ResponseEntry | undefined {
    try {
      return decodeResponseEntry(bytes);
    } catch (err) {
      this.stats.record({ type: 'error', op: 'decode' });
      this.logger.warn({ err: (err as Error).message, key }, 'unreadable response entry; treating it as a miss');
      return undefined;
    }
  }
}

/** Equal bytes; the same Buffer (what the in-process tier hands back) needs no comparison. */
function sameBytes(a: Buffer | null | undefined, b: Buffer): boolean {
  return a === b || (a != null && a.equals(b));
}

/** A strong ETag of a body. */
export function etagOf(body: Buffer | string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}
