-- Storage usage (GET /api/v1/storage, dashboard stats): one GROUP BY camera_id, tier over this
-- covering index reads no table rows.
CREATE INDEX recordings_usage_idx ON recordings (camera_id, tier, ended_at, size_bytes);
-- The orphan sweep asks, a batch of listed keys at a time, which are referenced.
CREATE INDEX recordings_location_idx ON recordings (location);
CREATE INDEX recordings_file_path_idx ON recordings (file_path);
