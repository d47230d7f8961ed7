import pg from 'pg';
import type { Database, Queryable } from './database';

// Counts and ids come back as JS numbers; our counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface PostgresOptions {
  url: string;
  /** Schema to put first on the search_path (tests use one schema per run). */
  schema?: string;
  max?: number;
}

export function openPostgres(opts: PostgresOptions): Database {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query(sql, params) {
      return (await c.query(sql, params as unknown[])).rows;
    },
    async exec(sql) {
      await c.query(sql);
    },
  });
  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
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
