import { DirectiveLocation, GraphQLDirective, GraphQLEnumType, GraphQLInt } from 'graphql';
import { Directive, Extensions } from 'type-graphql';
import { entityTag, type Tag, typeTag, userTag } from '../cache/tags';
import { TTL } from '../cache/ttl';
import type { User } from '../identity';

export { entityTag, typeTag, userTag, TTL, type Tag };

export type CacheScope = 'PUBLIC' | 'PRIVATE';

export const CacheScopeEnum = new GraphQLEnumType({
  name: 'CacheScope',
  description: 'Who may share a cached value',
  values: {
    PUBLIC: { description: 'One value for every caller' },
    PRIVATE: { description: 'One value per authenticated user; asking without a user is UNAUTHENTICATED' },
  },
});

/** The SDL definition of @cached, added to the schema so clients see what is cached and for how long. */
export const cachedDirective = new GraphQLDirective({
  name: 'cached',
  description: 'The field is served from the cache',
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: {
    ttl: { type: GraphQLInt, description: 'Seconds a value stays fresh (CACHE_DEFAULT_TTL when absent)' },
    scope: { type: CacheScopeEnum, defaultValue: 'PUBLIC' },
    swr: { type: GraphQLInt, description: 'Seconds a stale value may still be served while one refresh runs' },
  },
});

export interface TagInput {
  parent: any;
  args: Record<string, any>;
  user?: User;
}

/** How one field is cached. */
export interface CachePolicy {
  /** Seconds; a TTL class from TTL. */
  ttl?: number;
  scope?: CacheScope;
  swr?: number;
  /**
   * Tags beyond the parent entity's own (`Type:id`, added for every non-root field). Root
   * fields name theirs here, e.g. the runs a comparison was computed from.
   */
  tags?: (input: TagInput) => Tag[];
  /** List arguments whose order does not matter (sorted in the key). */
  setArgs?: string[];
  /**
   * Cost points of computing the field once (per parent), for the query cost analysis
   * (src/graphql/guard); its children are charged per item of a list. Default: 1 for an
   * object or list, 0 for a scalar.
   */
  cost?: FieldCost;
}

/** Cost points of a field: a number, or one computed from its coerced arguments (e.g. per id compared). */
export type FieldCost = number | ((args: Record<string, any>) => number);

/** Where an uncached field's cost travels to the schema's field extensions. */
export const FIELD_COST = 'cachegateCost';

/** Declares the cost of a field that is not @cached (mutations, lookups); @Cached takes `cost` in its policy. */
export function Cost(cost: FieldCost): MethodDecorator & PropertyDecorator {
  const extensions = Extensions({ [FIELD_COST]: cost });
  return (target: object, key: string | symbol, descriptor?: PropertyDescriptor) => {
    extensions(target, key, descriptor as any);
  };
}

/** Where a policy travels from the decorator to the schema's field extensions. */
export const CACHE_POLICY = 'cachegatePolicy';

/**
 * Tags a root lookup's data depends on, derived from its arguments before anything is loaded
 * (e.g. `Query.dataset` → Dataset:{id}). The field itself is not cached, but a query made only
 * of such lookups and @cached fields may be answered from one whole-response entry.
 */
export type LookupTags = (args: Record<string, any>) => Tag[];

/** Where a lookup's tags travel from the decorator to the schema's field extensions. */
export const LOOKUP_TAGS = 'cachegateLookupTags';

/** Marks a root query as an entity lookup whose whole response may be cached, stamped with these tags. */
export function CacheableLookup(tagsOf: LookupTags): MethodDecorator {
  const extensions = Extensions({ [LOOKUP_TAGS]: tagsOf });
  return (target, key, descriptor) => extensions(target, key, descriptor as any);
}

/** Caches a field: emits `@cached(...)` into the SDL and hands the policy to the cache binding. */
export function Cached(policy: CachePolicy): MethodDecorator & PropertyDecorator {
  const args = [
    policy.ttl !== undefined ? `ttl: ${policy.ttl}` : '',
    policy.scope === 'PRIVATE' ? 'scope: PRIVATE' : '',
    policy.swr !== undefined ? `swr: ${policy.swr}` : '',
  ].filter(Boolean);
  const directive = Directive(args.length ? `@cached(${args.join(', ')})` : '@cached');
  const extensions = Extensions({ [CACHE_POLICY]: policy });
  return (target: object, key: string | symbol, descriptor?: PropertyDescriptor) => {
    directive(target, key, descriptor as any);
    extensions(target, key, descriptor as any);
  };
}
