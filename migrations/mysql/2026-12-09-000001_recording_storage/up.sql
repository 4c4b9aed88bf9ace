-- Storage tiers. `location`: the recording's object key inside the store of its `tier`;
-- NULL = the HOT file at `file_path` (every recording is filed so). The key is the same in
-- every tier, so a move never renames. `stale_tier`: a tier that may still hold a copy the row
-- does not point at (a move in progress, or a source not yet deleted); the next storage run
-- deletes that copy and clears it. `tier_changed_at`: when the last move finished.
ALTER TABLE recordings ADD COLUMN location VARCHAR(1024);
ALTER TABLE recordings ADD COLUMN tier_changed_at DATETIME(6);
ALTER TABLE recordings ADD COLUMN stale_tier VARCHAR(16);
-- The storage run selects due recordings per tier by age.
CREATE INDEX recordings_tier_ended_idx ON recordings (tier, ended_at, id);
CREATE INDEX recordings_stale_tier_idx ON recordings (stale_tier);
