-- Chunks are stored as the JSON text the gateway wrote, not as jsonb. Nothing queries inside a
-- chunk: every read fetches whole chunks and parses them in a worker, so jsonb's only effect was
-- to turn each chunk back into text on every read. For flights-200k that conversion was about half
-- the database's share of a Dataset.statistics miss, and its output (a space after every comma)
-- is a fifth larger than what was written. The gateway writes the text with JSON.stringify, so it
-- is valid JSON; the USING clause keeps existing chunks' content (jsonb's rendering of it).
ALTER TABLE dataset_chunk ALTER COLUMN data TYPE text USING data::text;
