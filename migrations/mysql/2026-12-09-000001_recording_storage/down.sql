DROP INDEX recordings_stale_tier_idx ON recordings;
DROP INDEX recordings_tier_ended_idx ON recordings;
ALTER TABLE recordings DROP COLUMN stale_tier;
ALTER TABLE recordings DROP COLUMN tier_changed_at;
ALTER TABLE recordings DROP COLUMN location;
