-- A random identity of this database, part of every cache key: entries cached for a database
-- that was since dropped and recreated (ids start over) can never be read for the new one.
CREATE TABLE gateway_meta (
  key    text PRIMARY KEY,
  value  text NOT NULL
);

INSERT INTO gateway_meta (key, value) VALUES ('database_id', md5(random()::text || clock_timestamp()::text));
