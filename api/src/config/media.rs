//! The data plane's settings: nginx ports, secrets, folders, recording and playback.

use std::path::{Path, PathBuf};

use super::{absolute, tls, ConfigError, Source, TlsSettings};

/// The data plane: nginx-rtmp, FFmpeg, recordings and HLS.
#[derive(Clone, Debug)]
pub struct MediaSettings {
    /// Shared secret in every hook URL; `None` = generate and keep in the data dir.
    pub hook_secret: Option<String>,
    /// Signs HLS URLs (nginx `secure_link_md5`); `None` = generate and keep in the data dir.
    pub playback_secret: Option<String>,
    pub rtmp_port: u16,
    /// Loopback-only RTMP port of nginx's transcoding (`hls`) server.
    pub rtmp_internal_port: u16,
    /// nginx's HTTP port: signed HLS, `/stat` and `/control` (the latter two loopback-only).
    pub nginx_http_port: u16,
    /// Base of playback URLs handed to browsers, e.g. `http://cams.example.com:8088`.
    pub public_hls_url: String,
    /// Where nginx writes FLV chunks while recording.
    pub record_dir: PathBuf,
    /// Where finished recordings are filed (`CAMERA/YYYY/MM/DD/…mp4`).
    pub storage_dir: PathBuf,
    pub hls_dir: PathBuf,
    /// Folder of transcoding profiles; `None` = the profiles embedded in the binary.
    pub profiles_dir: Option<PathBuf>,
    pub record_interval_secs: u64,
    pub update_interval_secs: u64,
    pub playback_ttl_secs: i64,
    /// Publishers whose byte counters stay frozen this long are dropped and marked `error`.
    pub stall_secs: u64,
    /// This ingest node's name: its stream sessions and `/stat` snapshots carry it, so
    /// reconciling one node's nginx never ends another node's streams.
    pub node_id: String,
    /// HTTPS and RTMPS through nginx; `None` = plaintext only.
    pub tls: Option<TlsSettings>,
    /// Where clip exports are cut and kept until they expire (`<data dir>/exports`).
    pub export_dir: PathBuf,
    /// The longest range one export may cover.
    pub export_max_hours: u32,
    /// A finished export is deleted this many days after it finished.
    pub export_ttl_days: u32,
}
pub(super) fn media_settings(
    src: &Source,
    cwd: &Path,
    data_dir: &Path,
    tls: Option<TlsSettings>,
) -> Result<MediaSettings, ConfigError> {
    let dir = |var: &'static str, default: &str| -> PathBuf {
        src.raw(var).map(|d| absolute(cwd, &d)).unwrap_or_else(|| data_dir.join(default))
    };
    let secret = |var: &'static str| -> Result<Option<String>, ConfigError> {
        match src.raw(var) {
            Some(s)
                if s.len() < 16 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
            {
                Err(ConfigError::Invalid {
                    var,
                    message: "must be at least 16 characters of [A-Za-z0-9_-]".into(),
                })
            }
            other => Ok(other),
        }
    };
    let nginx_http_port: u16 = src.parse("ARGUS_NGINX_HTTP_PORT", 8088)?;
    let public_hls_url = src
        .raw("ARGUS_PUBLIC_HLS_URL")
        .unwrap_or_else(|| tls::default_hls_url(tls.as_ref(), nginx_http_port));
    if !(public_hls_url.starts_with("http://") || public_hls_url.starts_with("https://")) {
        return Err(ConfigError::Invalid {
            var: "ARGUS_PUBLIC_HLS_URL",
            message: "must start with http:// or https://".into(),
        });
    }
    let node_id = src.raw("ARGUS_NODE_ID").map(|n| n.trim().to_string()).unwrap_or_else(|| "local".into());
    if node_id.len() > 64 || !node_id.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        return Err(ConfigError::Invalid {
            var: "ARGUS_NODE_ID",
            message: "must be at most 64 characters of [A-Za-z0-9._-]".into(),
        });
    }
    Ok(MediaSettings {
        hook_secret: secret("ARGUS_HOOK_SECRET")?,
        playback_secret: secret("ARGUS_PLAYBACK_SECRET")?,
        rtmp_port: src.parse("ARGUS_RTMP_PORT", 1935)?,
        rtmp_internal_port: src.parse("ARGUS_RTMP_INTERNAL_PORT", 1936)?,
        nginx_http_port,
        public_hls_url: public_hls_url.trim_end_matches('/').to_string(),
        record_dir: dir("ARGUS_RECORD_DIR", "record"),
        storage_dir: dir("ARGUS_STORAGE_DIR", "recordings"),
        hls_dir: dir("ARGUS_HLS_DIR", "hls"),
        profiles_dir: src.raw("ARGUS_PROFILES_DIR").map(|d| absolute(cwd, &d)),
        record_interval_secs: src.parse("ARGUS_RECORD_INTERVAL_SECS", 3600)?,
        update_interval_secs: src.parse("ARGUS_HOOK_UPDATE_SECS", 10)?,
        playback_ttl_secs: src.parse("ARGUS_PLAYBACK_TTL_SECS", 3600)?,
        stall_secs: src.parse("ARGUS_STALL_SECS", 20)?,
        node_id,
        tls,
        export_dir: dir("ARGUS_EXPORT_DIR", "exports"),
        export_max_hours: at_least_one(src, "ARGUS_EXPORT_MAX_HOURS", 24)?,
        export_ttl_days: at_least_one(src, "ARGUS_EXPORT_TTL_DAYS", 7)?,
    })
}

fn at_least_one(src: &Source, var: &'static str, default: u32) -> Result<u32, ConfigError> {
    match src.parse(var, default)? {
        0 => Err(ConfigError::Invalid { var, message: "must be greater than 0".into() }),
        v => Ok(v),
    }
}
