-- Where alerts are sent (services/alert_channels): a webhook (HMAC-signed with `secret`) or an
-- e-mail list. `alert_types` / `camera_ids`: a JSON array, or '' for every type / camera.
CREATE TABLE alert_channels (
    id CHAR(36) PRIMARY KEY NOT NULL,
    name VARCHAR(255) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    url TEXT,
    email_to TEXT,
    secret VARCHAR(128),
    alert_types TEXT NOT NULL,
    camera_ids TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason TEXT,
    failing_since DATETIME(6),
    created_by VARCHAR(64) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- The outbox and the delivery log: one row per (channel, alert event), its payload frozen when
-- enqueued. A worker claims a due row by setting `claimed_by` / `claimed_until` (a lease) under
-- a conditional UPDATE; a crashed worker's lease expires and the row is claimed again.
CREATE TABLE alert_deliveries (
    id CHAR(36) PRIMARY KEY NOT NULL,
    channel_id CHAR(36) NOT NULL,
    alert_id CHAR(36),
    event VARCHAR(16) NOT NULL,
    payload MEDIUMTEXT NOT NULL,
    state VARCHAR(16) NOT NULL,
    attempts INT NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(6) NOT NULL,
    claimed_by VARCHAR(64),
    claimed_until DATETIME(6),
    last_attempt_at DATETIME(6),
    last_status INT,
    last_error TEXT,
    created_at DATETIME(6) NOT NULL,
    delivered_at DATETIME(6),
    CONSTRAINT alert_deliveries_channel_fk FOREIGN KEY (channel_id) REFERENCES alert_channels (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX alert_deliveries_due_idx ON alert_deliveries (state, next_attempt_at);
CREATE INDEX alert_deliveries_channel_idx ON alert_deliveries (channel_id, created_at);
