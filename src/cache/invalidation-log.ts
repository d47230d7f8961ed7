/**
 * The durable log of invalidations (a transactional outbox), as the cache sees it. The database
 * records which entities each committed transaction changed, inside that transaction, whoever
 * wrote (the gateway, psql, a seed, a migration); a relay in every gateway applies the records
 * to the cache in order. src/db implements it; the cache core knows only this port.
 */

/** One entity a committed transaction inserted, updated or deleted. */
export interface EntityChange {
  /** The GraphQL type name of the entity, e.g. "Dataset". */
  type: string;
  id: string;
}

/** A record of the log: the changes of one statement, and its place in the order records were applied. */
export interface LoggedChanges {
  /** Increasing in the order records were applied (assigned when applied); 0 while pending. */
  seq: number;
  changes: EntityChange[];
}

/** Where the log stands: position(), lastAppliedSeq() and generation(), read together. */
export interface LogState {
  recorded: number;
  appliedThrough: number;
  lastSeq: number;
  generation: number;
}

export interface InvalidationLog {
  /**
   * Applies pending records in the order they were recorded, one relay at a time across every
   * gateway: takes the log's lock (waiting at most lockWaitMs), gives up to `limit` pending
   * records their sequence numbers, hands them to apply, and marks them applied only if apply
   * resolves (otherwise they stay pending). Resolves with how many were applied and the highest
   * sequence number, or 'busy' when another relay kept the lock. apply also gets the highest
   * sequence number applied before these records (0 when none).
   */
  applyPending(
    apply: (records: LoggedChanges[], previousSeq: number) => Promise<void>,
    opts: { limit: number; lockWaitMs: number },
  ): Promise<{ applied: number; lastSeq: number } | 'busy'>;
  /** Records applied with a sequence number above seq, oldest first; 'expired' when some were pruned already. */
  appliedAfter(seq: number, limit: number): Promise<LoggedChanges[] | 'expired'>;
  /** The highest sequence number applied so far; 0 when none. */
  lastAppliedSeq(): Promise<number>;
  /**
   * Where the log stands: `recorded`, the newest record committed so far; `appliedThrough`, the
   * position up to which every committed record is applied. A writer that committed before
   * asking is applied once appliedThrough reaches the `recorded` it saw.
   */
  position(): Promise<{ recorded: number; appliedThrough: number }>;
  /** position(), lastAppliedSeq() and generation() in one read: what a relay's idle look needs. */
  state(): Promise<LogState>;
  /** The changes of records not applied yet (treated as changed by every gateway until they are). */
  pendingChanges(): Promise<EntityChange[]>;
  /** Calls listener soon after a record is added (LISTEN/NOTIFY); resolves with a function that stops listening. */
  onRecorded(listener: () => void): Promise<() => Promise<void>>;
  /** The cache generation: every key of the cache belongs to one; a new one makes every old entry unreachable. */
  generation(): Promise<number>;
  /** Moves to the generation after `from`, unless someone already moved past it; resolves with the current one. */
  nextGeneration(from: number): Promise<number>;
  /** Deletes applied records older than retentionMs; resolves with how many went. */
  prune(retentionMs: number): Promise<number>;
}
