DROP TABLE stream_sessions;
