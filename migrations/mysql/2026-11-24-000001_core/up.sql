CREATE TABLE users (
    id CHAR(36) PRIMARY KEY NOT NULL,
    username VARCHAR(64) NOT NULL,
    email VARCHAR(255),
    password_hash TEXT NOT NULL,
    role VARCHAR(16) NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    last_login_at DATETIME(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX users_username_uq ON users (username);
CREATE INDEX users_created_at_idx ON users (created_at);

CREATE TABLE sessions (
    id CHAR(36) PRIMARY KEY NOT NULL,
    user_id CHAR(36) NOT NULL REFERENCES users (id),
    refresh_hash CHAR(64) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    last_used_at DATETIME(6) NOT NULL,
    revoked_at DATETIME(6),
    revoked_reason VARCHAR(64),
    ip VARCHAR(64),
    user_agent VARCHAR(512)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX sessions_user_idx ON sessions (user_id, revoked_at);

CREATE TABLE cameras (
    id CHAR(36) PRIMARY KEY NOT NULL,
    name VARCHAR(200) NOT NULL,
    company VARCHAR(200),
    model VARCHAR(200),
    serial_number VARCHAR(128) NOT NULL,
    location VARCHAR(500),
    place VARCHAR(200),
    stream_key VARCHAR(64) NOT NULL,
    recording_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    transcode_profile VARCHAR(64) NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    stream_status VARCHAR(16) NOT NULL DEFAULT 'offline',
    last_seen_at DATETIME(6),
    created_via VARCHAR(16) NOT NULL,
    created_by VARCHAR(64),
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    deleted_at DATETIME(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX cameras_serial_uq ON cameras (serial_number);
CREATE UNIQUE INDEX cameras_stream_key_uq ON cameras (stream_key);
CREATE INDEX cameras_status_active_idx ON cameras (deleted_at, stream_status, is_active);
CREATE INDEX cameras_created_at_idx ON cameras (deleted_at, created_at);
CREATE INDEX cameras_company_idx ON cameras (company);
CREATE INDEX cameras_place_idx ON cameras (place);

CREATE TABLE api_tokens (
    id CHAR(36) PRIMARY KEY NOT NULL,
    remark VARCHAR(500) NOT NULL,
    prefix VARCHAR(32) NOT NULL,
    secret_hash CHAR(64) NOT NULL,
    permissions TEXT NOT NULL,
    all_cameras BOOLEAN NOT NULL,
    ip_allowlist TEXT NOT NULL,
    rate_limit_per_hour INTEGER NOT NULL,
    expires_at DATETIME(6),
    revoked_at DATETIME(6),
    last_used_at DATETIME(6),
    created_by VARCHAR(64) NOT NULL,
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX api_tokens_secret_hash_uq ON api_tokens (secret_hash);
CREATE INDEX api_tokens_created_at_idx ON api_tokens (created_at);

CREATE TABLE api_token_cameras (
    token_id CHAR(36) NOT NULL REFERENCES api_tokens (id),
    camera_id CHAR(36) NOT NULL REFERENCES cameras (id),
    PRIMARY KEY (token_id, camera_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE audit_logs (
    id CHAR(36) PRIMARY KEY NOT NULL,
    actor_type VARCHAR(16) NOT NULL,
    actor_id VARCHAR(64),
    actor_name VARCHAR(200),
    action VARCHAR(64) NOT NULL,
    entity_type VARCHAR(32),
    entity_id VARCHAR(64),
    before_state TEXT,
    after_state TEXT,
    ip VARCHAR(64),
    user_agent VARCHAR(512),
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX audit_created_idx ON audit_logs (created_at);
CREATE INDEX audit_actor_idx ON audit_logs (actor_id, created_at);
CREATE INDEX audit_action_idx ON audit_logs (action, created_at);
CREATE INDEX audit_entity_idx ON audit_logs (entity_type, entity_id, created_at);
CREATE INDEX audit_ip_idx ON audit_logs (ip, created_at);

CREATE TABLE recordings (
    id CHAR(36) PRIMARY KEY NOT NULL,
    camera_id CHAR(36) NOT NULL REFERENCES cameras (id),
    started_at DATETIME(6) NOT NULL,
    ended_at DATETIME(6) NOT NULL,
    duration_ms BIGINT NOT NULL,
    size_bytes BIGINT NOT NULL,
    file_path VARCHAR(1024) NOT NULL,
    source_path VARCHAR(768) NOT NULL,
    tier VARCHAR(16) NOT NULL DEFAULT 'hot',
    checksum_sha256 CHAR(64) NOT NULL,
    video_codec VARCHAR(32),
    audio_codec VARCHAR(32),
    width INTEGER,
    height INTEGER,
    bitrate_kbps INTEGER,
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX recordings_source_uq ON recordings (source_path);
CREATE INDEX recordings_camera_started_idx ON recordings (camera_id, started_at);
CREATE INDEX recordings_started_idx ON recordings (started_at);
CREATE INDEX recordings_tier_idx ON recordings (tier, started_at);
