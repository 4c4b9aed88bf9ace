-- Objects whose recording row is gone but which are not yet deleted (services/storage/retention.rs):
-- written in the transaction that deletes the row, removed once the object is deleted, so a crash
-- in between leaves work for the next storage run instead of an object nobody knows of.
CREATE TABLE object_deletions (
    id CHAR(36) PRIMARY KEY NOT NULL,
    tier VARCHAR(16) NOT NULL,
    object_key TEXT NOT NULL,
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
