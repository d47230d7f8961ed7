import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_TEMPLATE_ENV } from './helpers/databases';
import { OwnRedisCluster } from './helpers/redis-cluster';
import { OwnRedisSentinel, SENTINEL_MASTER_NAME } from './helpers/redis-sentinel';

/**
 * Runs initdb for PGlite once per test run and leaves the result where test files find it:
 * an in-memory PGlite then opens in about a second instead of several.
 */
export default async function globalSetup(): Promise<void> {
  const pglite = new PGlite();
  await pglite.waitReady;
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  const file = path.join(tmpdir(), `cachegate-pglite-template-${process.pid}.tar`);
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  process.env[PGLITE_TEMPLATE_ENV] = file;
  await startSharedTopology();
}

/**
 * The quick topology profile (CACHE_TEST_TOPOLOGY=cluster or sentinel): one topology for the
 * whole run, its addresses handed to the test files in the environment (test/helpers/shared-topology.ts).
 */
async function startSharedTopology(): Promise<void> {
  const kind = process.env.CACHE_TEST_TOPOLOGY;
  if (kind === 'cluster') {
    const cluster = await OwnRedisCluster.start();
    process.env.TEST_REDIS_CLUSTER_NODES = cluster.seedList;
    (globalThis as { stopTopology?: () => Promise<void> }).stopTopology = () => cluster.stop();
  } else if (kind === 'sentinel') {
    const topology = await OwnRedisSentinel.start();
    process.env.TEST_REDIS_SENTINELS = topology.sentinelList;
    process.env.TEST_REDIS_SENTINEL_NAME = SENTINEL_MASTER_NAME;
    (globalThis as { stopTopology?: () => Promise<void> }).stopTopology = () => topology.stop();
  } else if (kind) {
    throw new Error(`CACHE_TEST_TOPOLOGY=${kind}: use cluster or sentinel`);
  }
}
