import { rmSync } from 'node:fs';
import { PGLITE_TEMPLATE_ENV } from './helpers/databases';

export default async function globalTeardown(): Promise<void> {
  const file = process.env[PGLITE_TEMPLATE_ENV];
  if (file) rmSync(file, { force: true });
  await (globalThis as { stopTopology?: () => Promise<void> }).stopTopology?.();
}
