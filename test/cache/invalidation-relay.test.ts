import { InvalidationRelay } from '../../src/cache/invalidation-relay';
import type { Database } from '../../src/db/database';
import type { Tag } from '../../src/cache/tags';
import { installInvalidationTriggers, SqlInvalidationLog } from '../../src/db/invalidation-log';
import { migrate } from '../../src/db/migrate';
import { domains } from '../../src/domains';
import type { Domain } from '../../src/domains/domain';
import { openTestDatabase, type TestDatabase } from '../helpers/databases';
import { silentLogger } from './helpers';

const tracked = (domains as readonly Domain[]).flatMap((d) => d.tracks ?? []);

/** A relay over db whose sink, the port kept in memory, records the tags it is given in applied: these tests are about the relay's side of it. */
function relayOver(db: Database, applied: Tag[][], pollMs: number): InvalidationRelay {
  return new InvalidationRelay({
    log: new SqlInvalidationLog(db),
    sink: { apply: async (tags) => void applied.push([...tags]), watermark: async () => undefined },
    space: { prefix: 'relay-test', schemaVersion: 't' },
    tagsOf: (c) => [`${c.type}:${c.id}`],
    logger: silentLogger,
    retentionMs: 60_000,
    pollMs,
  });
}

/** db with query or transaction replaced, and no LISTEN: records reach a relay over it by its poll alone. */
function pollingOnly(db: Database, replace: Partial<Pick<Database, 'query' | 'transaction'>>): Database {
  return new Proxy(db, {
    get(target, name, receiver) {
      if (name === 'listen') return async () => Promise.reject(new Error('no LISTEN here'));
      if (name === 'query' || name === 'transaction') return replace[name] ?? target[name].bind(target);
      const value = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The relay as a mutation meets it: settle() after a commit, whatever the database does next. */
describe('the invalidation relay', () => {
  let test: TestDatabase;
  let relay: InvalidationRelay;
  const applied: Tag[][] = [];

  beforeEach(async () => {
    test = await openTestDatabase('pglite');
    await migrate(test.db);
    await installInvalidationTriggers(test.db, tracked);
    relay = relayOver(test.db, applied, 50);
    await relay.start();
  });
  afterEach(async () => {
    await relay.stop();
    await test.dispose().catch(() => undefined);
  });

  it('settles once a committed write is applied', async () => {
    await test.db.query("INSERT INTO dataset (name, columns) VALUES ('r', '[]')");
    await expect(relay.settle(5000)).resolves.toBe(true);
    expect(applied.flat()).toContainEqual(expect.stringMatching(/^Dataset:\d+$/));
  });

  it('answers false, never rejects, when the database stops answering after the commit', async () => {
    await test.db.query("INSERT INTO dataset (name, columns) VALUES ('r', '[]')");
    await test.db.close();
    await expect(relay.settle(200)).resolves.toBe(false);
  });

  it('reads the log once per idle poll, and applies a write that no NOTIFY announced', async () => {
    // The same database, with its statements counted: what the relay asks while nothing is pending.
    const counts = { query: 0, transaction: 0 };
    const counted = pollingOnly(test.db, {
      query: ((sql: string, params?: unknown[]) => {
        counts.query++;
        return test.db.query(sql, params);
      }) as Database['query'],
      transaction: ((fn) => {
        counts.transaction++;
        return test.db.transaction(fn);
      }) as Database['transaction'],
    });
    const seen: Tag[][] = [];
    const polling = relayOver(counted, seen, 25);
    await polling.start();
    try {
      await relay.settle(5000);
      counts.query = counts.transaction = 0;
      const started = performance.now();
      await new Promise((r) => setTimeout(r, 500));
      const polls = (performance.now() - started) / 25;
      expect(counts.transaction).toBe(0);
      expect(counts.query).toBeGreaterThan(0);
      expect(counts.query).toBeLessThanOrEqual(Math.ceil(polls) + 1);

      // The first relay is stopped, so only the polling one can apply this write.
      await relay.stop();
      const [row] = await test.db.query<{ id: number }>("INSERT INTO dataset (name, columns) VALUES ('polled', '[]') RETURNING id");
      const deadline = Date.now() + 5000;
      while (!seen.flat().includes(`Dataset:${row.id}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(seen.flat()).toContain(`Dataset:${row.id}`);
      expect(counts.transaction).toBeGreaterThan(0);
    } finally {
      await polling.stop();
    }
  });

  it('does not settle a waiter on a read of the log that began before its commit', async () => {
    // Gates on the same database: a read of the log's position parked after it ran, one that
    // fails, and transactions held back.
    let park = false;
    let release: (() => void) | undefined;
    let failNextRead = false;
    let transactions: Promise<void> | undefined;
    const positionRead = /max\(id\) FROM cache_invalidation_log/;
    const gated = pollingOnly(test.db, {
      query: (async (sql: string, params?: unknown[]) => {
        if (positionRead.test(sql) && failNextRead) {
          failNextRead = false;
          throw new Error('the database did not answer');
        }
        const rows = await test.db.query(sql, params);
        if (positionRead.test(sql) && park) {
          park = false;
          await new Promise<void>((r) => (release = r));
        }
        return rows;
      }) as Database['query'],
      transaction: (async (fn) => {
        await transactions;
        return test.db.transaction(fn);
      }) as Database['transaction'],
    });
    await relay.stop();
    const seen: Tag[][] = [];
    const racing = relayOver(gated, seen, 25);
    // The relay's first poll reads the log (nothing pending) and is parked before it hands that over.
    park = true;
    const starting = racing.start();
    try {
      while (!release) await new Promise((r) => setTimeout(r, 2));
      // Then a write commits, and its writer's own read of the log fails: it waits for a later read.
      const [row] = await test.db.query<{ id: number }>("INSERT INTO dataset (name, columns) VALUES ('raced', '[]') RETURNING id");
      let letTransactionsGo!: () => void;
      transactions = new Promise((r) => (letTransactionsGo = r));
      failNextRead = true;
      const settled = racing.settle(5000).then((applied) => ({ applied, sinkHadTheWrite: seen.flat().includes(`Dataset:${row.id}`) }));
      await new Promise((r) => setTimeout(r, 50));
      // The parked read hands over what it found before the commit; the pass the writer started applies after.
      release();
      await new Promise((r) => setTimeout(r, 50));
      letTransactionsGo();
      await expect(settled).resolves.toEqual({ applied: true, sinkHadTheWrite: true });
    } finally {
      await starting;
      await racing.stop();
    }
  });
});
