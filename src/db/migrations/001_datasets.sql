-- Datasets are stored column-major in chunks of rows: loading and computing statistics over
-- 200,000 rows reads a handful of JSON values instead of 200,000 row tuples, and appending
-- rows adds a chunk without rewriting the ones before it.
CREATE TABLE dataset (
  id          serial PRIMARY KEY,
  name        text NOT NULL,
  source      text,
  row_count   integer NOT NULL DEFAULT 0,
  columns     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dataset_chunk (
  dataset_id  integer NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
  seq         integer NOT NULL,
  row_count   integer NOT NULL,
  -- JSON array with one array of cells per column, in the dataset's column order
  data        jsonb NOT NULL,
  PRIMARY KEY (dataset_id, seq)
);
