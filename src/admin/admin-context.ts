import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import type { CacheAdmin } from '../cache/cache-admin';
import type { CacheLogger } from '../cache/errors-are-misses';
import type { Tag } from '../cache/tags';

/** What the admin resolvers work with: the gateway's cache administration, a logger for the audit lines, and the domains' tags. */
export interface AdminDeps {
  cache: CacheAdmin;
  logger: Pick<CacheLogger, 'info'>;
  /** The tag of one entity as its domain writes it (admin invalidation by dataset or model run). */
  entityTag(typename: string, id: string): Tag;
}

// Keyed by the schema the resolvers run in: one gateway, one schema, one cache (tests run
// several gateways in one process). Nothing request-scoped lives here.
const bySchema = new WeakMap<GraphQLSchema, AdminDeps>();

/** Hands a gateway's cache administration to the admin resolvers of its schema; call once after building both. */
export function provideCacheAdmin(schema: GraphQLSchema, deps: AdminDeps): void {
  bySchema.set(schema, deps);
}

export function adminOf(info: GraphQLResolveInfo): AdminDeps {
  const deps = bySchema.get(info.schema);
  // Our bug, not the client's: the gateway must provide the cache before serving.
  if (!deps) throw new Error('cache administration was not provided for this schema (call provideCacheAdmin in the gateway)');
  return deps;
}
