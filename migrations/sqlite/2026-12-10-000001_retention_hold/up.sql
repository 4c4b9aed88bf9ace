-- Per-camera retention: footage older than this many days (from ended_at) is deleted by the
-- storage run; NULL = the global ARGUS_RETENTION_DAYS (unset = kept forever).
ALTER TABLE cameras ADD COLUMN retention_days INTEGER;
-- The storage run selects expired recordings per camera by age.
CREATE INDEX recordings_camera_ended_idx ON recordings (camera_id, ended_at, id);
-- Legal hold, on one recording or on a whole camera: held footage never moves tier and never
-- expires, and cannot be deleted through the API.
ALTER TABLE recordings ADD COLUMN legal_hold BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE cameras ADD COLUMN legal_hold BOOLEAN NOT NULL DEFAULT 0;
