#!/usr/bin/env node
// Prints a bearer token for local use: npm run token -- --user alice --role admin
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { signToken } from '../server/auth';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      user: { type: 'string', default: 'dev' },
      role: { type: 'string', default: 'user' },
      expires: { type: 'string', default: '12h' },
    },
  });
  if (values.role !== 'admin' && values.role !== 'user') throw new Error(`--role must be admin or user, got ${values.role}`);
  const config = loadConfig();
  const token = await signToken(config.JWT_SECRET, { id: values.user!, role: values.role }, values.expires);
  process.stdout.write(`${token}\n`);
  if (config.usingDevJwtSecret) process.stderr.write('note: signed with the development secret (JWT_SECRET is not set)\n');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
