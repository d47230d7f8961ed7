/**
 * Errors a client caused, each with the GraphQL error code it maps to. Domain code throws
 * these; `src/graphql/errors.ts` turns them into GraphQL errors with `extensions.code`.
 * Anything else reaching the client is our bug and is masked in production.
 */
export abstract class ClientError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input is malformed or does not fit (unknown column, ragged CSV, bad base64 …). */
export class InputError extends ClientError {
  readonly code = 'BAD_USER_INPUT';
}

/** A mutation or required lookup names an entity that does not exist. */
export class NotFoundError extends ClientError {
  readonly code = 'NOT_FOUND';
}

/** The request needs a user and has none, or its token is invalid. */
export class UnauthenticatedError extends ClientError {
  readonly code = 'UNAUTHENTICATED';
}

/** The user is known but lacks the role. */
export class ForbiddenError extends ClientError {
  readonly code = 'FORBIDDEN';
}

/** The entity exists but is not in a state that allows the operation (e.g. predicting with an unfinished run). */
export class PreconditionError extends ClientError {
  readonly code = 'FAILED_PRECONDITION';
}

/** The query is too deep, too wide or costs more than the gateway allows; the message names the limit and the computed figure. */
export class QueryTooComplexError extends ClientError {
  readonly code = 'QUERY_TOO_COMPLEX';
}

/**
 * A service the request needs (the database) did not answer in time. Not the client's fault, but
 * a code it can act on: retry later. Never cached, like every error.
 */
export class ServiceUnavailableError extends ClientError {
  readonly code = 'SERVICE_UNAVAILABLE';
}

/** The caller spent its cost points for this window; details carry the limit, what remains and when it resets. */
export class RateLimitedError extends ClientError {
  readonly code = 'RATE_LIMITED';
}
