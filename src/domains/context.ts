import type { RequestCache } from '../graphql/request-cache';
import type { User } from '../identity';
import type { Loaders, Services } from './index';

/** What every resolver receives: the verified user (if any), process-wide services, per-request loaders. */
export interface AppContext {
  user?: User;
  services: Services;
  loaders: Loaders;
  /** The request's view of the cache (read by the @cached binding, never by domain code). */
  cache?: RequestCache;
}
