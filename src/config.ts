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
  /** Serves fully cacheable queries from one whole-response entry (fields are cached either way). */
  CACHE_RESPONSES: bool.default(true),
  /** Lets V8 pretenure allocation sites; off keeps hits as fast after a miss storm as before it (src/server/v8-tuning.ts). */
  V8_PRETENURING: bool.default(false),
  /** Loads the demo data (vega datasets, onboarding steps, model runs, EMG recordings) on first start. */
  SEED: bool.default(true),
  /** HS256 secret for bearer tokens; required in production. */
  JWT_SECRET: z.preprocess(emptyAsUndefined, z.string().min(16, 'JWT_SECRET must be at least 16 characters').optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof schema>;

/** Where the shared cache tier lives, read from REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS (the cache's RedisTopology). */
export type RedisSettings =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: { host: string; port: number }[]; username?: string; password?: string }
  | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; name: string; sentinelPassword?: string; username?: string; password?: string };

export interface Config extends Omit<Env, 'JWT_SECRET'> {
  JWT_SECRET: string;
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
  return {
    ...e,
    // Without Redis the in-process tier is the whole cache: 0 cannot turn it off.
    CACHE_L1_MAX_BYTES: !redis && e.CACHE_L1_MAX_BYTES === 0 ? DEFAULT_L1_MAX_BYTES : e.CACHE_L1_MAX_BYTES,
    redis,
    JWT_SECRET: e.JWT_SECRET ?? DEV_JWT_SECRET,
    usingDevJwtSecret: !e.JWT_SECRET,
    dataDir: path.resolve(e.DATA_DIR),
    production,
  };
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
