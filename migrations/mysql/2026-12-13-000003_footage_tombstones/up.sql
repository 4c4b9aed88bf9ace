-- Where deleted footage was: one row per recording row deleted (expiry or a user's delete),
-- written in the transaction that deletes it (db::recordings::delete_unheld). The timeline
-- reads them by (camera_id, started_at) to say a gap is "deleted"; pruned with stream sessions.
CREATE TABLE footage_tombstones (
    recording_id CHAR(36) PRIMARY KEY NOT NULL,
    camera_id CHAR(36) NOT NULL REFERENCES cameras (id),
    started_at DATETIME(6) NOT NULL,
    ended_at DATETIME(6) NOT NULL,
    -- retention | quota | disk_floor | user
    reason VARCHAR(16) NOT NULL,
    deleted_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX footage_tombstones_camera_started_idx ON footage_tombstones (camera_id, started_at);
CREATE INDEX footage_tombstones_deleted_idx ON footage_tombstones (deleted_at);

-- Deletions before this table existed, from their audit rows (which name camera and span).
INSERT IGNORE INTO footage_tombstones (recording_id, camera_id, started_at, ended_at, reason, deleted_at)
SELECT a.entity_id,
       JSON_UNQUOTE(JSON_EXTRACT(a.before_state, '$.camera_id')),
       CAST(REPLACE(REPLACE(JSON_UNQUOTE(JSON_EXTRACT(a.before_state, '$.started_at')), 'T', ' '), 'Z', '') AS DATETIME(6)),
       CAST(REPLACE(REPLACE(JSON_UNQUOTE(JSON_EXTRACT(a.before_state, '$.ended_at')), 'T', ' '), 'Z', '') AS DATETIME(6)),
       CASE a.action WHEN 'recording.deleted' THEN 'user'
            ELSE COALESCE(JSON_UNQUOTE(JSON_EXTRACT(a.after_state, '$.reason')), 'retention') END,
       a.created_at
FROM audit_logs a
WHERE a.entity_id IS NOT NULL
  AND a.action IN ('recording.expired', 'recording.deleted')
  AND JSON_VALID(a.before_state)
  AND JSON_UNQUOTE(JSON_EXTRACT(a.before_state, '$.camera_id')) IN (SELECT id FROM cameras)
  AND JSON_EXTRACT(a.before_state, '$.started_at') IS NOT NULL
  AND JSON_EXTRACT(a.before_state, '$.ended_at') IS NOT NULL;
