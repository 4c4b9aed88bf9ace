DROP INDEX recordings_file_path_idx;
DROP INDEX recordings_location_idx;
DROP INDEX recordings_usage_idx;
