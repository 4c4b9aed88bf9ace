-- Objects whose recording row is gone but which are not yet deleted (services/storage/retention.rs):
-- written in the transaction that deletes the row, removed once the object is deleted, so a crash
-- in between leaves work for the next storage run instead of an object nobody knows of.
CREATE TABLE object_deletions (
    id TEXT PRIMARY KEY NOT NULL,
    tier TEXT NOT NULL,
    object_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
