DROP INDEX recordings_file_path_idx ON recordings;
DROP INDEX recordings_location_idx ON recordings;
DROP INDEX recordings_usage_idx ON recordings;
