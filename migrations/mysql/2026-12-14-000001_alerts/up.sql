-- Alerts (services/alerts): one row per episode of a condition. At most one not-resolved alert
-- per (kind, subject): `active_key` ("<kind>|<subject>" until resolved, then NULL) is unique, so
-- two writers opening the same alert at once cannot both insert; a repeat bumps `count`.
CREATE TABLE alerts (
    id CHAR(36) PRIMARY KEY NOT NULL,
    kind VARCHAR(32) NOT NULL,
    severity VARCHAR(16) NOT NULL,
    state VARCHAR(16) NOT NULL,
    camera_id CHAR(36),
    subject VARCHAR(255) NOT NULL,
    message TEXT NOT NULL,
    count BIGINT NOT NULL DEFAULT 1,
    first_seen DATETIME(6) NOT NULL,
    last_seen DATETIME(6) NOT NULL,
    acknowledged_at DATETIME(6),
    acknowledged_by VARCHAR(255),
    resolved_at DATETIME(6),
    resolved_by VARCHAR(255),
    active_key VARCHAR(300),
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX alerts_active_key_idx ON alerts (active_key);
CREATE INDEX alerts_kind_subject_state_idx ON alerts (kind, subject, state);
CREATE INDEX alerts_state_last_seen_idx ON alerts (state, last_seen);
CREATE INDEX alerts_camera_first_seen_idx ON alerts (camera_id, first_seen);
