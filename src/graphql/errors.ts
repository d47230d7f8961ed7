import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ClientError } from '../lib/errors';
import type { Logger } from '../logger';

/** Turns a client error into a GraphQLError carrying its code, e.g. in the HTTP context function. */
export function toGraphQLError(err: ClientError, httpStatus?: number): GraphQLError {
  return new GraphQLError(err.message, {
    extensions: { code: err.code, ...err.details, ...(httpStatus ? { http: { status: httpStatus } } : {}) },
  });
}

/**
 * Apollo's formatError: client errors keep their message and get their code; GraphQL's own
 * errors (syntax, validation) pass through; anything else is our bug, logged, and masked in
 * production so no internals or stack traces reach the client.
 */
export function createErrorFormatter(logger: Logger, production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof ClientError) {
      return {
        ...formatted,
        message: original.message,
        extensions: { ...omitStack(formatted.extensions, production), code: original.code, ...original.details },
      };
    }
    if (original instanceof GraphQLError || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') {
      return { ...formatted, extensions: omitStack(formatted.extensions, production) };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in resolver');
    if (!production) return formatted;
    return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

function omitStack(ext: GraphQLFormattedError['extensions'], production: boolean) {
  if (!ext || !production) return ext;
  const { stacktrace: _omit, ...rest } = ext as Record<string, unknown>;
  return rest;
}
