import { createHash } from 'node:crypto';

/**
 * Every Redis key of the gateway is built here, and nowhere else.
 *
 *   {prefix}:{schemaVersion}:f:{Type.field}:{parent id}:{args}[:u:{user}:{role}]   a field value
 *   {prefix}:tag:{tag}                                                                a tag's version
 *
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
 * The arguments as one canonical string: keys sorted, null and absent alike omitted, set-like
 * lists sorted, nested values as canonical JSON. The caller passes coerced arguments, so
 * explicit defaults and argument order already make no difference.
 */
export function canonicalArgs(args: Record<string, unknown>, opts: ArgsCanonicalOptions = {}): string {
  const parts: string[] = [];
  for (const name of Object.keys(args).sort()) {
    let value = args[name];
    if (value === null || value === undefined) continue;
    if (Array.isArray(value) && opts.setArgs?.includes(name)) value = [...new Set(value.map(canonicalJson))].sort().map((v) => JSON.parse(v));
    const text = typeof value === 'string' ? value : canonicalJson(value);
    parts.push(`${name}=${text}`);
  }
  return parts.join(',');
}

/** JSON with object keys sorted at every depth. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
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
    space.schemaVersion,
    'f',
    encodeSegment(parts.coordinate),
    parts.parentId === undefined ? '-' : encodeSegment(parts.parentId),
    parts.args === '' ? '-' : encodeSegment(parts.args),
  ];
  if (parts.user) segments.push('u', encodeSegment(parts.user.id), encodeSegment(parts.user.role));
  return segments.join(':');
}

export function tagKey(space: KeySpace, tag: string): string {
  return `${space.prefix}:tag:${encodeSegment(tag)}`;
}

/** Escapes glob characters so a literal string can sit inside a SCAN MATCH pattern. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
