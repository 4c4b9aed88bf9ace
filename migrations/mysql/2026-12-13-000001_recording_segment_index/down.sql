ALTER TABLE recordings DROP COLUMN segment_index;
