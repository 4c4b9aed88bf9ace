-- One row per RTMP publisher connection as nginx-rtmp reports it (by clientid, not by stream
-- name: a refused second publisher on a live key still sends publish_done).
CREATE TABLE stream_sessions (
    id CHAR(36) PRIMARY KEY NOT NULL,
    camera_id CHAR(36) NOT NULL REFERENCES cameras (id),
    client_id VARCHAR(64) NOT NULL,
    addr VARCHAR(64),
    started_at DATETIME(6) NOT NULL,
    last_update_at DATETIME(6) NOT NULL,
    ended_at DATETIME(6),
    end_reason VARCHAR(64)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX stream_sessions_client_idx ON stream_sessions (client_id, ended_at);
CREATE INDEX stream_sessions_camera_idx ON stream_sessions (camera_id, ended_at);
