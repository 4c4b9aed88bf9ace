DROP INDEX recordings_camera_ended_idx ON recordings;
ALTER TABLE cameras DROP COLUMN retention_days;
