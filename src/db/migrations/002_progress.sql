CREATE TABLE progress_step (
  key       text PRIMARY KEY,
  title     text NOT NULL,
  position  integer NOT NULL UNIQUE
);

CREATE TABLE user_progress (
  user_id       text NOT NULL,
  step_key      text NOT NULL REFERENCES progress_step (key) ON DELETE CASCADE,
  completed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, step_key)
);
