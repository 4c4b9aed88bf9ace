-- Bytes nginx received from the session's publisher, from the /stat snapshot at each
-- reconciliation pass; NULL until a snapshot saw it (or for sessions from before this column).
ALTER TABLE stream_sessions ADD COLUMN bytes_in BIGINT NULL;
