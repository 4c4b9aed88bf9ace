-- Where deleted footage was: one row per recording row deleted (expiry or a user's delete),
-- written in the transaction that deletes it (db::recordings::delete_unheld). The timeline
-- reads them by (camera_id, started_at) to say a gap is "deleted"; pruned with stream sessions.
CREATE TABLE footage_tombstones (
    recording_id TEXT PRIMARY KEY NOT NULL,
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP NOT NULL,
    -- retention | quota | disk_floor | user
    reason TEXT NOT NULL,
    deleted_at TIMESTAMP NOT NULL
);
CREATE INDEX footage_tombstones_camera_started_idx ON footage_tombstones (camera_id, started_at);
CREATE INDEX footage_tombstones_deleted_idx ON footage_tombstones (deleted_at);

-- Deletions before this table existed, from their audit rows (which name camera and span).
INSERT OR IGNORE INTO footage_tombstones (recording_id, camera_id, started_at, ended_at, reason, deleted_at)
SELECT a.entity_id,
       json_extract(a.before_state, '$.camera_id'),
       strftime('%Y-%m-%d %H:%M:%f', json_extract(a.before_state, '$.started_at')),
       strftime('%Y-%m-%d %H:%M:%f', json_extract(a.before_state, '$.ended_at')),
       CASE a.action WHEN 'recording.deleted' THEN 'user'
            ELSE COALESCE(json_extract(a.after_state, '$.reason'), 'retention') END,
       a.created_at
FROM audit_logs a
WHERE a.entity_id IS NOT NULL
  AND a.action IN ('recording.expired', 'recording.deleted')
  AND json_valid(a.before_state)
  AND json_extract(a.before_state, '$.camera_id') IN (SELECT id FROM cameras)
  AND json_extract(a.before_state, '$.started_at') IS NOT NULL
  AND json_extract(a.before_state, '$.ended_at') IS NOT NULL;
