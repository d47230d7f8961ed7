import { createHash } from 'node:crypto';

/**
 * Every Redis key of the gateway is built here, and nowhere else.
 *
 *   {prefix}:{schemaVersion}:f:{Type.field}:{parent id}:{args}[:u:{user}:{role}]   a field value
 *   {prefix}:{schemaVersion}:r:{operation}:{hash}[:u:{user}:{role}]                 a whole response
 *   {prefix}:apq:{sha256}                                                             a persisted query's text
 *   {prefix}:tag:{tag}:{{prefix}.tags}                                                 a tag's version
 *   {prefix}:meta:watermark:{{prefix}.tags}                                            the last invalidation-log position applied
 *   {prefix}:lease:{hash of an entry key}                                             who computes that entry now (compute-lease.ts)
 *   {prefix}:rl:{identity}:{window}                                                   cost points an identity spent in one rate-limit window (rate-counter.ts)
 *
 * {schemaVersion} is followed by `.g{n}` once the cache has moved to generation n (a Redis found
 * older than the invalidation log past its retention): every entry of an older generation is
 * then a miss. Generation 0 adds nothing.
 * Segments stay readable in redis-cli: safe characters pass through, others are
 * percent-escaped (so `:` and the glob characters `* ? [ ]` never appear raw and no two
 * different inputs build the same key), and a segment longer than MAX_READABLE is replaced
 * by `#` and its SHA-256. Tag keys carry no schema version: a mutation must reach the
 * entries of every deployed schema version.
 */
export interface KeySpace {
  /** REDIS_CACHE_PREFIX; admin pattern operations never leave it. */
  prefix: string;
  /** Changes whenever the schema does, so a new schema never reads an old shape. */
  schemaVersion: string;
  /**
   * The cache generation (src/cache/invalidation-relay.ts moves it); 0 or absent until the first
   * move. Mutable on purpose: every part holding this space builds its next key in the new one.
   */
  generation?: number;
}

/** The schema segment of entry keys: the schema version, and the generation once past 0. */
function schemaSegment(space: KeySpace): string {
  return space.generation ? `${space.schemaVersion}.g${space.generation}` : space.schemaVersion;
}

const MAX_READABLE = 100;
const SAFE = /^[A-Za-z0-9_.\-@+/]$/;

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The schema version segment: a short hash of the printed schema. */
export function schemaVersionOf(sdl: string): string {
  return `s${sha256Hex(sdl).slice(0, 10)}`;
}

/** Escapes one key segment: readable, colon-free, glob-free, and hashed when long. */
export function encodeSegment(raw: string): string {
  let out = '';
  for (const ch of raw) {
    if (SAFE.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out === '') return '%';
  return out.length > MAX_READABLE ? `#${sha256Hex(raw).slice(0, 32)}` : out;
}

export interface ArgsCanonicalOptions {
  /** Arguments whose list value is a set: order does not matter, so it is sorted. */
  setArgs?: readonly string[];
}

/**
 * The arguments as one canonical string, `name=json,name=json…`: keys sorted, null and absent
 * alike omitted, set-like lists sorted and deduplicated, every value as canonical JSON (strings
 * quoted). Injective: a JSON value's end is found by parsing it, and a name that is not a
 * GraphQL name is JSON-quoted too, so `column: "a,column2=b"` can never read as two arguments
 * (test/cache/keys.property.test.ts). The caller passes coerced arguments, so explicit defaults
 * and argument order already make no difference.
 */
export function canonicalArgs(args: Record<string, unknown>, opts: ArgsCanonicalOptions = {}): string {
  const parts: string[] = [];
  for (const name of Object.keys(args).sort()) {
    let value = args[name];
    if (value === null || value === undefined) continue;
    if (Array.isArray(value) && opts.setArgs?.includes(name)) value = [...new Set(value.map(canonicalJson))].sort().map((v) => JSON.parse(v));
    parts.push(`${GRAPHQL_NAME.test(name) ? name : JSON.stringify(name)}=${canonicalJson(value)}`);
  }
  return parts.join(',');
}

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** JSON with object keys sorted at every depth. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export interface FieldKeyParts {
  /** Type.field */
  coordinate: string;
  /** The parent object's id; absent for root fields. */
  parentId?: string;
  /** Output of canonicalArgs. */
  args: string;
  /** For PRIVATE fields: the verified user; the role too, so a demoted admin never reads what admins saw. */
  user?: { id: string; role: string };
}

export function fieldKey(space: KeySpace, parts: FieldKeyParts): string {
  const segments = [
    space.prefix,
    schemaSegment(space),
    'f',
    encodeSegment(parts.coordinate),
    parts.parentId === undefined ? '-' : encodeSegment(parts.parentId),
    parts.args === '' ? '-' : encodeSegment(parts.args),
  ];
  if (parts.user) segments.push('u', encodeSegment(parts.user.id), encodeSegment(parts.user.role));
  return segments.join(':');
}

/**
 * The Redis Cluster hash tag of every tag version and of the watermark: one slot holds them all,
 * so a read's tag versions are one MGET, and the relay's script (new versions, the watermark
 * above them) is one atomic script on a cluster as on one Redis. The cost: one master serves
 * every version read, the load one Redis serves without a cluster; the entries themselves, the
 * bulk of the bytes and the memory, stay spread over the slots.
 */
function versionsSlot(space: Pick<KeySpace, 'prefix'>): string {
  return `{${space.prefix}.tags}`;
}

export function tagKey(space: Pick<KeySpace, 'prefix'>, tag: string): string {
  return `${space.prefix}:tag:${encodeSegment(tag)}:${versionsSlot(space)}`;
}

/** Where the relay keeps the last invalidation-log position Redis has applied (raised atomically by its script, in the tags' slot). */
export function watermarkKey(space: Pick<KeySpace, 'prefix'>): string {
  return `${space.prefix}:meta:watermark:${versionsSlot(space)}`;
}

/** Escapes glob characters so a literal string can sit inside a SCAN MATCH pattern. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

export interface ResponseKeyParts {
  /** SHA-256 of the printed (normalised) document. */
  documentHash: string;
  operationName?: string;
  /** canonicalJson of the coerced variables. */
  variables: string;
  user?: { id: string; role: string };
}

/** The key of a whole response: same document modulo whitespace and comments, same variables in any order. */
export function responseKey(space: KeySpace, parts: ResponseKeyParts): string {
  const hash = sha256Hex(`${parts.documentHash}\n${parts.operationName ?? ''}\n${parts.variables}`).slice(0, 40);
  const segments = [space.prefix, schemaSegment(space), 'r', parts.operationName ? encodeSegment(parts.operationName) : '-', hash];
  if (parts.user) segments.push('u', encodeSegment(parts.user.id), encodeSegment(parts.user.role));
  return segments.join(':');
}

/**
 * The lease of one entry key: held (a few seconds) by the instance computing its value. The
 * entry key is hashed: it may be long, and the lease is not for reading in redis-cli.
 */
export function leaseKey(space: Pick<KeySpace, 'prefix'>, entryKey: string): string {
  return `${space.prefix}:lease:${sha256Hex(entryKey).slice(0, 32)}`;
}

/**
 * The points one identity (`u:<user id>`, `a:<client address>`) spent in one fixed rate-limit
 * window, numbered from the epoch: each window has a key of its own, which expires with it.
 */
export function rateKey(space: Pick<KeySpace, 'prefix'>, identity: string, window: number): string {
  return `${space.prefix}:rl:${encodeSegment(identity)}:${window}`;
}

/** Where an automatic persisted query's text is kept, by its SHA-256. */
export function persistedQueryKey(space: KeySpace, sha256: string): string {
  return `${space.prefix}:apq:${encodeSegment(sha256)}`;
}

// ---------------------------------------------------------------------------------------------
// Administration: the deployment-wide stats, patterns under the prefix, and reading keys back.
//
//   {prefix}:stats:totals:{{prefix}.stats}   hash of counters (hits, misses, …) summed over every instance
//   {prefix}:stats:fields:{{prefix}.stats}   hash of per-coordinate counters ("Dataset.statistics|hits", …)
//
// Stats keys are bookkeeping, not cache: clearing or pattern-deleting the cache leaves them.
// They end in a Redis Cluster hash tag (the braces), so both hashes sit in one slot and are
// written in one MULTI on a cluster too. Tag versions and the watermark end in one of their own
// (versionsSlot). No other key has braces: encodeSegment escapes them, so every other key is
// spread over the slots by its whole name.

export type StatsHash = 'totals' | 'fields';

export function statsKey(space: Pick<KeySpace, 'prefix'>, hash: StatsHash): string {
  return `${space.prefix}:stats:${hash}:{${space.prefix}.stats}`;
}

/** True for every key this gateway may touch: those under `{prefix}:`. */
export function isUnderPrefix(space: Pick<KeySpace, 'prefix'>, key: string): boolean {
  return key.startsWith(`${space.prefix}:`);
}

/**
 * True for bookkeeping (the stats hashes, the invalidation watermark, rate-limit counters), which
 * cache administration (clear, patterns, key counts) leaves alone: clearing the cache must not
 * hand every client a fresh budget.
 */
export function isBookkeepingKey(space: Pick<KeySpace, 'prefix'>, key: string): boolean {
  return isStatsKey(space, key) || key.startsWith(`${space.prefix}:meta:`) || key.startsWith(`${space.prefix}:rl:`);
}

/** True for the stats hashes. */
export function isStatsKey(space: Pick<KeySpace, 'prefix'>, key: string): boolean {
  return key.startsWith(`${space.prefix}:stats:`);
}

/**
 * The SCAN MATCH pattern for `pattern` (a Redis glob) applied to the part of a key after
 * `{prefix}:`. The prefix itself is escaped, so `*` never reaches another application's keys,
 * nor keys that merely start with the same letters (`{prefix}x`).
 */
export function patternUnderPrefix(space: Pick<KeySpace, 'prefix'>, pattern: string): string {
  return `${escapeGlob(space.prefix)}:${pattern}`;
}

/** The pattern (after the prefix) of every key private to one user; refine with isPrivateKeyOf. */
export function userKeysPattern(userId: string): string {
  return `*:u:${escapeGlob(encodeSegment(userId))}:*`;
}

export type KeyKind = 'field' | 'response' | 'tag' | 'persisted-query' | 'stats' | 'other';

/** What a key under the prefix holds, read from its segments; 'other' for anything else. */
export function keyKind(space: Pick<KeySpace, 'prefix'>, key: string): KeyKind {
  if (!isUnderPrefix(space, key)) return 'other';
  const rest = key.slice(space.prefix.length + 1).split(':');
  if (rest[0] === 'tag' && rest.length === 3 && rest[2] === versionsSlot(space)) return 'tag';
  if (rest[0] === 'stats') return 'stats';
  if (rest[0] === 'apq' && rest.length === 2) return 'persisted-query';
  if (rest[1] === 'f' && (rest.length === 5 || rest.length === 8)) return 'field';
  if (rest[1] === 'r' && (rest.length === 4 || rest.length === 7)) return 'response';
  return 'other';
}

/** True when key is a field or whole-response entry private to userId (its last segments are `u:{user}:{role}`). */
export function isPrivateKeyOf(space: Pick<KeySpace, 'prefix'>, key: string, userId: string): boolean {
  const kind = keyKind(space, key);
  if (kind !== 'field' && kind !== 'response') return false;
  const parts = key.split(':');
  return parts[parts.length - 3] === 'u' && parts[parts.length - 2] === encodeSegment(userId);
}

/** A short, stable stand-in for a key in logs: enough to correlate lines, never the key's user id or arguments. */
export function keyHash(key: string): string {
  return sha256Hex(key).slice(0, 12);
}
