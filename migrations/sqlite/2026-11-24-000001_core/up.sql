CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    email TEXT,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP
);
CREATE UNIQUE INDEX users_username_uq ON users (username);
CREATE INDEX users_created_at_idx ON users (created_at);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    refresh_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_user_idx ON sessions (user_id, revoked_at);

CREATE TABLE cameras (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    company TEXT,
    model TEXT,
    serial_number TEXT NOT NULL,
    location TEXT,
    place TEXT,
    stream_key TEXT NOT NULL,
    recording_enabled BOOLEAN NOT NULL DEFAULT 1,
    transcode_profile TEXT NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT 1,
    stream_status TEXT NOT NULL DEFAULT 'offline',
    last_seen_at TIMESTAMP,
    created_via TEXT NOT NULL,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX cameras_serial_uq ON cameras (serial_number);
CREATE UNIQUE INDEX cameras_stream_key_uq ON cameras (stream_key);
CREATE INDEX cameras_status_active_idx ON cameras (deleted_at, stream_status, is_active);
CREATE INDEX cameras_created_at_idx ON cameras (deleted_at, created_at);
CREATE INDEX cameras_company_idx ON cameras (company);
CREATE INDEX cameras_place_idx ON cameras (place);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    remark TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    permissions TEXT NOT NULL,
    all_cameras BOOLEAN NOT NULL,
    ip_allowlist TEXT NOT NULL,
    rate_limit_per_hour INTEGER NOT NULL,
    expires_at TIMESTAMP,
    revoked_at TIMESTAMP,
    last_used_at TIMESTAMP,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX api_tokens_secret_hash_uq ON api_tokens (secret_hash);
CREATE INDEX api_tokens_created_at_idx ON api_tokens (created_at);

CREATE TABLE api_token_cameras (
    token_id TEXT NOT NULL REFERENCES api_tokens (id),
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    PRIMARY KEY (token_id, camera_id)
);

CREATE TABLE audit_logs (
    id TEXT PRIMARY KEY NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    action TEXT NOT NULL,
    entity_type TEXT,
    entity_id TEXT,
    before_state TEXT,
    after_state TEXT,
    ip TEXT,
    user_agent TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_created_idx ON audit_logs (created_at);
CREATE INDEX audit_actor_idx ON audit_logs (actor_id, created_at);
CREATE INDEX audit_action_idx ON audit_logs (action, created_at);
CREATE INDEX audit_entity_idx ON audit_logs (entity_type, entity_id, created_at);
CREATE INDEX audit_ip_idx ON audit_logs (ip, created_at);

CREATE TABLE recordings (
    id TEXT PRIMARY KEY NOT NULL,
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP NOT NULL,
    duration_ms BIGINT NOT NULL,
    size_bytes BIGINT NOT NULL,
    file_path TEXT NOT NULL,
    source_path TEXT NOT NULL,
    tier TEXT NOT NULL DEFAULT 'hot',
    checksum_sha256 TEXT NOT NULL,
    video_codec TEXT,
    audio_codec TEXT,
    width INTEGER,
    height INTEGER,
    bitrate_kbps INTEGER,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX recordings_source_uq ON recordings (source_path);
CREATE INDEX recordings_camera_started_idx ON recordings (camera_id, started_at);
CREATE INDEX recordings_started_idx ON recordings (started_at);
CREATE INDEX recordings_tier_idx ON recordings (tier, started_at);
