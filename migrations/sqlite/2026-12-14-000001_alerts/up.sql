-- Alerts (services/alerts): one row per episode of a condition. At most one not-resolved alert
-- per (kind, subject): `active_key` ("<kind>|<subject>" until resolved, then NULL) is unique, so
-- two writers opening the same alert at once cannot both insert; a repeat bumps `count`.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    state TEXT NOT NULL,
    camera_id TEXT,
    subject TEXT NOT NULL,
    message TEXT NOT NULL,
    count BIGINT NOT NULL DEFAULT 1,
    first_seen TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    acknowledged_by TEXT,
    resolved_at TIMESTAMP,
    resolved_by TEXT,
    active_key TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX alerts_active_key_idx ON alerts (active_key);
CREATE INDEX alerts_kind_subject_state_idx ON alerts (kind, subject, state);
CREATE INDEX alerts_state_last_seen_idx ON alerts (state, last_seen);
CREATE INDEX alerts_camera_first_seen_idx ON alerts (camera_id, first_seen);
