import type { CacheLogger } from './errors-are-misses';
import { keyHash } from './keys';
import type { StatsRecorder } from './stats';

/**
 * Debug lines for cache hits and misses: the field coordinate and a short hash of the key,
 * never the key itself (it holds user ids and arguments) nor the value. Registered only when
 * the logger would print them, so a production logger pays nothing per event.
 */
export function logCacheEvents(stats: StatsRecorder, logger: CacheLogger): void {
  if (logger.isLevelEnabled && !logger.isLevelEnabled('debug')) return;
  stats.onEvent((e) => {
    if (e.type !== 'hit' && e.type !== 'miss') return;
    logger.debug({ coordinate: e.label, key: e.key === undefined ? undefined : keyHash(e.key), ms: Math.round(e.ms * 100) / 100 }, `cache ${e.type}`);
  });
}
