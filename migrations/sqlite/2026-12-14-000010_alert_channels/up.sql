-- Where alerts are sent (services/alert_channels): a webhook (HMAC-signed with `secret`) or an
-- e-mail list. `alert_types` / `camera_ids`: a JSON array, or '' for every type / camera.
CREATE TABLE alert_channels (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT,
    email_to TEXT,
    secret TEXT,
    alert_types TEXT NOT NULL DEFAULT '',
    camera_ids TEXT NOT NULL DEFAULT '',
    enabled BOOLEAN NOT NULL DEFAULT 1,
    disabled_reason TEXT,
    failing_since TIMESTAMP,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The outbox and the delivery log: one row per (channel, alert event), its payload frozen when
-- enqueued. A worker claims a due row by setting `claimed_by` / `claimed_until` (a lease) under
-- a conditional UPDATE; a crashed worker's lease expires and the row is claimed again.
CREATE TABLE alert_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    channel_id TEXT NOT NULL REFERENCES alert_channels (id) ON DELETE CASCADE,
    alert_id TEXT,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    last_attempt_at TIMESTAMP,
    last_status INTEGER,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE INDEX alert_deliveries_due_idx ON alert_deliveries (state, next_attempt_at);
CREATE INDEX alert_deliveries_channel_idx ON alert_deliveries (channel_id, created_at);
