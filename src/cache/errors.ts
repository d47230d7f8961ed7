/**
 * The cache core's own errors. It knows no API, so these carry no GraphQL code: the binding
 * (src/graphql/errors.ts) decides what a client sees for each.
 */

/** An administrative request the cache will not carry out as asked (a key outside the prefix, a malformed glob, too many tags). */
export class CacheRequestError extends Error {
  constructor(
    message: string,
    /** Plain data a client may see (never a key's user or arguments). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CacheRequestError';
  }
}

/** The cache backend failed an administrative operation; unlike a read on the request path, it is not turned into a miss. */
export class CacheUnavailableError extends Error {
  constructor(
    readonly operation: string,
    readonly cause: unknown,
  ) {
    super(`could not ${operation}: the cache store failed (${cause instanceof Error ? cause.message : String(cause)})`);
    this.name = 'CacheUnavailableError';
  }
}
