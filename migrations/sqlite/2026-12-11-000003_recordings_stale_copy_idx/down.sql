DROP INDEX recordings_stale_copy_idx;
CREATE INDEX recordings_stale_tier_idx ON recordings (stale_tier);
