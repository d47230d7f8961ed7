import type { Logger } from '../logger';
import type { Database } from './database';

export interface SeedContext {
  db: Database;
  /** Reports one step of a long seed to whoever started the gateway. */
  progress(message: string): void;
}

export interface Seed {
  /** Recorded in seed_run once the seed completes; a completed seed never runs again. */
  name: string;
  run(ctx: SeedContext): Promise<void>;
}

/** Runs the seeds that have not completed yet, in order, reporting progress through the logger. */
export async function runSeeds(db: Database, seeds: readonly Seed[], logger: Logger): Promise<string[]> {
  await db.exec('CREATE TABLE IF NOT EXISTS seed_run (name text PRIMARY KEY, completed_at timestamptz NOT NULL DEFAULT now())');
  const done = new Set((await db.query<{ name: string }>('SELECT name FROM seed_run')).map((r) => r.name));
  const ran: string[] = [];
  for (const seed of seeds) {
    if (done.has(seed.name)) continue;
    const started = Date.now();
    logger.info({ seed: seed.name }, `seeding ${seed.name} (first start)`);
    await seed.run({ db, progress: (message) => logger.info({ seed: seed.name }, `seeding: ${message}`) });
    await db.query('INSERT INTO seed_run (name) VALUES ($1) ON CONFLICT DO NOTHING', [seed.name]);
    logger.info({ seed: seed.name, ms: Date.now() - started }, `seeded ${seed.name}`);
    ran.push(seed.name);
  }
  return ran;
}
