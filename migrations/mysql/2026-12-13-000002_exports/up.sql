-- Clip exports: a time range of one camera's recordings cut into one MP4 by the export worker
-- (services/exports). `node` is the node whose worker claimed it, so a restarted node re-queues
-- only its own interrupted exports.
CREATE TABLE exports (
    id CHAR(36) PRIMARY KEY NOT NULL,
    camera_id CHAR(36) NOT NULL,
    requested_by_type VARCHAR(16) NOT NULL,
    requested_by_id VARCHAR(64),
    requested_by_name VARCHAR(255),
    note TEXT,
    range_from DATETIME(6) NOT NULL,
    range_to DATETIME(6) NOT NULL,
    state VARCHAR(16) NOT NULL,
    node VARCHAR(64),
    progress_percent INT NOT NULL DEFAULT 0,
    eta_secs INT,
    size_bytes BIGINT,
    checksum_sha256 VARCHAR(64),
    duration_ms BIGINT,
    file_path TEXT,
    error TEXT,
    created_at DATETIME(6) NOT NULL,
    started_at DATETIME(6),
    finished_at DATETIME(6),
    expires_at DATETIME(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX exports_created_idx ON exports (created_at);
CREATE INDEX exports_camera_created_idx ON exports (camera_id, created_at);
CREATE INDEX exports_state_idx ON exports (state, created_at);
CREATE INDEX exports_expires_idx ON exports (expires_at);
