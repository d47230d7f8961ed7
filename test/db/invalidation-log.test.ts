import { installInvalidationTriggers, type LogRecord, SqlInvalidationLog } from '../../src/db/invalidation-log';
import { migrate } from '../../src/db/migrate';
import { domains } from '../../src/domains';
import type { Domain } from '../../src/domains/domain';
import { sleep } from '../helpers/async';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../helpers/databases';

const tracked = (domains as readonly Domain[]).flatMap((d) => d.tracks ?? []);
const OPTS = { limit: 100, lockWaitMs: 0 };

/** The transactional outbox: triggers record every tracked write in the writer's transaction; relays apply it in order. */
describe.each(DATABASE_KINDS)('the invalidation log (%s)', (kind) => {
  let test: TestDatabase;
  let log: SqlInvalidationLog;

  beforeAll(async () => {
    test = await openTestDatabase(kind);
    await migrate(test.db);
    await installInvalidationTriggers(test.db, tracked);
    // Installing again (every start does) replaces the triggers instead of failing.
    await installInvalidationTriggers(test.db, tracked);
    log = new SqlInvalidationLog(test.db);
  });
  afterAll(() => test?.dispose());

  /** Applies what is pending and returns the records handed to apply. */
  const drain = async () => {
    const seen: LogRecord[] = [];
    const outcome = await log.applyPending(async (records) => void seen.push(...records), OPTS);
    expect(outcome).not.toBe('busy');
    return seen;
  };
  const changesOf = (records: LogRecord[]) => records.flatMap((r) => r.changes).sort((a, b) => `${a.type}${a.id}`.localeCompare(`${b.type}${b.id}`));

  it('leaves triggers already in place untouched (no table lock that could deadlock with writers), and replaces a changed one', async () => {
    const triggerRow = async () =>
      (
        await test.db.query<{ xmin: string; args: string }>(
          "SELECT t.xmin::text AS xmin, encode(t.tgargs, 'escape') AS args FROM pg_trigger t WHERE t.tgname = 'cache_log_update' AND t.tgrelid = 'dataset'::regclass",
        )
      )[0];
    const before = await triggerRow();
    await installInvalidationTriggers(test.db, tracked);
    expect(await triggerRow()).toEqual(before);
    const changed = tracked.map((t) => (t.table === 'dataset' ? { ...t, ignoreColumns: [...(t.ignoreColumns ?? []), 'name'] } : t));
    await installInvalidationTriggers(test.db, changed);
    const replaced = await triggerRow();
    expect(replaced.xmin).not.toBe(before.xmin);
    expect(replaced.args).toContain('name');
    await installInvalidationTriggers(test.db, tracked);
    expect((await triggerRow()).args).toBe(before.args);
  });

  it('records inserts, updates and deletes of tracked tables, in the writer’s transaction, whoever writes', async () => {
    await drain();
    const [{ id }] = await test.db.query<{ id: number }>("INSERT INTO dataset (name, columns) VALUES ('direct', '[]') RETURNING id");
    await test.db.query("INSERT INTO dataset_chunk (dataset_id, seq, row_count, data) VALUES ($1, 0, 1, '[[1]]')", [id]);
    await test.db.query("UPDATE dataset SET name = 'renamed' WHERE id = $1", [id]);
    await test.db.query("INSERT INTO progress_step (key, title, position) VALUES ('s1', 'S', 1) ON CONFLICT DO NOTHING");
    await test.db.query("INSERT INTO user_progress (user_id, step_key) VALUES ('u7', 's1')");
    const records = await drain();
    expect(records.map((r) => r.seq)).toEqual([...records.map((r) => r.seq)].sort((a, b) => a - b));
    expect(changesOf(records)).toEqual([
      { type: 'Dataset', id: String(id) },
      { type: 'Dataset', id: String(id) },
      { type: 'Dataset', id: String(id) },
      { type: 'User', id: 'u7' },
    ]);
    // A cascade reaches the dependent tables' triggers too.
    await test.db.query('DELETE FROM dataset WHERE id = $1', [id]);
    expect(changesOf(await drain())).toEqual([
      { type: 'Dataset', id: String(id) },
      { type: 'Dataset', id: String(id) },
    ]);
  });

  it('records nothing for a rolled-back transaction, an update that changed nothing, or one of ignored columns only', async () => {
    const [{ id }] = await test.db.query<{ id: number }>("INSERT INTO dataset (name, columns) VALUES ('quiet', '[]') RETURNING id");
    const [{ id: run }] = await test.db.query<{ id: string }>(
      "INSERT INTO model_run (dataset_id, name, algorithm, target, features, seed) VALUES ($1, 'r', 'KNN', 'x', '[]', 1) RETURNING id",
      [id],
    );
    await drain();
    await expect(
      test.db.transaction(async (tx) => {
        await tx.query("UPDATE dataset SET name = 'never' WHERE id = $1", [id]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await test.db.query("UPDATE dataset SET name = 'quiet' WHERE id = $1", [id]);
    await test.db.query('UPDATE model_run SET heartbeat_at = now() WHERE id = $1', [run]);
    expect(await drain()).toEqual([]);
    await test.db.query("UPDATE model_run SET status = 'TRAINING' WHERE id = $1", [run]);
    expect(changesOf(await drain())).toEqual([{ type: 'ModelRun', id: run }]);
  });

  it('keeps records pending when apply fails, and one relay at a time applies', async () => {
    await drain();
    await test.db.query("INSERT INTO emg_recording (id, name, format, bytes, byte_size) VALUES (repeat('a', 64), 'e', 'CSV', '\\x00', 1)");
    await expect(log.applyPending(async () => Promise.reject(new Error('Redis down')), OPTS)).rejects.toThrow('Redis down');
    expect(await log.pendingChanges()).toEqual([{ type: 'EmgRecording', id: 'a'.repeat(64) }]);
    const before = await log.position();
    expect(before.appliedThrough).toBeLessThan(before.recorded);

    if (kind === 'postgres') {
      // While one relay holds the log, another is told it is busy instead of applying twice.
      let release!: () => void;
      const held = log.applyPending(() => new Promise<void>((r) => (release = r)), OPTS);
      while (!release) await sleep(5);
      expect(await log.applyPending(async () => undefined, { limit: 100, lockWaitMs: 30 })).toBe('busy');
      release();
      expect(await held).toMatchObject({ applied: 1 });
    } else {
      expect(await drain()).toHaveLength(1);
    }
    expect(await log.pendingChanges()).toEqual([]);
    const after = await log.position();
    expect(after.appliedThrough).toBe(after.recorded);
  });

  it('replays applied records after a position, and says when pruning took some', async () => {
    await test.db.query("INSERT INTO dataset (name, columns) VALUES ('one', '[]'), ('two', '[]')");
    await drain();
    const last = await log.lastAppliedSeq();
    const replay = await log.appliedAfter(last - 1, 10);
    expect(replay).toHaveLength(1);
    expect((replay as LogRecord[])[0].changes).toHaveLength(2);
    await sleep(20);
    expect(await log.prune(10)).toBeGreaterThan(0);
    expect(await log.appliedAfter(0, 10)).toBe('expired');
    expect(await log.appliedAfter(last, 10)).toEqual([]);
    // Pruning never moves the log's position back.
    expect(await log.lastAppliedSeq()).toBe(last);
  });

  it('moves to a new generation once, however many gateways ask', async () => {
    const g = await log.generation();
    const [a, b] = await Promise.all([log.nextGeneration(g), log.nextGeneration(g)]);
    expect([a, b]).toEqual([g + 1, g + 1]);
  });

  it('wakes listeners when a transaction commits a record', async () => {
    let woken = 0;
    const stop = await log.onRecorded(() => woken++);
    try {
      await test.db.query("INSERT INTO dataset (name, columns) VALUES ('wake', '[]')");
      const deadline = Date.now() + 2000;
      while (woken === 0 && Date.now() < deadline) await sleep(10);
      expect(woken).toBeGreaterThan(0);
    } finally {
      await stop();
    }
  });
});
