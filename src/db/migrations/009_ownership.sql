-- Who created each dataset, EMG recording and model run: the verified user's id (a token's sub).
-- NULL is the system: rows from before this migration, the first-start seeds, and rows written
-- outside the gateway (psql, a script); only an admin may change or delete those. Not a sentinel
-- id such as 'system': a token may carry any sub, and would then own every seeded row.
-- Adding a nullable column rewrites no row and keeps the statement-level triggers of 006, which
-- compare whole rows (an owner never changes after the insert, so no UPDATE is logged for it).
ALTER TABLE dataset ADD COLUMN owner text;
ALTER TABLE model_run ADD COLUMN owner text;
ALTER TABLE emg_recording ADD COLUMN owner text;
