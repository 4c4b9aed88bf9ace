DROP INDEX recordings_camera_size_idx;
ALTER TABLE cameras DROP COLUMN quota_bytes;
ALTER TABLE cameras DROP COLUMN archive_after_days;
ALTER TABLE cameras DROP COLUMN cold_after_days;
ALTER TABLE cameras DROP COLUMN warm_after_days;
