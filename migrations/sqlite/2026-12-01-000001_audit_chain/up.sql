-- Tamper-evident audit log: every row carries its place in the chain (chain_seq), the hash of
-- the row before it (prev_hash) and its own hash over prev_hash + its content (row_hash).
-- Rows that existed before this migration are chained by a backfill the first time Argus
-- starts (or `argus migrate` runs), from the genesis hash (64 zeros) in audit_chain_head.
ALTER TABLE audit_logs ADD COLUMN chain_seq BIGINT;
ALTER TABLE audit_logs ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_logs ADD COLUMN row_hash TEXT;
-- Unique: two writers can never append the same link (a fork fails instead of forking).
CREATE UNIQUE INDEX audit_chain_seq_uq ON audit_logs (chain_seq);

-- The chain's last link, one row; appenders lock it for the length of their transaction.
CREATE TABLE audit_chain_head (
    id INTEGER PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Retention pruning.
CREATE INDEX sessions_revoked_idx ON sessions (revoked_at);
CREATE INDEX sessions_last_used_idx ON sessions (last_used_at);
CREATE INDEX stream_sessions_ended_idx ON stream_sessions (ended_at);
