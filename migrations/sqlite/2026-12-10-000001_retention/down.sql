DROP INDEX recordings_camera_ended_idx;
ALTER TABLE cameras DROP COLUMN retention_days;
