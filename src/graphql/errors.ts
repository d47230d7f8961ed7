import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { CacheRequestError, CacheUnavailableError } from '../cache/errors';
import { ClientError } from '../lib/errors';
import type { Logger } from '../logger';

/** The code and message a client sees for an error it may see; undefined for our own bugs. */
function clientFacing(err: unknown): { code: string; message: string; details: Record<string, unknown> } | undefined {
  if (err instanceof ClientError) return { code: err.code, message: err.message, details: err.details };
  if (err instanceof CacheRequestError) return { code: 'BAD_USER_INPUT', message: err.message, details: err.details };
  if (err instanceof CacheUnavailableError) return { code: 'SERVICE_UNAVAILABLE', message: err.message, details: {} };
  return undefined;
}

/**
 * Apollo's formatError: client errors keep their message and get their code; GraphQL's own
 * errors (syntax, validation) pass through; anything else is our bug, logged, and masked in
 * production so no internals or stack traces reach the client.
 */
export function createErrorFormatter(logger: Logger, production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const client = clientFacing(original);
    if (client) {
      return {
        ...formatted,
        message: client.message,
        extensions: { ...omitStack(formatted.extensions, production), code: client.code, ...client.details },
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
