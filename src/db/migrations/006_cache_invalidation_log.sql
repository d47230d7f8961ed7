-- The cache's invalidation log (a transactional outbox): every committed change to a table a
-- domain tracks adds one row here, in the writer's own transaction, whoever wrote (the gateway,
-- psql, a seed, a migration). Relays in the gateways apply the rows to the cache in order
-- (src/cache/invalidation-relay.ts); the triggers are installed from the domains' declarations
-- at startup (src/db/invalidation-log.ts), with this file's function.
CREATE TABLE cache_invalidation_log (
  id           bigserial PRIMARY KEY,
  -- [{"type": "Dataset", "id": "7"}, …]: the entities one statement inserted, updated or deleted
  changes      jsonb NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  -- the order the rows were applied in; NULL while pending
  seq          bigint UNIQUE,
  applied_at   timestamptz
);

CREATE INDEX cache_invalidation_log_pending ON cache_invalidation_log (id) WHERE seq IS NULL;
CREATE INDEX cache_invalidation_log_applied_at ON cache_invalidation_log (applied_at) WHERE seq IS NOT NULL;

-- Sequence numbers are taken while a relay holds the log's lock; a rolled-back apply leaves a gap, never a reuse.
CREATE SEQUENCE cache_invalidation_seq;

-- cache_log_lock: the row a relay locks to apply (one relay at a time across gateways);
-- cache_generation: every cache key carries it, a new one makes every old entry unreachable;
-- cache_log_pruned_seq: the highest sequence number pruned, so a replay from before it is known to be incomplete.
INSERT INTO gateway_meta (key, value) VALUES ('cache_log_lock', ''), ('cache_generation', '0'), ('cache_log_pruned_seq', '0');

-- A statement-level trigger function: TG_ARGV[0] is the GraphQL type of the table's rows,
-- TG_ARGV[1] the column holding the entity id, TG_ARGV[2..] columns whose changes alone change
-- nothing a client can read (a trainer's heartbeat). An UPDATE that changed no other column is
-- not logged. The log row goes into the schema of the changed table, whatever the writer's search_path.
CREATE FUNCTION cache_log_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ignored text[] := coalesce(TG_ARGV[2:TG_NARGS - 1], '{}');
  src text;
  changed jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    src := format('SELECT (%I)::text AS id FROM cache_new', TG_ARGV[1]);
  ELSIF TG_OP = 'DELETE' THEN
    src := format('SELECT (%I)::text AS id FROM cache_old', TG_ARGV[1]);
  ELSE
    -- Rows whose visible columns differ between before and after, on either side.
    src := format(
      'SELECT r->>%1$L AS id FROM ((SELECT to_jsonb(n) - %2$L::text[] AS r FROM cache_new n EXCEPT ALL SELECT to_jsonb(o) - %2$L::text[] FROM cache_old o)
        UNION ALL (SELECT to_jsonb(o) - %2$L::text[] FROM cache_old o EXCEPT ALL SELECT to_jsonb(n) - %2$L::text[] FROM cache_new n)) AS d',
      TG_ARGV[1], ignored);
  END IF;
  EXECUTE format('SELECT jsonb_agg(DISTINCT jsonb_build_object(''type'', %L, ''id'', id)) FROM (%s) AS c WHERE id IS NOT NULL', TG_ARGV[0], src)
    INTO changed;
  IF changed IS NOT NULL THEN
    EXECUTE format('INSERT INTO %I.cache_invalidation_log (changes) VALUES ($1)', TG_TABLE_SCHEMA) USING changed;
    PERFORM pg_notify('cache_invalidation', TG_TABLE_SCHEMA);
  END IF;
  RETURN NULL;
END
$$;
