import pino, { type Logger } from 'pino';

export type { Logger };

/** The structured logger; secrets in common places are redacted. */
export function createLogger(level: string, name = 'cachegate'): Logger {
  return pino({
    name,
    level,
    redact: ['req.headers.authorization', 'authorization', 'token'],
  });
}
