-- The storage run's repair lists the recordings with a stale copy, by id. SQLite keeps no
-- statistics (no ANALYZE), so with the plain (stale_tier) index it walked the whole primary key
-- instead (seconds on a million rows, every run). A partial index holds just those few rows, in
-- id order, and costs nothing to keep for all the others.
DROP INDEX recordings_stale_tier_idx;
CREATE INDEX recordings_stale_copy_idx ON recordings (id) WHERE stale_tier IS NOT NULL;
