import type { CacheMode } from '../cache/tagged-cache';

/**
 * A request's Cache-Control header decides how it uses the cache: `no-store` neither reads
 * nor writes it, `no-cache` computes fresh values and stores them, anything else reads first.
 */
export function cacheModeOf(cacheControl: string | undefined): CacheMode {
  if (!cacheControl) return 'normal';
  const directives = cacheControl
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (directives.includes('no-store')) return 'bypass';
  if (directives.includes('no-cache')) return 'refresh';
  return 'normal';
}

/** Why a request's own cache flag was refused: the message a client gets with BAD_USER_INPUT. */
export class CacheFlagError extends Error {
  name = 'CacheFlagError';
}

/**
 * The cache mode a request asks for in itself, for clients that cannot set headers (a link, a
 * notebook): `use_cache=false` on a GET's query string or `"extensions": {"useCache": false}`
 * in a POST (or a GET's `extensions`) neither reads nor writes the cache, like `no-store`;
 * `refresh` computes fresh values and stores them, like `no-cache`. Undefined when the request
 * says nothing; `true` says "normal".
 */
export function requestedCacheMode(useCacheParam: string | undefined, extensions: Record<string, unknown> | undefined): CacheMode | undefined {
  const fromExtensions = extensions?.useCache;
  const value = useCacheParam ?? (fromExtensions === undefined ? undefined : String(fromExtensions));
  if (value === undefined) return undefined;
  switch (value.toLowerCase()) {
    case 'false':
    case '0':
    case 'no':
      return 'bypass';
    case 'refresh':
      return 'refresh';
    case 'true':
    case '1':
    case 'yes':
      return 'normal';
    default:
      throw new CacheFlagError(`useCache must be true, false or "refresh" (got ${JSON.stringify(value)})`);
  }
}

const STRICTNESS: Record<CacheMode, number> = { normal: 0, refresh: 1, bypass: 2 };

/** Of the header's mode and the request's own, the one that uses the cache least: a client never gets more caching than it asked for. */
export function strictestCacheMode(a: CacheMode, b: CacheMode | undefined): CacheMode {
  return b !== undefined && STRICTNESS[b] > STRICTNESS[a] ? b : a;
}
