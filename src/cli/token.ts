#!/usr/bin/env node
// Prints a bearer token for local use: npm run token -- --user alice --role admin
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { signToken } from '../server/auth';

const USAGE = `Prints a bearer token (HS256, signed with JWT_SECRET) for GraphiQL, curl or the cachegate CLI.

usage: npm run token -- [--user ID] [--role admin|user] [--expires PERIOD]

  --user ID         the token's subject, the user id PRIVATE data is keyed by (default dev)
  --role ROLE       admin (cacheStats, invalidation, userProgress) or user (default user)
  --expires PERIOD  how long the token is valid: a number and a unit, e.g. 90s, 30m, 12h, 7d, 2w
                    (default 12h); the gateway refuses it afterwards with "token expired"
  -h, --help        this text

The gateway verifies tokens with its own JWT_SECRET: sign with the same one (the development
secret when neither sets it), or it answers "invalid token signature".

  export CACHEGATE_TOKEN=$(npm run -s token -- --user you --role admin --expires 1h)
`;

/** A mistake in the command line: usage on stderr, exit status 2. */
class UsageError extends Error {
  name = 'UsageError';
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        user: { type: 'string', default: 'dev' },
        role: { type: 'string', default: 'user' },
        expires: { type: 'string', default: '12h' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.role !== 'admin' && values.role !== 'user') throw new UsageError(`--role must be admin or user, got ${values.role}`);
  if (!/^\d+\s*[a-z]+$/i.test(values.expires!.trim()))
    throw new UsageError(`--expires must be a number and a unit (90s, 30m, 12h, 7d, 2w), got ${JSON.stringify(values.expires)}`);
  const config = loadConfig();
  let token: string;
  try {
    token = await signToken(config.JWT_SECRET, { id: values.user!, role: values.role }, values.expires!.trim());
  } catch (err) {
    // jose names the format it did not understand ("Invalid time period format").
    if (err instanceof TypeError) throw new UsageError(`--expires ${values.expires}: ${err.message}; write e.g. 30m, 12h or 7d`);
    throw err;
  }
  process.stdout.write(`${token}\n`);
  if (config.usingDevJwtSecret) process.stderr.write('note: signed with the development secret (JWT_SECRET is not set)\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`token: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
