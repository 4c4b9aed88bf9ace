-- Keyframe-aligned playback segments of the recording (services::recorded_playback::segments); NULL until indexed.
ALTER TABLE recordings ADD COLUMN segment_index TEXT;
