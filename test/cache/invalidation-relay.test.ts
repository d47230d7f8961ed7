import { InvalidationRelay } from '../../src/cache/invalidation-relay';
import type { Tag } from '../../src/cache/tags';
import { installInvalidationTriggers, SqlInvalidationLog } from '../../src/db/invalidation-log';
import { migrate } from '../../src/db/migrate';
import { domains } from '../../src/domains';
import type { Domain } from '../../src/domains/domain';
import { openTestDatabase, type TestDatabase } from '../helpers/databases';
import { silentLogger } from './helpers';

const tracked = (domains as readonly Domain[]).flatMap((d) => d.tracks ?? []);

/** The relay as a mutation meets it: settle() after a commit, whatever the database does next. */
describe('the invalidation relay', () => {
  let test: TestDatabase;
  let relay: InvalidationRelay;
  const applied: Tag[][] = [];

  beforeEach(async () => {
    test = await openTestDatabase('pglite');
    await migrate(test.db);
    await installInvalidationTriggers(test.db, tracked);
    relay = new InvalidationRelay({
      log: new SqlInvalidationLog(test.db),
      // The sink's port, kept in memory: this test is about the relay's side of it.
      sink: { apply: async (tags) => void applied.push([...tags]), watermark: async () => undefined },
      space: { prefix: 'relay-test', schemaVersion: 't' },
      tagsOf: (c) => [`${c.type}:${c.id}`],
      logger: silentLogger,
      retentionMs: 60_000,
      pollMs: 50,
    });
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
});
