import { ServiceUnavailableError } from '../lib/errors';

/**
 * The database could not be reached or did not answer within its timeout. The binding maps it to
 * `SERVICE_UNAVAILABLE` (it is a `ClientError`), so a client sees a code to retry on instead of
 * an internal error, and the message says which limit was hit, never a connection string.
 */
export class DatabaseUnavailableError extends ServiceUnavailableError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`the database is unavailable (${reason}); retry later`);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

// Node's socket errors that mean the server is gone or unreachable.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// SQLSTATEs of a server that shuts down, restarts, cannot take connections yet, or cancelled a
// statement at statement_timeout. Class 08 (connection exceptions) is matched by its prefix.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57014', '53300']);
// node-postgres reports its own timeouts and a dropped connection only by message.
const PG_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Query read timeout',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
];

/** Why err means the database is unavailable, or undefined when it is some other error (a bad query, a constraint). */
export function unavailableReason(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return code;
    if (code === '57014') return 'statement timeout';
    if (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return `SQLSTATE ${code}`;
  }
  const hit = PG_MESSAGES.find((m) => err.message.includes(m));
  return hit?.toLowerCase();
}

/** err as a DatabaseUnavailableError when it means the database is unavailable, else err itself. */
export function asUnavailable(err: unknown): unknown {
  if (err instanceof DatabaseUnavailableError) return err;
  const reason = unavailableReason(err);
  return reason ? new DatabaseUnavailableError(reason, { cause: err }) : err;
}
