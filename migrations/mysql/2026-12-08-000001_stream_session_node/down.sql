DROP INDEX stream_sessions_node_idx ON stream_sessions;
ALTER TABLE stream_sessions DROP COLUMN node;
