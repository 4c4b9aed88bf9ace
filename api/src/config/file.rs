//! The optional TOML file named by `ARGUS_CONFIG`.

use std::collections::HashMap;

use super::ConfigError;

/// Every variable Argus reads. In the TOML file a key is the variable lower-cased without its
/// `ARGUS_` prefix (`bind`, `database_url`, `hls_dir`, …).
const KNOWN_VARS: &[&str] = &[
    "ARGUS_BIND",
    "DATABASE_URL",
    "ARGUS_DATABASE_POOL_SIZE",
    "REDIS_URL",
    "ARGUS_REDIS_PREFIX",
    "ARGUS_DATA_DIR",
    "ARGUS_JWT_SECRET",
    "ARGUS_ACCESS_TOKEN_TTL_SECS",
    "ARGUS_SESSION_IDLE_SECS",
    "ARGUS_PUBLIC_RTMP_URL",
    "ARGUS_LOG_FORMAT",
    "ARGUS_LOGIN_RATE_PER_IP",
    "ARGUS_LOGIN_RATE_PER_USER",
    "ARGUS_LOGIN_RATE_WINDOW_SECS",
    "ARGUS_TOKEN_RATE_PER_HOUR",
    "ARGUS_CAMERA_CACHE_TTL_SECS",
    "ARGUS_STATS_CACHE_TTL_SECS",
    "ARGUS_FRONTEND_DIR",
    "ARGUS_HOOK_SECRET",
    "ARGUS_PLAYBACK_SECRET",
    "ARGUS_RTMP_PORT",
    "ARGUS_RTMP_INTERNAL_PORT",
    "ARGUS_NGINX_HTTP_PORT",
    "ARGUS_PUBLIC_HLS_URL",
    "ARGUS_RECORD_DIR",
    "ARGUS_STORAGE_DIR",
    "ARGUS_HLS_DIR",
    "ARGUS_PROFILES_DIR",
    "ARGUS_RECORD_INTERVAL_SECS",
    "ARGUS_HOOK_UPDATE_SECS",
    "ARGUS_PLAYBACK_TTL_SECS",
    "ARGUS_STALL_SECS",
    "ARGUS_NODE_ID",
    "ARGUS_EXPORT_DIR",
    "ARGUS_EXPORT_MAX_HOURS",
    "ARGUS_EXPORT_TTL_DAYS",
    "ARGUS_TRUSTED_PROXIES",
    "ARGUS_METRICS_TOKEN",
    "ARGUS_AUDIT_RETENTION_DAYS",
    "ARGUS_STREAM_SESSION_RETENTION_DAYS",
    "ARGUS_SESSION_RETENTION_DAYS",
    "ARGUS_PRUNE_INTERVAL_SECS",
    "ARGUS_TLS_CERT",
    "ARGUS_TLS_KEY",
    "ARGUS_NGINX_HTTPS_PORT",
    "ARGUS_RTMPS_PORT",
    "ARGUS_RTMPS_INTERNAL_PORT",
    "ARGUS_TLS_ONLY",
    "ARGUS_TIER_HOT_URL",
    "ARGUS_TIER_WARM_URL",
    "ARGUS_TIER_COLD_URL",
    "ARGUS_TIER_ARCHIVE_URL",
    "ARGUS_TIER_WARM_AFTER_DAYS",
    "ARGUS_TIER_COLD_AFTER_DAYS",
    "ARGUS_TIER_ARCHIVE_AFTER_DAYS",
    "ARGUS_S3_ENDPOINT",
    "ARGUS_S3_REGION",
    "ARGUS_S3_ACCESS_KEY_ID",
    "ARGUS_S3_SECRET_ACCESS_KEY",
    "ARGUS_S3_ALLOW_HTTP",
    "ARGUS_SMTP_HOST",
    "ARGUS_SMTP_PORT",
    "ARGUS_SMTP_SECURITY",
    "ARGUS_SMTP_USERNAME",
    "ARGUS_SMTP_PASSWORD",
    "ARGUS_SMTP_FROM",
    "ARGUS_ALERT_RETRY_BASE_SECS",
    "ARGUS_CHANNEL_DISABLE_AFTER_HOURS",
    "ARGUS_OFFLINE_ALERT_SECS",
    "ARGUS_EXPECTED_WINDOW",
    "ARGUS_FLAP_COUNT",
    "ARGUS_FLAP_WINDOW_SECS",
    "ARGUS_ALERT_RECOVERY_SECS",
    "ARGUS_DEGRADED_SCORE",
    "ARGUS_DEGRADED_MINUTES",
    "ARGUS_BRUTE_FORCE_THRESHOLD",
    "ARGUS_BRUTE_FORCE_WINDOW_SECS",
    "ARGUS_CRASH_LOOP_RESTARTS",
    "ARGUS_CRASH_LOOP_WINDOW_SECS",
];

fn file_key(var: &str) -> String {
    var.strip_prefix("ARGUS_").unwrap_or(var).to_lowercase()
}

pub(super) fn load_file(path: &str) -> Result<HashMap<&'static str, String>, ConfigError> {
    let err = |message: String| ConfigError::File { path: path.to_string(), message };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
    let mut out = HashMap::new();
    for (key, value) in table {
        let var = KNOWN_VARS
            .iter()
            .find(|v| file_key(v) == key)
            .ok_or_else(|| err(format!("unknown key {key:?}")))?;
        let value = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(_) | toml::Value::Boolean(_) | toml::Value::Float(_) => value.to_string(),
            other => return Err(err(format!("{key}: unsupported value {other}"))),
        };
        out.insert(*var, value);
    }
    Ok(out)
}
