-- EMG recordings are stored whole, as uploaded; parsing and analysis read them back. The id is
-- the SHA-256 of the content (hex), so the same file uploaded twice is one row.
CREATE TABLE emg_recording (
  id          text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  name        text NOT NULL,
  format      text NOT NULL CHECK (format IN ('C3D', 'CSV')),
  bytes       bytea NOT NULL,
  byte_size   integer NOT NULL CHECK (byte_size = octet_length(bytes)),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- emgRecordings lists newest first.
CREATE INDEX emg_recording_created_at ON emg_recording (created_at DESC, id);
