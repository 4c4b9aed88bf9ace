-- One row per RTMP publisher connection as nginx-rtmp reports it (by clientid, not by stream
-- name: a refused second publisher on a live key still sends publish_done).
CREATE TABLE stream_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    client_id TEXT NOT NULL,
    addr TEXT,
    started_at TIMESTAMP NOT NULL,
    last_update_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    end_reason TEXT
);
CREATE INDEX stream_sessions_client_idx ON stream_sessions (client_id, ended_at);
CREATE INDEX stream_sessions_camera_idx ON stream_sessions (camera_id, ended_at);
