DROP INDEX stream_sessions_ended_idx ON stream_sessions;
DROP INDEX sessions_last_used_idx ON sessions;
DROP INDEX sessions_revoked_idx ON sessions;
DROP TABLE audit_chain_head;
DROP INDEX audit_chain_seq_uq ON audit_logs;
ALTER TABLE audit_logs DROP COLUMN row_hash, DROP COLUMN prev_hash, DROP COLUMN chain_seq;
