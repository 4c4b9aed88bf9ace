-- Per-camera storage rules; NULL = the global setting. Tier thresholds: days (from ended_at)
-- after which the camera's footage belongs in WARM, COLD, ARCHIVE (ARGUS_TIER_*_AFTER_DAYS
-- otherwise). quota_bytes: the most footage (all tiers) the camera keeps; the storage run
-- deletes its oldest unheld recordings beyond it.
ALTER TABLE cameras ADD COLUMN warm_after_days INTEGER;
ALTER TABLE cameras ADD COLUMN cold_after_days INTEGER;
ALTER TABLE cameras ADD COLUMN archive_after_days INTEGER;
ALTER TABLE cameras ADD COLUMN quota_bytes BIGINT;
-- A camera's footage size (its quota) is summed from the index alone.
CREATE INDEX recordings_camera_size_idx ON recordings (camera_id, size_bytes);
