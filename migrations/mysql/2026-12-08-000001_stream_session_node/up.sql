-- The ingest node (ARGUS_NODE_ID) whose nginx holds the publisher: a node's reconciliation ends
-- only its own sessions, and nginx client ids are unique per node only. Sessions opened before
-- nodes existed belong to the default node.
ALTER TABLE stream_sessions ADD COLUMN node VARCHAR(64) NOT NULL DEFAULT 'local';
CREATE INDEX stream_sessions_node_idx ON stream_sessions (node, ended_at);
