import pg from 'pg';
import type { Logger } from '../logger';
import type { Database, Queryable } from './database';
import { asUnavailable } from './errors';

// Counts and ids come back as JS numbers; our counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface PostgresOptions {
  url: string;
  /** Schema to put first on the search_path (tests use one schema per run). */
  schema?: string;
  max?: number;
  /**
   * Milliseconds to wait for a connection, new or from the pool. pg waits forever by default, so a
   * database behind a dead network hung every request that missed the cache.
   */
  connectTimeoutMs?: number;
  /**
   * Milliseconds one statement may take: sent to the server as statement_timeout (it cancels the
   * statement) and enforced by the client too (query_timeout), because a server that cannot be
   * reached never cancels anything. A connection whose statement timed out is discarded.
   */
  statementTimeoutMs?: number;
  /** Where dropped connections are reported; without it they are ignored (never a crash). */
  logger?: Logger;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;

export function openPostgres(opts: PostgresOptions): Database {
  const statementTimeoutMs = opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  // An idle connection the server drops (pg_terminate_backend, a failover, a proxy's idle timeout)
  // is emitted here; with no listener Node turns the event into an exception that kills the
  // process. pg-pool has already discarded the client: the next query opens a new one.
  const onConnectionError = (err: Error) =>
    opts.logger?.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'database connection lost');
  pool.on('error', onConnectionError);
  // A checked-out client has no pool listener, and pg-pool's own query() listens with once(): a
  // connection terminated mid-query can emit a second error that would crash the process. Every
  // client gets a listener of its own for its whole life.
  pool.on('connect', (client) => client.on('error', onConnectionError));
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query(sql, params) {
      try {
        return (await c.query(sql, params as unknown[])).rows;
      } catch (err) {
        throw asUnavailable(err);
      }
    },
    async exec(sql) {
      try {
        await c.query(sql);
      } catch (err) {
        throw asUnavailable(err);
      }
    },
  });
  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw asUnavailable(err);
      }
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: Error) => {
          // A connection that cannot roll back is not given back to the pool.
          broken = rollbackErr;
        });
        throw asUnavailable(err);
      } finally {
        client.release(broken);
      }
    },
    async listen(channel, onNotify) {
      let stopped = false;
      let client: pg.Client | undefined;
      let retry: NodeJS.Timeout | undefined;
      const connect = async (): Promise<void> => {
        const c = new pg.Client({ connectionString: opts.url, ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}) });
        // A dropped connection (a restart, a failover, an idle timeout) is reopened; until then
        // whoever listens relies on its own polling.
        const again = () => {
          if (stopped || client !== c) return;
          client = undefined;
          c.end().catch(() => undefined);
          retry = setTimeout(() => void connect().catch(() => undefined), 1000);
          retry.unref();
        };
        client = c;
        c.on('error', again);
        c.on('end', again);
        c.on('notification', (msg) => {
          if (msg.channel === channel) onNotify(msg.payload ?? '');
        });
        try {
          await c.connect();
          await c.query(`LISTEN ${channelName(channel)}`);
        } catch (err) {
          again();
          throw err;
        }
      };
      await connect();
      return async () => {
        stopped = true;
        clearTimeout(retry);
        await client?.end().catch(() => undefined);
      };
    },
    close: () => pool.end(),
  };
}

/** A channel name as LISTEN takes it: ours are constants, so anything but a plain name is our bug. */
function channelName(channel: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
  return channel;
}
