ALTER TABLE cameras DROP COLUMN legal_hold;
ALTER TABLE recordings DROP COLUMN legal_hold;
DROP INDEX recordings_camera_ended_idx;
ALTER TABLE cameras DROP COLUMN retention_days;
