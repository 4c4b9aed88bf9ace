//! One `Settings` value, read from the environment and, optionally, a TOML file named by
//! `ARGUS_CONFIG`. Environment variables win over the file. Every bad value is reported with the
//! name of the variable that carried it.

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use crate::infra::failpoints::FailPoints;

mod alerts;
mod channels;
mod file;
mod media;
mod security;
mod storage;
mod tls;
pub use alerts::AlertSettings;
pub use channels::{ChannelSettings, SmtpSecurity};
pub use media::MediaSettings;
pub use security::SecuritySettings;
pub use storage::{S3Settings, StorageSettings, TierLocation, MAX_RETENTION_DAYS};
pub use tls::TlsSettings;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var}: {message}")]
    Invalid { var: &'static str, message: String },
    #[error("ARGUS_CONFIG: cannot read {path}: {message}")]
    File { path: String, message: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub bind: SocketAddr,
    pub database_url: String,
    pub database_pool_size: u32,
    pub redis_url: Option<String>,
    /// Prefix for every Redis key and channel, so several deployments (or tests) share one Redis.
    pub redis_prefix: String,
    pub data_dir: PathBuf,
    /// `None` = generate one and persist it in the data dir on first start.
    pub jwt_secret: Option<String>,
    pub access_token_ttl_secs: i64,
    pub session_idle_secs: i64,
    pub public_rtmp_url: String,
    pub log_format: LogFormat,
    pub login_rate_per_ip: u32,
    pub login_rate_per_user: u32,
    pub login_rate_window_secs: u64,
    pub default_token_rate_per_hour: u32,
    pub camera_cache_ttl_secs: u64,
    pub stats_cache_ttl_secs: u64,
    /// Folder of a built dashboard to serve instead of the one embedded in the binary.
    pub frontend_dir: Option<PathBuf>,
    pub media: MediaSettings,
    pub security: SecuritySettings,
    pub storage: StorageSettings,
    /// Alert channel delivery (SMTP, retries).
    pub channels: ChannelSettings,
    /// When alerts are raised and cleared.
    pub alerts: AlertSettings,
    /// Test-only crash points (`ARGUS_FAILPOINTS`, see [`FailPoints`]); empty in production.
    pub failpoints: FailPoints,
}

/// Reads one variable: the environment first, then the file's value (stringified).
struct Source<'a> {
    env: &'a HashMap<String, String>,
    file: HashMap<&'static str, String>,
}

impl Source<'_> {
    fn raw(&self, var: &'static str) -> Option<String> {
        self.env.get(var).cloned().or_else(|| self.file.get(var).cloned()).filter(|v| !v.trim().is_empty())
    }

    fn parse<T: std::str::FromStr>(&self, var: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.raw(var) {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|e: T::Err| ConfigError::Invalid {
                var,
                message: format!("cannot parse {v:?}: {e}"),
            }),
        }
    }
}

impl Settings {
    /// Reads the process environment (and `ARGUS_CONFIG`, when set).
    pub fn from_env() -> Result<Self, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Self::from_map(&env)
    }

    /// Relative paths are resolved against the current working directory.
    pub fn from_map(env: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let cwd = std::env::current_dir().map_err(|e| ConfigError::Invalid {
            var: "ARGUS_DATA_DIR",
            message: format!("cannot read the working directory to resolve relative paths: {e}"),
        })?;
        Self::from_map_in(env, &cwd)
    }

    /// Every path in the result is absolute (relative ones are taken from `cwd`), so nothing
    /// relative reaches nginx, FFmpeg or a child process started in another directory.
    pub fn from_map_in(env: &HashMap<String, String>, cwd: &Path) -> Result<Self, ConfigError> {
        let file = match env.get("ARGUS_CONFIG") {
            Some(path) => file::load_file(&cwd.join(path).to_string_lossy())?,
            None => HashMap::new(),
        };
        let src = Source { env, file };
        let data_dir = absolute(cwd, src.raw("ARGUS_DATA_DIR").as_deref().unwrap_or("data"));

        let database_url = match src.raw("DATABASE_URL") {
            None => format!("sqlite://{}", data_dir.join("argus.db").display()),
            Some(url) if url.starts_with("sqlite:") => {
                format!(
                    "sqlite://{}",
                    absolute(
                        cwd,
                        url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(&url)
                    )
                    .display()
                )
            }
            Some(url) if url.starts_with("mysql://") => url,
            Some(_) => {
                return Err(ConfigError::Invalid {
                    var: "DATABASE_URL",
                    message: "must start with sqlite:// or mysql://".into(),
                })
            }
        };
        let redis_url = src.raw("REDIS_URL");
        if let Some(url) = &redis_url {
            if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
                return Err(ConfigError::Invalid {
                    var: "REDIS_URL",
                    message: "must start with redis:// or rediss://".into(),
                });
            }
        }
        let tls = tls::tls_settings(&src, cwd)?;
        let public_rtmp_url =
            src.raw("ARGUS_PUBLIC_RTMP_URL").unwrap_or_else(|| tls::default_rtmp_url(tls.as_ref()));
        if !(public_rtmp_url.starts_with("rtmp://") || public_rtmp_url.starts_with("rtmps://")) {
            return Err(ConfigError::Invalid {
                var: "ARGUS_PUBLIC_RTMP_URL",
                message: "must start with rtmp:// or rtmps://".into(),
            });
        }
        let jwt_secret = src.raw("ARGUS_JWT_SECRET");
        if matches!(&jwt_secret, Some(s) if s.len() < 32) {
            return Err(ConfigError::Invalid {
                var: "ARGUS_JWT_SECRET",
                message: "must be at least 32 characters".into(),
            });
        }
        let log_format = match src.raw("ARGUS_LOG_FORMAT").as_deref() {
            None | Some("pretty") | Some("text") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    var: "ARGUS_LOG_FORMAT",
                    message: format!("{other:?} is not one of pretty, json"),
                })
            }
        };
        let mut media = media::media_settings(&src, cwd, &data_dir, tls)?;
        let storage = storage::storage_settings(&src, cwd, &media.storage_dir)?;
        media.storage_dir = storage.hot.clone();
        let positive = |var: &'static str, v: u64| {
            if v == 0 {
                Err(ConfigError::Invalid { var, message: "must be greater than 0".into() })
            } else {
                Ok(v)
            }
        };

        Ok(Settings {
            bind: src.parse("ARGUS_BIND", "127.0.0.1:8080".parse().expect("valid literal"))?,
            database_url,
            database_pool_size: positive(
                "ARGUS_DATABASE_POOL_SIZE",
                src.parse("ARGUS_DATABASE_POOL_SIZE", 8)?,
            )? as u32,
            redis_url,
            redis_prefix: src.raw("ARGUS_REDIS_PREFIX").unwrap_or_else(|| "argus".into()),
            data_dir: data_dir.clone(),
            jwt_secret,
            access_token_ttl_secs: positive(
                "ARGUS_ACCESS_TOKEN_TTL_SECS",
                src.parse("ARGUS_ACCESS_TOKEN_TTL_SECS", 900)?,
            )? as i64,
            session_idle_secs: positive(
                "ARGUS_SESSION_IDLE_SECS",
                src.parse("ARGUS_SESSION_IDLE_SECS", 86_400)?,
            )? as i64,
            public_rtmp_url: public_rtmp_url.trim_end_matches('/').to_string(),
            log_format,
            login_rate_per_ip: src.parse("ARGUS_LOGIN_RATE_PER_IP", 20)?,
            login_rate_per_user: src.parse("ARGUS_LOGIN_RATE_PER_USER", 5)?,
            login_rate_window_secs: positive(
                "ARGUS_LOGIN_RATE_WINDOW_SECS",
                src.parse("ARGUS_LOGIN_RATE_WINDOW_SECS", 300)?,
            )?,
            default_token_rate_per_hour: src.parse("ARGUS_TOKEN_RATE_PER_HOUR", 1000)?,
            camera_cache_ttl_secs: src.parse("ARGUS_CAMERA_CACHE_TTL_SECS", 30)?,
            stats_cache_ttl_secs: src.parse("ARGUS_STATS_CACHE_TTL_SECS", 5)?,
            frontend_dir: src.raw("ARGUS_FRONTEND_DIR").map(|d| absolute(cwd, &d)),
            media,
            security: security::security_settings(&src)?,
            storage,
            channels: channels::channel_settings(&src)?,
            alerts: alerts::alert_settings(&src)?,
            failpoints: FailPoints::parse(&src.raw("ARGUS_FAILPOINTS").unwrap_or_default())
                .map_err(|message| ConfigError::Invalid { var: "ARGUS_FAILPOINTS", message })?,
        })
    }
}

/// `path` made absolute against `cwd`, with `.` segments dropped (nginx and the logs show it).
fn absolute(cwd: &Path, path: &str) -> PathBuf {
    let joined = cwd.join(path);
    joined.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_use_sqlite_and_no_redis() {
        let s = Settings::from_map_in(&env(&[]), Path::new("/srv/argus")).expect("defaults are valid");
        assert_eq!(s.database_url, "sqlite:///srv/argus/data/argus.db");
        assert!(s.redis_url.is_none());
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert!(s.jwt_secret.is_none());
        assert!(s.media.profiles_dir.is_none(), "embedded profiles by default");
        assert!(s.frontend_dir.is_none(), "embedded dashboard by default");
    }

    #[test]
    fn relative_paths_are_resolved_against_the_working_directory() {
        let cwd = Path::new("/home/op/argus");
        let s = Settings::from_map_in(&env(&[]), cwd).expect("valid");
        assert_eq!(s.data_dir, Path::new("/home/op/argus/data"));
        assert_eq!(s.media.record_dir, Path::new("/home/op/argus/data/record"));
        assert_eq!(s.media.storage_dir, Path::new("/home/op/argus/data/recordings"));
        assert_eq!(s.media.hls_dir, Path::new("/home/op/argus/data/hls"));
        assert_eq!(s.media.export_dir, Path::new("/home/op/argus/data/exports"));
        assert_eq!((s.media.export_max_hours, s.media.export_ttl_days), (24, 7));

        let s = Settings::from_map_in(
            &env(&[
                ("ARGUS_DATA_DIR", "./var/../state"),
                ("DATABASE_URL", "sqlite://./db/argus.db"),
                ("ARGUS_HLS_DIR", "hls"),
                ("ARGUS_PROFILES_DIR", "./ffmpeg-profiles"),
                ("ARGUS_FRONTEND_DIR", "frontend/dist"),
            ]),
            cwd,
        )
        .expect("valid");
        assert_eq!(s.data_dir, Path::new("/home/op/argus/var/../state"));
        assert_eq!(s.database_url, "sqlite:///home/op/argus/db/argus.db");
        assert_eq!(s.media.hls_dir, Path::new("/home/op/argus/hls"));
        assert_eq!(s.media.record_dir, Path::new("/home/op/argus/var/../state/record"));
        assert_eq!(s.media.profiles_dir.as_deref(), Some(Path::new("/home/op/argus/ffmpeg-profiles")));
        assert_eq!(s.frontend_dir.as_deref(), Some(Path::new("/home/op/argus/frontend/dist")));

        let s = Settings::from_map_in(&env(&[("ARGUS_DATA_DIR", "/var/lib/argus")]), cwd).expect("valid");
        assert_eq!(s.database_url, "sqlite:///var/lib/argus/argus.db", "the database follows the data dir");
        let mysql = "mysql://root@127.0.0.1:3306/argus";
        let s = Settings::from_map_in(&env(&[("DATABASE_URL", mysql)]), cwd).expect("valid");
        assert_eq!(s.database_url, mysql);
    }

    #[test]
    fn bad_value_names_the_variable() {
        let err = Settings::from_map(&env(&[("ARGUS_BIND", "nope")])).unwrap_err();
        assert!(err.to_string().starts_with("ARGUS_BIND:"), "{err}");
        let err = Settings::from_map(&env(&[("DATABASE_URL", "postgres://x")])).unwrap_err();
        assert!(err.to_string().starts_with("DATABASE_URL:"), "{err}");
        let err = Settings::from_map(&env(&[("ARGUS_JWT_SECRET", "short")])).unwrap_err();
        assert!(err.to_string().starts_with("ARGUS_JWT_SECRET:"), "{err}");
    }

    #[test]
    fn environment_overrides_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("argus.toml");
        std::fs::write(&path, "bind = \"0.0.0.0:9000\"\nredis_prefix = \"fromfile\"\n").expect("write");
        let s = Settings::from_map(&env(&[
            ("ARGUS_CONFIG", path.to_str().expect("utf8")),
            ("ARGUS_REDIS_PREFIX", "fromenv"),
        ]))
        .expect("valid");
        assert_eq!(s.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(s.redis_prefix, "fromenv");
    }

    #[test]
    fn unknown_file_key_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("argus.toml");
        std::fs::write(&path, "bnd = \"x\"\n").expect("write");
        let err = Settings::from_map(&env(&[("ARGUS_CONFIG", path.to_str().expect("utf8"))])).unwrap_err();
        assert!(err.to_string().contains("ARGUS_CONFIG"), "{err}");
    }
}
