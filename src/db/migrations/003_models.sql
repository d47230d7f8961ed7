-- Model runs: one classifier trained on one dataset. The row is the run's whole state, so a
-- restarted gateway finds every run where the last one left it (see models/trainer.ts).
CREATE TABLE model_run (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dataset_id          integer NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
  name                text NOT NULL,
  algorithm           text NOT NULL CHECK (algorithm IN ('RANDOM_FOREST', 'DECISION_TREE', 'LOGISTIC_REGRESSION', 'KNN')),
  target              text NOT NULL,
  -- JSON array of the feature column names, resolved when the run was queued
  features            jsonb NOT NULL,
  -- drives the split, the row cap's sample and the algorithm, so a re-queued run trains the same model
  seed                integer NOT NULL,
  status              text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'TRAINING', 'COMPLETED', 'FAILED')),
  -- times a trainer claimed the run; also the claim's token (a trainer writes only while it still holds it)
  attempts            integer NOT NULL DEFAULT 0,
  error               text,
  metrics             jsonb,
  feature_importance  jsonb,
  -- the serialised classifier (training/model-format.ts), for predictions
  model               text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  started_at          timestamptz,
  -- refreshed while a trainer works on the run; a TRAINING run whose heartbeat stopped is re-queued
  heartbeat_at        timestamptz,
  completed_at        timestamptz
);

CREATE INDEX model_run_dataset ON model_run (dataset_id, created_at DESC);
CREATE INDEX model_run_created ON model_run (created_at DESC);
CREATE INDEX model_run_pending ON model_run (created_at) WHERE status IN ('QUEUED', 'TRAINING');
