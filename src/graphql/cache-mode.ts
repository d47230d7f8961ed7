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
