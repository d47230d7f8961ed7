import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { createLogger, resolveLogFormat } from './logger';
import { createGateway } from './server/gateway';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`cachegate: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL, { format: resolveLogFormat(config.LOG_FORMAT, config.production) });
  let gateway;
  try {
    gateway = await createGateway({ config, logger });
  } catch (err) {
    // A setting that points at something unusable (a bad CACHE_WARM_FILE entry) is found once the schema is built.
    if (err instanceof ConfigError) {
      process.stderr.write(`cachegate: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const port = await gateway.listen(config.PORT);
  // The banner the README shows, word for word: nothing appended to it in a terminal (the port is in it, the database on the line before).
  logger.info(`cachegate ready: GraphQL at http://localhost:${port}/graphql, GraphiQL at http://localhost:${port}/graphiql`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`cachegate failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
