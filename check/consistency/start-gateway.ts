/**
 * Starts a gateway like src/main.ts, composed with the parts CHECK_PLANT names: a planted bug
 * from test/helpers/planted-bugs.ts (the self-test must catch each), or a fault the checker
 * injects (a pause between a mutation's commit and its invalidation, to kill the process in it).
 * Production code has no switch for any of them; only this script, run by the checker, reads
 * CHECK_PLANT.
 */
import 'reflect-metadata';
import { loadConfig } from '../../src/config';
import { applyInvalidation } from '../../src/graphql/invalidation';
import { createLogger } from '../../src/logger';
import { createGateway, type GatewayParts } from '../../src/server/gateway';
import { PLANTED } from '../../test/helpers/planted-bugs';

/** Faults the checker injects, by name. */
export const FAULTS: Record<string, Partial<GatewayParts>> = {
  // A mutation's tags are invalidated 3 s after its commit: the checker kills the process in between.
  'pause-after-commit': {
    bindInvalidation: (schema, invalidator) =>
      applyInvalidation(schema, {
        invalidate: async (tags) => {
          await new Promise((r) => setTimeout(r, 3000));
          return invalidator.invalidate(tags);
        },
      }),
  },
};

async function start(): Promise<void> {
  const plant = process.env.CHECK_PLANT ?? '';
  const parts = plant ? (PLANTED[plant] ?? FAULTS[plant]) : {};
  if (!parts) throw new Error(`CHECK_PLANT=${plant} names no planted bug or fault (${[...Object.keys(PLANTED), ...Object.keys(FAULTS)].join(', ')})`);
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const gateway = await createGateway({ config, logger, parts });
  const port = await gateway.listen(config.PORT);
  logger.info({ port, plant }, `cachegate ready (${plant || 'no plant'})`);
  const stop = () =>
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

start().catch((err) => {
  process.stderr.write(`start-gateway failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
