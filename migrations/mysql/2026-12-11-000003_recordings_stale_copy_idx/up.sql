-- Same name as SQLite's partial index for the storage run's repair (see there). MySQL has no
-- partial index; InnoDB's (stale_tier) index already carries the id and has statistics, so it
-- serves the same query.
ALTER TABLE recordings RENAME INDEX recordings_stale_tier_idx TO recordings_stale_copy_idx;
