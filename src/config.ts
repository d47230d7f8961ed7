import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting of the gateway, read and validated once from the environment.
 * The README's settings table mirrors this file; keep them together.
 */
const DEV_JWT_SECRET = 'cachegate-development-secret-do-not-use-in-production';
const DEFAULT_L1_MAX_BYTES = 64 * 1024 * 1024;

const bool = z.enum(['1', '0', 'true', 'false', 'yes', 'no', '']).transform((v) => v === '1' || v === 'true' || v === 'yes');
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** HTTP port. */
  PORT: int(0, 65535).default(4000),
  /** Folder for the embedded database and other local state. */
  DATA_DIR: z.string().default('./data'),
  /** PostgreSQL connection string; unset means embedded PGlite in DATA_DIR. */
  DATABASE_URL: z.preprocess(emptyAsUndefined, z.string().optional()),
  /**
   * Milliseconds to wait for a PostgreSQL connection (new or from the pool) before the request
   * fails with SERVICE_UNAVAILABLE; without it an unreachable database hung every miss.
   */
  DATABASE_CONNECT_TIMEOUT_MS: int(1, 600_000).default(2000),
  /**
   * Milliseconds one PostgreSQL statement may take (server-side statement_timeout, and the client
   * gives up as long after sending it, for a server that cannot be reached); then SERVICE_UNAVAILABLE.
   */
  DATABASE_STATEMENT_TIMEOUT_MS: int(1, 3_600_000).default(5000),
  /** redis:// or rediss:// URL; unset means the in-process cache tier only. */
  REDIS_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^rediss?:\/\//, 'REDIS_URL must start with redis:// or rediss://')
      .optional(),
  ),
  /** Comma-separated host:port list of Redis Cluster seed nodes (instead of REDIS_URL); the rest of the cluster is discovered. */
  REDIS_CLUSTER_NODES: z.preprocess(emptyAsUndefined, z.string().optional()),
  /** Comma-separated host:port list of Redis Sentinels (instead of REDIS_URL); needs REDIS_SENTINEL_NAME. */
  REDIS_SENTINELS: z.preprocess(emptyAsUndefined, z.string().optional()),
  /** The master name the sentinels monitor (`sentinel monitor <name> …`). */
  REDIS_SENTINEL_NAME: z.preprocess(emptyAsUndefined, z.string().optional()),
  /** Password of the sentinels themselves, when they ask for one. */
  REDIS_SENTINEL_PASSWORD: z.preprocess(emptyAsUndefined, z.string().optional()),
  /** User and password for the cluster's nodes or the sentinels' master (with REDIS_URL they are in the URL). */
  REDIS_USERNAME: z.preprocess(emptyAsUndefined, z.string().optional()),
  REDIS_PASSWORD: z.preprocess(emptyAsUndefined, z.string().optional()),
  /** Prefix of every key this gateway writes; admin pattern operations never leave it. */
  REDIS_CACHE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'REDIS_CACHE_PREFIX may hold letters, digits, _ . - only')
    .default('cachegate'),
  /** TTL in seconds of a @cached field that names none. */
  CACHE_DEFAULT_TTL: int(1).default(300),
  /** Connections to Redis for commands. */
  REDIS_POOL_SIZE: int(1, 64).default(1),
  /** Byte budget of the in-process cache tier; 0 disables it when Redis is configured. */
  CACHE_L1_MAX_BYTES: int(0).default(DEFAULT_L1_MAX_BYTES),
  /** Values larger than this (after compression) are not cached. */
  CACHE_MAX_ENTRY_BYTES: int(1).default(8 * 1024 * 1024),
  /** Values at least this large are compressed. */
  CACHE_COMPRESS_MIN_BYTES: int(0).default(1024),
  /** A Redis command slower than this counts as failed and the value is computed instead. */
  CACHE_REDIS_TIMEOUT_MS: int(1).default(100),
  /**
   * How long one instance may compute a missing value alone (a Redis lease) while the other
   * instances wait for it, in milliseconds; a crashed holder's lease runs out after this. 0 turns
   * the lease off (concurrent misses then run once per process).
   */
  CACHE_LEASE_MS: int(0, 600_000).default(5000),
  /** Entries live up to this fraction less than their TTL, at random, so values written together do not expire together. */
  CACHE_TTL_JITTER: z.coerce.number().min(0).max(0.5).default(0.1),
  /** Adds per-request cache hits and misses to `extensions.cache`. */
  CACHE_DEBUG: bool.default(false),
  /**
   * At most this often (milliseconds) an instance adds its cache counters to the deployment's in
   * Redis; 0 sends them only when cacheStats is read, and at shutdown.
   */
  CACHE_STATS_FLUSH_MS: int(0, 60_000).default(1000),
  /**
   * A mutation answers once the cache has applied the changes it committed (through the
   * database's invalidation log), waiting at most this long in milliseconds; past it, it answers
   * with its data and `extensions.invalidation.status: "PENDING"` (the relay applies them later).
   */
  CACHE_INVALIDATION_WAIT_MS: int(0, 60_000).default(1000),
  /**
   * Hours applied invalidation-log records are kept. A Redis found older than the log (a restore)
   * is caught up from it; one older than this moves the whole cache to a new generation.
   */
  CACHE_LOG_RETENTION_HOURS: z.coerce.number().positive().default(24),
  /**
   * While Redis is unreachable, the in-process tier keeps what this instance computes for at most
   * this long in milliseconds (the gutter), so an outage does not send every request to the
   * database; this instance's own invalidations reach it at once, other instances' do not.
   */
  CACHE_OUTAGE_TTL_MS: int(0, 60_000).default(1000),
  /**
   * A JSON file of queries the gateway runs itself to fill the cache: at startup in priority
   * order, again when the cache moves to a new generation, and on a timer for entries with a
   * refresh interval (src/server/warm/warm-file.ts describes the entries; checked at startup).
   */
  CACHE_WARM_FILE: z.preprocess(emptyAsUndefined, z.string().optional()),
  /**
   * Keys one request may write to the cache: field entries, tag versions it creates, its whole
   * response. Past it, values are computed and answered but not stored (a request over many ids
   * cannot fill Redis). 0: no bound.
   */
  CACHE_MAX_KEYS_PER_REQUEST: int(0).default(500),
  /** Serves fully cacheable queries from one whole-response entry (fields are cached either way). */
  CACHE_RESPONSES: bool.default(true),
  /** Lets V8 pretenure allocation sites; off keeps hits as fast after a miss storm as before it (src/server/v8-tuning.ts). */
  V8_PRETENURING: bool.default(false),
  /** Loads the demo data (vega datasets, onboarding steps, model runs, EMG recordings) on first start. */
  SEED: bool.default(true),
  /**
   * Origins a browser app may call the gateway from: a comma-separated list of origins
   * (`https://app.example.com,http://localhost:5173`) or `*`. Unset: every origin in development,
   * none in production (an operator names them).
   */
  CORS_ORIGINS: z.preprocess(emptyAsUndefined, z.string().optional()),
  /**
   * Seconds a browser (and, for PUBLIC data, a CDN) may reuse a response without asking again.
   * 0 (the default) makes every reuse a revalidation, answered with a cheap 304 while the
   * gateway's cache still holds the same bytes; never more than the smallest TTL of every field
   * in the response (a field that is not cached counts as 0).
   */
  CACHE_HTTP_MAX_AGE: int(0, 7 * 24 * 3600).default(0),
  /** Answers introspection queries. Unset: on in development, off in production (it lists every admin operation). */
  GRAPHQL_INTROSPECTION: z.preprocess(emptyAsUndefined, bool.optional()),
  /** Refuses bearer tokens without an expiry (`exp`): a leaked token must not work forever. */
  JWT_REQUIRE_EXP: bool.default(true),
  /** Largest request body in bytes for anonymous callers and for every query (what a GET's URL or a query's JSON needs). */
  BODY_LIMIT_BYTES: int(1024).default(1024 * 1024),
  /** Largest request body in bytes for an authenticated mutation (CSV and EMG uploads, base64 inside JSON). */
  UPLOAD_BODY_LIMIT_BYTES: int(1024).default(150 * 1024 * 1024),
  /**
   * Columns a CSV dataset upload may have; a wider header is refused (BAD_USER_INPUT) before its
   * rows are parsed. Every dataset query costs at least linear in the columns, and a
   * million-column table made every `datasets { columns }` 20 MB.
   */
  DATASET_MAX_COLUMNS: int(1, 100_000).default(1000),
  /**
   * UTF-8 bytes of one CSV dataset upload or append. At most 50 MiB: the csv argument's own bound
   * (src/domains/datasets/dataset.args.ts) is 50 Mi characters.
   */
  DATASET_MAX_CSV_BYTES: int(1024, 50 * 1024 * 1024).default(50 * 1024 * 1024),
  /**
   * Bytes of stored dataset rows (their JSON text) kept in memory for charts, EDA and training, by
   * version: thirty aliased charts on flights-200k read its rows once, not thirty times. 0 keeps
   * none (concurrent jobs on one version still share one read).
   */
  DATASET_ROWS_MEMORY_BYTES: int(0).default(128 * 1024 * 1024),
  /** Largest query text in bytes that an automatic persisted query may register. */
  APQ_MAX_QUERY_BYTES: int(64).default(64 * 1024),
  /** HS256 secret for bearer tokens; required in production. */
  JWT_SECRET: z.preprocess(emptyAsUndefined, z.string().min(16, 'JWT_SECRET must be at least 16 characters').optional()),
  /** Cost points one operation may cost (src/graphql/guard): a field costs what it declares, children are charged per list item. */
  QUERY_MAX_COST: int(1).default(5000),
  /** Nesting of an operation's selections, fragments expanded. */
  QUERY_MAX_DEPTH: int(1).default(15),
  /** Aliased fields in one document (aliases let one request ask for one expensive field many times). */
  QUERY_MAX_ALIASES: int(0).default(30),
  /** Directives in one document. */
  QUERY_MAX_DIRECTIVES: int(0).default(50),
  /** Lexical tokens in one document; the parser stops past it. */
  QUERY_MAX_TOKENS: int(100).default(5000),
  /** Field selections of one operation once fragments are expanded. */
  QUERY_MAX_FIELDS: int(1).default(1000),
  /**
   * Cost points (the guard's, as in `extensions.cost`) an anonymous caller (per client address)
   * or a user may spend per RATE_LIMIT_WINDOW_MS, across every instance; a request that executes
   * is charged its cost, a whole-response hit nothing. Past it: 429 with Retry-After. 0 turns
   * rate limiting off.
   */
  RATE_LIMIT_POINTS: int(0).default(100_000),
  /** An admin's cost points per window (higher: administration and dashboards). */
  RATE_LIMIT_ADMIN_POINTS: int(0).default(1_000_000),
  /** Length of one rate-limit window in milliseconds (fixed windows, the same on every instance). */
  RATE_LIMIT_WINDOW_MS: int(1000, 24 * 3600 * 1000).default(60_000),
  /** Items a list field without a `limit`, `ids` or `topN` argument is charged for. */
  QUERY_DEFAULT_LIST_SIZE: int(1).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto`: readable lines at a terminal in development, JSON otherwise; `json` or `pretty` force one. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
});

export type Env = z.infer<typeof schema>;

/** Where the shared cache tier lives, read from REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS (the cache's RedisTopology). */
export type RedisSettings =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: { host: string; port: number }[]; username?: string; password?: string }
  | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; name: string; sentinelPassword?: string; username?: string; password?: string };

export interface Config extends Omit<Env, 'JWT_SECRET' | 'CORS_ORIGINS' | 'GRAPHQL_INTROSPECTION'> {
  JWT_SECRET: string;
  /** The origins a browser app may call from; '*' for any. Empty: no cross-origin calls. */
  CORS_ORIGINS: string[] | '*';
  GRAPHQL_INTROSPECTION: boolean;
  /** The shared tier; undefined means the in-process tier alone. */
  redis?: RedisSettings;
  /** True when JWT_SECRET was not given and the development secret is in use. */
  usingDevJwtSecret: boolean;
  dataDir: string;
  production: boolean;
}

/** Thrown when the environment does not describe a runnable gateway; the message names the fix. */
export class ConfigError extends Error {
  name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid settings: ${problems}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const redis = redisSettings(e);
  if (production && !e.JWT_SECRET) {
    throw new ConfigError('JWT_SECRET is required when NODE_ENV=production (at least 16 characters)');
  }
  const corsOrigins = e.CORS_ORIGINS === undefined ? (production ? [] : '*') : parseOrigins(e.CORS_ORIGINS);
  return {
    ...e,
    CORS_ORIGINS: corsOrigins,
    GRAPHQL_INTROSPECTION: e.GRAPHQL_INTROSPECTION ?? !production,
    // Without Redis the in-process tier is the whole cache: 0 cannot turn it off.
    CACHE_L1_MAX_BYTES: !redis && e.CACHE_L1_MAX_BYTES === 0 ? DEFAULT_L1_MAX_BYTES : e.CACHE_L1_MAX_BYTES,
    redis,
    JWT_SECRET: e.JWT_SECRET ?? DEV_JWT_SECRET,
    usingDevJwtSecret: !e.JWT_SECRET,
    dataDir: path.resolve(e.DATA_DIR),
    production,
  };
}

/** `*`, or a list of origins as browsers send them (scheme://host[:port], no path). */
function parseOrigins(value: string): string[] | '*' {
  if (value.trim() === '*') return '*';
  const origins = value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || url.origin !== origin) {
      throw new ConfigError(`CORS_ORIGINS: "${origin}" is not an origin; write scheme://host[:port] with no path or trailing slash, or *`);
    }
  }
  return origins;
}

/** One of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS (+ REDIS_SENTINEL_NAME), or none. */
function redisSettings(e: Env): RedisSettings | undefined {
  const given = (['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const).filter((name) => e[name]);
  if (given.length > 1) throw new ConfigError(`${given.join(' and ')} are all set: set only one of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS`);
  const credentials = { username: e.REDIS_USERNAME, password: e.REDIS_PASSWORD };
  if (e.REDIS_CLUSTER_NODES) return { kind: 'cluster', nodes: hostPorts('REDIS_CLUSTER_NODES', e.REDIS_CLUSTER_NODES), ...credentials };
  if (e.REDIS_SENTINELS) {
    if (!e.REDIS_SENTINEL_NAME) throw new ConfigError('REDIS_SENTINELS needs REDIS_SENTINEL_NAME: the master name the sentinels monitor');
    return {
      kind: 'sentinel',
      sentinels: hostPorts('REDIS_SENTINELS', e.REDIS_SENTINELS),
      name: e.REDIS_SENTINEL_NAME,
      sentinelPassword: e.REDIS_SENTINEL_PASSWORD,
      ...credentials,
    };
  }
  return e.REDIS_URL ? { kind: 'single', url: e.REDIS_URL } : undefined;
}

/** "host:port,host:port" as a list; the message names the setting and the bad entry. */
function hostPorts(name: string, list: string): { host: string; port: number }[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^(.+):(\d{1,5})$/.exec(entry);
      const port = Number(m?.[2]);
      if (!m || port < 1 || port > 65535) throw new ConfigError(`${name}: "${entry}" is not host:port (e.g. 10.0.0.5:6379)`);
      return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
    });
}
