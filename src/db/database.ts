/**
 * The one small database interface the domains see. Two implementations: PostgreSQL (pg)
 * and embedded PGlite. SQL is plain PostgreSQL and runs unchanged on both.
 */
export interface Queryable {
  /** Runs one parameterised statement and returns its rows. */
  query<R = Record<string, any>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls onNotify for every NOTIFY on channel (on a connection of its own for PostgreSQL, which
   * comes back after a drop); resolves with a function that stops listening.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
