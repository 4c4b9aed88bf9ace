DROP INDEX stream_sessions_node_idx;
ALTER TABLE stream_sessions DROP COLUMN node;
