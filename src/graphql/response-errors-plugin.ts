import type { ApolloServerPlugin } from '@apollo/server';
import type { CacheContext } from './apply-caching';

/** Marks a request whose response carries errors: such a response is never cached whole. */
export function responseErrorsPlugin(): ApolloServerPlugin<CacheContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (!contextValue.cache) return;
          if (response.body.kind !== 'single' || response.body.singleResult.errors?.length) contextValue.cache.wholeResponseStorable = false;
        },
      };
    },
  };
}
