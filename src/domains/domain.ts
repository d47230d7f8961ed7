import type { Tag } from '../graphql/cached';
import type { Database } from '../db/database';
import type { TrackedTable } from '../db/invalidation-log';
import type { Seed } from '../db/seed';
import type { TagInvalidator } from '../graphql/invalidation';
import type { Logger } from '../logger';

/** Bounds on uploaded data, from the settings (domains never read settings themselves). */
export interface DomainLimits {
  /** DATASET_MAX_COLUMNS: columns of a CSV dataset upload. */
  datasetMaxColumns: number;
  /** DATASET_MAX_CSV_BYTES: UTF-8 bytes of one CSV upload or append. */
  datasetMaxCsvBytes: number;
  /** DATASET_ROWS_MEMORY_BYTES: stored rows kept in memory for worker jobs. */
  datasetRowsMemoryBytes: number;
}

/** What a domain's service is built with. */
export interface DomainDeps {
  db: Database;
  limits: DomainLimits;
  /** Invalidates tags outside a mutation (background work such as training). */
  invalidator: TagInvalidator;
  /** For background work; request errors go through GraphQL. */
  logger: Logger;
  /** The service of a domain listed before this one in src/domains/index.ts. */
  serviceOf<S>(domain: Domain<string, S>): S;
}

/**
 * One domain, whole: its resolvers (which declare their own caching with @Cached,
 * @CacheableLookup and @Invalidates), its service, its per-request loaders, its first-start
 * data, and how it stops. The gateway knows domains only through this shape.
 */
export interface Domain<Name extends string = string, Service = unknown, Loaders extends object = object> {
  readonly name: Name;
  /** type-graphql resolver classes. */
  readonly resolvers: Function[];
  createService(deps: DomainDeps): Service;
  /** Batch loaders for one request (entity reads by id become one `WHERE id = ANY($1)`). */
  createLoaders?(service: Service): Loaders;
  /** First-start data, in order; run after the seeds of the domains listed before. */
  seeds?(service: Service): Seed[];
  /**
   * The tag of one entity, by type name, where it is not `Type:id` as given (a model run's id
   * in its canonical form); admin invalidation by entity uses these.
   */
  readonly entityTags?: Record<string, (id: string) => Tag>;
  /**
   * The tables whose committed changes invalidate the cache, and the entity each row is: the
   * database's triggers log every insert, update and delete of them, whoever writes (the
   * gateway, psql, a seed, a migration), and the cache applies the log.
   */
  readonly tracks?: readonly TrackedTable[];
  /** Stops background work; called in the reverse order of the list. */
  close?(service: Service): Promise<void>;
}

/** Declares a domain, checking its shape and keeping its precise types. */
export function defineDomain<Name extends string, Service, Loaders extends object = object>(
  domain: Domain<Name, Service, Loaders>,
): Domain<Name, Service, Loaders> {
  return domain;
}

/** The service type of a domain. */
export type ServiceOf<D> = D extends Domain<string, infer S, object> ? S : never;

/** The loaders type of a domain. */
export type LoadersOf<D> = D extends Domain<string, unknown, infer L> ? L : never;
