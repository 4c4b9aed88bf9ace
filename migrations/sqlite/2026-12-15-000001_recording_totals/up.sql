-- Recordings and bytes per tier, kept by the statements that insert, move and delete
-- recordings (db::recording_totals): the dashboard figures and the recordings{tier} gauges are
-- read after every status change and reconciliation, and summing millions of recordings each
-- time cost seconds. Seeded here from the recordings that exist.
CREATE TABLE recording_totals (
    tier TEXT NOT NULL PRIMARY KEY,
    recordings BIGINT NOT NULL DEFAULT 0,
    bytes BIGINT NOT NULL DEFAULT 0
);
INSERT INTO recording_totals (tier) VALUES ('hot'), ('warm'), ('cold'), ('archive');
UPDATE recording_totals SET
    recordings = (SELECT COUNT(*) FROM recordings r WHERE r.tier = recording_totals.tier),
    bytes = (SELECT COALESCE(SUM(r.size_bytes), 0) FROM recordings r WHERE r.tier = recording_totals.tier);
