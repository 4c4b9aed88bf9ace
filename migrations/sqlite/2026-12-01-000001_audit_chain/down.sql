DROP INDEX stream_sessions_ended_idx;
DROP INDEX sessions_last_used_idx;
DROP INDEX sessions_revoked_idx;
DROP TABLE audit_chain_head;
DROP INDEX audit_chain_seq_uq;
ALTER TABLE audit_logs DROP COLUMN row_hash;
ALTER TABLE audit_logs DROP COLUMN prev_hash;
ALTER TABLE audit_logs DROP COLUMN chain_seq;
