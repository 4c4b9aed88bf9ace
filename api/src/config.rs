//! One `Settings` value, read from the environment and, optionally, a TOML file named by
//! `ARGUS_CONFIG`. Environment variables win over the file. Every bad value is reported with the
//! name of the variable that carried it.

use std::{collections::HashMap, net::SocketAddr, path::PathBuf};

use serde::Deserialize;

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
    /// Folder of the built dashboard (`frontend/dist`); served with an SPA fallback when present.
    pub frontend_dir: Option<PathBuf>,
}

/// Same keys as the environment variables, lower-cased and without the `ARGUS_` prefix.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bind: Option<String>,
    database_url: Option<String>,
    database_pool_size: Option<u32>,
    redis_url: Option<String>,
    redis_prefix: Option<String>,
    data_dir: Option<String>,
    jwt_secret: Option<String>,
    access_token_ttl_secs: Option<i64>,
    session_idle_secs: Option<i64>,
    public_rtmp_url: Option<String>,
    log_format: Option<String>,
    login_rate_per_ip: Option<u32>,
    login_rate_per_user: Option<u32>,
    login_rate_window_secs: Option<u64>,
    default_token_rate_per_hour: Option<u32>,
    camera_cache_ttl_secs: Option<u64>,
    stats_cache_ttl_secs: Option<u64>,
    frontend_dir: Option<String>,
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

    pub fn from_map(env: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let file = match env.get("ARGUS_CONFIG") {
            Some(path) => load_file(path)?,
            None => HashMap::new(),
        };
        let src = Source { env, file };

        let database_url = src.raw("DATABASE_URL").unwrap_or_else(|| "sqlite://./data/argus.db".to_string());
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("mysql://")) {
            return Err(ConfigError::Invalid {
                var: "DATABASE_URL",
                message: "must start with sqlite:// or mysql://".into(),
            });
        }
        let redis_url = src.raw("REDIS_URL");
        if let Some(url) = &redis_url {
            if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
                return Err(ConfigError::Invalid {
                    var: "REDIS_URL",
                    message: "must start with redis:// or rediss://".into(),
                });
            }
        }
        let public_rtmp_url =
            src.raw("ARGUS_PUBLIC_RTMP_URL").unwrap_or_else(|| "rtmp://127.0.0.1:1935/live".to_string());
        if !public_rtmp_url.starts_with("rtmp://") {
            return Err(ConfigError::Invalid {
                var: "ARGUS_PUBLIC_RTMP_URL",
                message: "must start with rtmp://".into(),
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
            data_dir: PathBuf::from(src.raw("ARGUS_DATA_DIR").unwrap_or_else(|| "./data".into())),
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
            frontend_dir: src.raw("ARGUS_FRONTEND_DIR").map(PathBuf::from),
        })
    }
}

fn load_file(path: &str) -> Result<HashMap<&'static str, String>, ConfigError> {
    let err = |message: String| ConfigError::File { path: path.to_string(), message };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let f: FileSettings = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
    let mut out = HashMap::new();
    let mut put = |var: &'static str, v: Option<String>| {
        if let Some(v) = v {
            out.insert(var, v);
        }
    };
    let s = |v: Option<u64>| v.map(|n| n.to_string());
    put("ARGUS_BIND", f.bind);
    put("DATABASE_URL", f.database_url);
    put("ARGUS_DATABASE_POOL_SIZE", s(f.database_pool_size.map(u64::from)));
    put("REDIS_URL", f.redis_url);
    put("ARGUS_REDIS_PREFIX", f.redis_prefix);
    put("ARGUS_DATA_DIR", f.data_dir);
    put("ARGUS_JWT_SECRET", f.jwt_secret);
    put("ARGUS_ACCESS_TOKEN_TTL_SECS", f.access_token_ttl_secs.map(|n| n.to_string()));
    put("ARGUS_SESSION_IDLE_SECS", f.session_idle_secs.map(|n| n.to_string()));
    put("ARGUS_PUBLIC_RTMP_URL", f.public_rtmp_url);
    put("ARGUS_LOG_FORMAT", f.log_format);
    put("ARGUS_LOGIN_RATE_PER_IP", s(f.login_rate_per_ip.map(u64::from)));
    put("ARGUS_LOGIN_RATE_PER_USER", s(f.login_rate_per_user.map(u64::from)));
    put("ARGUS_LOGIN_RATE_WINDOW_SECS", s(f.login_rate_window_secs));
    put("ARGUS_TOKEN_RATE_PER_HOUR", s(f.default_token_rate_per_hour.map(u64::from)));
    put("ARGUS_CAMERA_CACHE_TTL_SECS", s(f.camera_cache_ttl_secs));
    put("ARGUS_STATS_CACHE_TTL_SECS", s(f.stats_cache_ttl_secs));
    put("ARGUS_FRONTEND_DIR", f.frontend_dir);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_use_sqlite_and_no_redis() {
        let s = Settings::from_map(&env(&[])).expect("defaults are valid");
        assert_eq!(s.database_url, "sqlite://./data/argus.db");
        assert!(s.redis_url.is_none());
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert!(s.jwt_secret.is_none());
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
