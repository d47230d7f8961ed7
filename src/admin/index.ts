/** Cache administration over GraphQL: stats, health, entries and invalidation. */
import { CacheAdminResolver } from './admin.resolver';

export { provideCacheAdmin, type AdminDeps } from './admin-context';

/** Resolvers the gateway's schema adds to the domains'. */
export const adminResolvers: Function[] = [CacheAdminResolver];
