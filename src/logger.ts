import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** How log lines are written: JSON for machines, one readable line per event for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  name?: string;
  format?: LogFormat;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
}

/**
 * The format LOG_FORMAT=auto means: readable lines for a person at a terminal in development,
 * JSON everywhere else (production, and output piped to a file or a log collector).
 */
export function resolveLogFormat(setting: 'auto' | LogFormat, production: boolean, isTTY = Boolean(process.stdout.isTTY)): LogFormat {
  if (setting !== 'auto') return setting;
  return !production && isTTY ? 'pretty' : 'json';
}

/** The structured logger; secrets in common places are redacted. */
export function createLogger(level: string, opts: LoggerOptions | string = {}): Logger {
  const { name = 'cachegate', format = 'json', destination } = typeof opts === 'string' ? { name: opts } : opts;
  const options = { name, level, redact: ['req.headers.authorization', 'authorization', 'token'] };
  if (format === 'json') return destination ? pino(options, destination) : pino(options);
  // In process and synchronous: a development terminal needs no worker thread, and lines keep their order with stderr.
  const stream = pretty({
    sync: true,
    colorize: destination ? false : Boolean(process.stdout.isTTY),
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,name',
    singleLine: true,
    destination: destination ?? 1,
  });
  return pino(options, stream);
}

/**
 * A child logger for one part of the gateway. The first level names the `component`; a part
 * inside a component is named by `part`, never by a second `component`: pino writes a key a
 * child binds again twice in one line (`"component":"domains","component":"model-trainer"`).
 */
export function componentLogger(logger: Logger, name: string): Logger {
  const bound = typeof logger.bindings === 'function' ? logger.bindings() : {};
  return logger.child('component' in bound ? { part: name } : { component: name });
}
