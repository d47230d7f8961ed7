// Writes schema/schema.graphql from the code: npm run schema:emit
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { printGatewaySchema } from '../graphql/print-schema';
import { buildGatewaySchema } from '../graphql/schema';
import { projectRoot } from '../lib/paths';
import { gatewayResolvers } from './gateway';

export const SCHEMA_FILE = path.join(projectRoot(), 'schema', 'schema.graphql');

async function main(): Promise<void> {
  const sdl = printGatewaySchema(await buildGatewaySchema(gatewayResolvers()));
  writeFileSync(SCHEMA_FILE, sdl);
  process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}\n`);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  });
}
