import type { ApolloServerPlugin } from '@apollo/server';
import type { CacheContext } from './apply-caching';

/** CACHE_DEBUG: adds `extensions.cache` with this request's hits and misses per field coordinate. */
export function cacheDebugPlugin(): ApolloServerPlugin<CacheContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind !== 'single' || !contextValue.cache) return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cache: { mode: contextValue.cache.mode, fields: contextValue.cache.counts } };
        },
      };
    },
  };
}
