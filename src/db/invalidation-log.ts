import type { Database, Queryable } from './database';

/**
 * The cache's invalidation log in the database (migration 006): the transactional outbox the
 * cache core sees as its `InvalidationLog` port (src/cache/invalidation-log.ts; the composition
 * root hands this class over as one, so src/db never imports the cache). Rows are written by
 * statement-level triggers on the tables the domains track, inside the writer's transaction.
 */

/** One entity a log row names: its GraphQL type and id (the shape of the port's EntityChange). */
export interface LoggedEntity {
  type: string;
  id: string;
}

/** Where the log stands (the port's LogState): read in one statement, so an idle poll costs one query. */
export interface LogState {
  recorded: number;
  appliedThrough: number;
  lastSeq: number;
  generation: number;
}

export interface LogRecord {
  seq: number;
  changes: LoggedEntity[];
}

/** A table whose committed changes the log records, declared by the domain that owns it. */
export interface TrackedTable {
  table: string;
  /** The GraphQL type its rows are (or belong to): a dataset_chunk row changes a Dataset. */
  type: string;
  /** The column holding that entity's id. */
  idColumn: string;
  /** Columns whose change alone changes nothing a client reads (a heartbeat); such UPDATEs are not logged. */
  ignoreColumns?: readonly string[];
}

/** The NOTIFY channel the triggers wake relays on. */
export const INVALIDATION_CHANNEL = 'cache_invalidation';

const IDENT = /^[a-z_][a-z0-9_]*$/;
const TYPE = /^[A-Za-z][A-Za-z0-9_]*$/;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Installs (or replaces) the log's triggers on every tracked table, in one transaction. Run at
 * startup after the migrations, so a domain that starts tracking a table needs no migration of its own.
 */
export async function installInvalidationTriggers(db: Database, tables: readonly TrackedTable[]): Promise<void> {
  // A restart finds its triggers in place: replacing them would lock every tracked table and
  // can deadlock with another gateway's writes, so only what differs is (re)created.
  const installed = new Set(
    (
      await db.query(
        "SELECT c.relname || ' ' || t.tgname || ' ' || encode(t.tgargs, 'escape') AS sig FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'cache_log_%' AND c.relnamespace = current_schema()::regnamespace",
      )
    ).map((r) => r.sig as string),
  );
  const statements: string[] = [];
  for (const t of tables) {
    // Declarations are ours, not input: a bad one is a programming error worth stopping for.
    for (const name of [t.table, t.idColumn, ...(t.ignoreColumns ?? [])])
      if (!IDENT.test(name)) throw new Error(`tracked table ${t.table}: "${name}" is not a plain identifier`);
    if (!TYPE.test(t.type)) throw new Error(`tracked table ${t.table}: "${t.type}" is not a GraphQL type name`);
    const argList = [t.type, t.idColumn, ...(t.ignoreColumns ?? [])];
    const args = argList.map(literal).join(', ');
    const on = `ON ${t.table}`;
    const fn = `FOR EACH STATEMENT EXECUTE FUNCTION cache_log_changes(${args})`;
    // tgargs holds each argument followed by a NUL, which encode(..., 'escape') shows as \000.
    const present = (name: string) => installed.has(`${t.table} ${name} ${argList.map((a) => `${a}\\000`).join('')}`);
    if (!present('cache_log_insert'))
      statements.push(`CREATE OR REPLACE TRIGGER cache_log_insert AFTER INSERT ${on} REFERENCING NEW TABLE AS cache_new ${fn}`);
    if (!present('cache_log_update'))
      statements.push(
        `CREATE OR REPLACE TRIGGER cache_log_update AFTER UPDATE ${on} REFERENCING OLD TABLE AS cache_old NEW TABLE AS cache_new ${fn}`,
      );
    if (!present('cache_log_delete'))
      statements.push(`CREATE OR REPLACE TRIGGER cache_log_delete AFTER DELETE ${on} REFERENCING OLD TABLE AS cache_old ${fn}`);
  }
  if (statements.length === 0) return;
  await db.transaction(async (tx) => {
    for (const sql of statements) await tx.exec(sql);
  });
}

/** How often a relay that found the log locked tries again while it may still wait, in milliseconds. */
const LOCK_RETRY_MS = 10;

export class SqlInvalidationLog {
  constructor(private readonly db: Database) {}

  async applyPending(
    apply: (records: LogRecord[], previousSeq: number) => Promise<void>,
    opts: { limit: number; lockWaitMs: number },
  ): Promise<{ applied: number; lastSeq: number } | 'busy'> {
    const deadline = Date.now() + opts.lockWaitMs;
    for (;;) {
      const outcome = await this.db.transaction(async (tx) => {
        // SKIP LOCKED rather than a lock timeout: a failed statement would abort the transaction
        // on PostgreSQL and PGlite alike; this one returns no row instead.
        const lock = await tx.query("SELECT 1 FROM gateway_meta WHERE key = 'cache_log_lock' FOR UPDATE SKIP LOCKED");
        if (lock.length === 0) return 'busy' as const;
        const pending = await tx.query<{ id: number }>('SELECT id FROM cache_invalidation_log WHERE seq IS NULL ORDER BY id LIMIT $1', [opts.limit]);
        const previousSeq = await lastSeqIn(tx);
        if (pending.length === 0) return { applied: 0, lastSeq: previousSeq };
        const records = await tx.query<{ seq: number; changes: LoggedEntity[] }>(
          `WITH numbered AS (
             SELECT id, nextval('cache_invalidation_seq') AS seq FROM (SELECT id FROM cache_invalidation_log WHERE id = ANY($1) ORDER BY id) AS o
           )
           UPDATE cache_invalidation_log l SET seq = numbered.seq, applied_at = now()
             FROM numbered WHERE l.id = numbered.id
           RETURNING l.seq, l.changes`,
          [pending.map((p) => p.id)],
        );
        records.sort((a, b) => a.seq - b.seq);
        // Marked applied only if apply resolves: a throw rolls the numbering back with the rest.
        await apply(records, previousSeq);
        return { applied: records.length, lastSeq: records[records.length - 1].seq };
      });
      if (outcome !== 'busy' || Date.now() >= deadline) return outcome;
      await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
    }
  }

  async appliedAfter(seq: number, limit: number): Promise<LogRecord[] | 'expired'> {
    const [pruned] = await this.db.query<{ value: string }>("SELECT value FROM gateway_meta WHERE key = 'cache_log_pruned_seq'");
    if (seq < Number(pruned?.value ?? 0)) return 'expired';
    return this.db.query<LogRecord>('SELECT seq, changes FROM cache_invalidation_log WHERE seq > $1 ORDER BY seq LIMIT $2', [seq, limit]);
  }

  lastAppliedSeq(): Promise<number> {
    return lastSeqIn(this.db);
  }

  async pendingChanges(): Promise<LoggedEntity[]> {
    const rows = await this.db.query<{ changes: LoggedEntity[] }>('SELECT changes FROM cache_invalidation_log WHERE seq IS NULL ORDER BY id');
    return rows.flatMap((r) => r.changes);
  }

  async position(): Promise<{ recorded: number; appliedThrough: number }> {
    const { recorded, appliedThrough } = await this.state();
    return { recorded, appliedThrough };
  }

  async state(): Promise<LogState> {
    const [row] = await this.db.query<{
      recorded: number | null;
      oldest_pending: number | null;
      seq: number | null;
      pruned: string | null;
      generation: string | null;
    }>(
      `SELECT (SELECT max(id) FROM cache_invalidation_log) AS recorded,
              (SELECT min(id) FROM cache_invalidation_log WHERE seq IS NULL) AS oldest_pending,
              ${LAST_SEQ_COLUMNS},
              (SELECT value FROM gateway_meta WHERE key = 'cache_generation') AS generation`,
    );
    const recorded = Number(row?.recorded ?? 0);
    return {
      recorded,
      appliedThrough: row?.oldest_pending == null ? recorded : Number(row.oldest_pending) - 1,
      lastSeq: lastSeqOf(row),
      generation: Number(row?.generation ?? 0),
    };
  }

  onRecorded(listener: () => void): Promise<() => Promise<void>> {
    return this.db.listen(INVALIDATION_CHANNEL, () => listener());
  }

  async generation(): Promise<number> {
    const [row] = await this.db.query<{ value: string }>("SELECT value FROM gateway_meta WHERE key = 'cache_generation'");
    return Number(row?.value ?? 0);
  }

  async nextGeneration(from: number): Promise<number> {
    await this.db.query("UPDATE gateway_meta SET value = $2 WHERE key = 'cache_generation' AND value = $1", [String(from), String(from + 1)]);
    return this.generation();
  }

  async prune(retentionMs: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const gone = await tx.query<{ seq: number }>(
        `DELETE FROM cache_invalidation_log WHERE seq IS NOT NULL AND applied_at < now() - make_interval(secs => $1) RETURNING seq`,
        [retentionMs / 1000],
      );
      if (gone.length === 0) return 0;
      const highest = gone.reduce((max, g) => Math.max(max, g.seq), 0);
      await tx.query("UPDATE gateway_meta SET value = GREATEST(value::bigint, $1)::text WHERE key = 'cache_log_pruned_seq'", [highest]);
      return gone.length;
    });
  }
}

/** The highest sequence number applied, pruned records included: the columns seq and pruned. */
const LAST_SEQ_COLUMNS = `(SELECT max(seq) FROM cache_invalidation_log) AS seq, (SELECT value FROM gateway_meta WHERE key = 'cache_log_pruned_seq') AS pruned`;

const lastSeqOf = (row: { seq: number | null; pruned: string | null } | undefined) => Math.max(Number(row?.seq ?? 0), Number(row?.pruned ?? 0));

async function lastSeqIn(q: Queryable): Promise<number> {
  const [row] = await q.query<{ seq: number | null; pruned: string | null }>(`SELECT ${LAST_SEQ_COLUMNS}`);
  return lastSeqOf(row);
}
