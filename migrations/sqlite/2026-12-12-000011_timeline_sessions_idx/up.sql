-- The timeline reads a camera's publish sessions by start time over a range.
CREATE INDEX stream_sessions_camera_started_idx ON stream_sessions (camera_id, started_at);
