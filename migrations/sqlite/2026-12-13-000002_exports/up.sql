-- Clip exports: a time range of one camera's recordings cut into one MP4 by the export worker
-- (services/exports). `node` is the node whose worker claimed it, so a restarted node re-queues
-- only its own interrupted exports.
CREATE TABLE exports (
    id TEXT PRIMARY KEY NOT NULL,
    camera_id TEXT NOT NULL,
    requested_by_type TEXT NOT NULL,
    requested_by_id TEXT,
    requested_by_name TEXT,
    note TEXT,
    range_from TIMESTAMP NOT NULL,
    range_to TIMESTAMP NOT NULL,
    state TEXT NOT NULL,
    node TEXT,
    progress_percent INTEGER NOT NULL DEFAULT 0,
    eta_secs INTEGER,
    size_bytes BIGINT,
    checksum_sha256 TEXT,
    duration_ms BIGINT,
    file_path TEXT,
    error TEXT,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    expires_at TIMESTAMP
);
CREATE INDEX exports_created_idx ON exports (created_at);
CREATE INDEX exports_camera_created_idx ON exports (camera_id, created_at);
CREATE INDEX exports_state_idx ON exports (state, created_at);
CREATE INDEX exports_expires_idx ON exports (expires_at);
