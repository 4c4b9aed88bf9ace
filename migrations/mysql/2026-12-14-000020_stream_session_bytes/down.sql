ALTER TABLE stream_sessions DROP COLUMN bytes_in;
