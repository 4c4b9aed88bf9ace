DROP INDEX recordings_stale_tier_idx;
DROP INDEX recordings_tier_ended_idx;
ALTER TABLE recordings DROP COLUMN stale_tier;
ALTER TABLE recordings DROP COLUMN tier_changed_at;
ALTER TABLE recordings DROP COLUMN location;
