//! Where each storage tier keeps recordings, when footage moves down a tier, and how to reach
//! an S3-compatible server.

use std::path::{Path, PathBuf};

use super::{absolute, ConfigError, Source};
use crate::domain::StorageTier;

/// A tier's location: a local directory or a bucket (with a key prefix) on the S3 server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TierLocation {
    Local(PathBuf),
    S3 { bucket: String, prefix: String },
}

/// The S3 server every `s3://` tier uses.
#[derive(Clone, Debug, Default)]
pub struct S3Settings {
    /// `None` = AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// Plain `http://` endpoints (a local MinIO or moto); refused otherwise.
    pub allow_http: bool,
}

/// The longest retention a camera or `ARGUS_RETENTION_DAYS` may ask for (about ten years).
pub const MAX_RETENTION_DAYS: u32 = 3650;

#[derive(Clone, Debug)]
pub struct StorageSettings {
    /// HOT is always a local directory (recordings are filed there); it is `media.storage_dir`.
    pub hot: PathBuf,
    pub warm: Option<TierLocation>,
    pub cold: Option<TierLocation>,
    pub archive: Option<TierLocation>,
    /// Age (from `ended_at`) after which footage belongs in WARM, COLD, ARCHIVE.
    pub warm_after_days: u32,
    pub cold_after_days: u32,
    pub archive_after_days: u32,
    /// Days (from `ended_at`) footage is kept, unless its camera says otherwise; `None` = forever.
    pub retention_days: Option<u32>,
    /// Below this much free space (percent) on HOT's filesystem, a run moves (or, with no lower
    /// tier, deletes) the oldest HOT footage until it is back; 0 = off.
    pub hot_min_free_percent: u32,
    pub s3: S3Settings,
}

impl StorageSettings {
    pub fn location(&self, tier: StorageTier) -> Option<TierLocation> {
        match tier {
            StorageTier::Hot => Some(TierLocation::Local(self.hot.clone())),
            StorageTier::Warm => self.warm.clone(),
            StorageTier::Cold => self.cold.clone(),
            StorageTier::Archive => self.archive.clone(),
        }
    }
}

fn parse_location(var: &'static str, url: &str, cwd: &Path) -> Result<TierLocation, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid { var, message };
    if let Some(path) = url.strip_prefix("file://") {
        if !path.starts_with('/') {
            return Err(invalid(format!(
                "{url:?}: a file:// URL needs an absolute path (file:///srv/argus/warm)"
            )));
        }
        return Ok(TierLocation::Local(absolute(cwd, path)));
    }
    if let Some(rest) = url.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(invalid(format!("{url:?}: no bucket (s3://bucket/prefix)")));
        }
        return Ok(TierLocation::S3 { bucket: bucket.into(), prefix: prefix.trim_matches('/').into() });
    }
    Err(invalid(format!("{url:?} must start with file:/// or s3://")))
}

pub(super) fn storage_settings(
    src: &Source,
    cwd: &Path,
    storage_dir: &Path,
) -> Result<StorageSettings, ConfigError> {
    let hot = match src.raw("ARGUS_TIER_HOT_URL") {
        None => storage_dir.to_path_buf(),
        Some(url) => match parse_location("ARGUS_TIER_HOT_URL", url.trim(), cwd)? {
            TierLocation::Local(dir) if src.raw("ARGUS_STORAGE_DIR").is_none() || dir == storage_dir => dir,
            TierLocation::Local(_) => {
                return Err(ConfigError::Invalid {
                    var: "ARGUS_TIER_HOT_URL",
                    message: "names another directory than ARGUS_STORAGE_DIR; set only one".into(),
                })
            }
            TierLocation::S3 { .. } => {
                return Err(ConfigError::Invalid {
                    var: "ARGUS_TIER_HOT_URL",
                    message: "must be a local directory (file:///…): new recordings are filed there".into(),
                })
            }
        },
    };
    let tier = |var: &'static str| src.raw(var).map(|url| parse_location(var, url.trim(), cwd)).transpose();
    let settings = StorageSettings {
        hot,
        warm: tier("ARGUS_TIER_WARM_URL")?,
        cold: tier("ARGUS_TIER_COLD_URL")?,
        archive: tier("ARGUS_TIER_ARCHIVE_URL")?,
        warm_after_days: src.parse("ARGUS_TIER_WARM_AFTER_DAYS", 7)?,
        cold_after_days: src.parse("ARGUS_TIER_COLD_AFTER_DAYS", 30)?,
        archive_after_days: src.parse("ARGUS_TIER_ARCHIVE_AFTER_DAYS", 90)?,
        retention_days: src
            .raw("ARGUS_RETENTION_DAYS")
            .map(|_| src.parse("ARGUS_RETENTION_DAYS", 0))
            .transpose()?,
        hot_min_free_percent: src.parse("ARGUS_HOT_MIN_FREE_PERCENT", 10)?,
        s3: S3Settings {
            endpoint: src.raw("ARGUS_S3_ENDPOINT").or_else(|| src.raw("AWS_ENDPOINT_URL")),
            region: src
                .raw("ARGUS_S3_REGION")
                .or_else(|| src.raw("AWS_REGION"))
                .or_else(|| src.raw("AWS_DEFAULT_REGION"))
                .unwrap_or_else(|| "us-east-1".into()),
            access_key_id: src.raw("ARGUS_S3_ACCESS_KEY_ID").or_else(|| src.raw("AWS_ACCESS_KEY_ID")),
            secret_access_key: src
                .raw("ARGUS_S3_SECRET_ACCESS_KEY")
                .or_else(|| src.raw("AWS_SECRET_ACCESS_KEY")),
            allow_http: src.parse("ARGUS_S3_ALLOW_HTTP", false)?,
        },
    };
    if settings.warm_after_days == 0 {
        return Err(ConfigError::Invalid {
            var: "ARGUS_TIER_WARM_AFTER_DAYS",
            message: "must be greater than 0".into(),
        });
    }
    if settings.retention_days.is_some_and(|d| !(1..=MAX_RETENTION_DAYS).contains(&d)) {
        return Err(ConfigError::Invalid {
            var: "ARGUS_RETENTION_DAYS",
            message: format!("must be between 1 and {MAX_RETENTION_DAYS} (unset = keep forever)"),
        });
    }
    if settings.hot_min_free_percent > 90 {
        return Err(ConfigError::Invalid {
            var: "ARGUS_HOT_MIN_FREE_PERCENT",
            message: "must be between 0 (off) and 90".into(),
        });
    }
    if settings.cold_after_days <= settings.warm_after_days {
        return Err(ConfigError::Invalid {
            var: "ARGUS_TIER_COLD_AFTER_DAYS",
            message: "must be greater than ARGUS_TIER_WARM_AFTER_DAYS".into(),
        });
    }
    if settings.archive_after_days <= settings.cold_after_days {
        return Err(ConfigError::Invalid {
            var: "ARGUS_TIER_ARCHIVE_AFTER_DAYS",
            message: "must be greater than ARGUS_TIER_COLD_AFTER_DAYS".into(),
        });
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::config::Settings;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let env: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_map_in(&env, Path::new("/srv/argus"))
    }

    #[test]
    fn by_default_only_hot_is_configured_and_it_is_the_storage_dir() {
        let s = settings(&[]).expect("valid").storage;
        assert_eq!(s.hot, Path::new("/srv/argus/data/recordings"));
        assert_eq!((s.warm, s.cold, s.archive), (None, None, None));
        assert_eq!((s.warm_after_days, s.cold_after_days, s.archive_after_days), (7, 30, 90));
        assert_eq!(s.retention_days, None, "kept forever");
        assert_eq!(s.hot_min_free_percent, 10);
        assert!(!s.s3.allow_http);
    }

    #[test]
    fn tier_urls_and_s3_credentials_are_read() {
        let s = settings(&[
            ("ARGUS_TIER_HOT_URL", "file:///fast/argus"),
            ("ARGUS_TIER_WARM_URL", "file:///slow/warm"),
            ("ARGUS_TIER_ARCHIVE_URL", "s3://footage/argus/archive/"),
            ("ARGUS_S3_ENDPOINT", "http://127.0.0.1:5000"),
            ("ARGUS_S3_ALLOW_HTTP", "true"),
            ("AWS_ACCESS_KEY_ID", "from-aws"),
            ("ARGUS_S3_SECRET_ACCESS_KEY", "from-argus"),
        ])
        .expect("valid");
        assert_eq!(s.media.storage_dir, Path::new("/fast/argus"), "recordings are filed on HOT");
        let st = s.storage;
        assert_eq!(st.warm, Some(TierLocation::Local("/slow/warm".into())));
        assert_eq!(st.cold, None);
        assert_eq!(
            st.archive,
            Some(TierLocation::S3 { bucket: "footage".into(), prefix: "argus/archive".into() })
        );
        assert_eq!(st.s3.access_key_id.as_deref(), Some("from-aws"));
        assert_eq!(st.s3.secret_access_key.as_deref(), Some("from-argus"));
        assert!(st.s3.allow_http);
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (pairs, var) in [
            (vec![("ARGUS_TIER_WARM_URL", "/no/scheme")], "ARGUS_TIER_WARM_URL:"),
            (vec![("ARGUS_TIER_COLD_URL", "s3:///prefix")], "ARGUS_TIER_COLD_URL:"),
            (vec![("ARGUS_TIER_HOT_URL", "s3://bucket")], "ARGUS_TIER_HOT_URL:"),
            (vec![("ARGUS_TIER_ARCHIVE_URL", "file://relative")], "ARGUS_TIER_ARCHIVE_URL:"),
            (vec![("ARGUS_TIER_COLD_AFTER_DAYS", "5")], "ARGUS_TIER_COLD_AFTER_DAYS:"),
            (vec![("ARGUS_TIER_WARM_AFTER_DAYS", "many")], "ARGUS_TIER_WARM_AFTER_DAYS:"),
            (vec![("ARGUS_S3_ALLOW_HTTP", "maybe")], "ARGUS_S3_ALLOW_HTTP:"),
            (vec![("ARGUS_RETENTION_DAYS", "0")], "ARGUS_RETENTION_DAYS:"),
            (vec![("ARGUS_RETENTION_DAYS", "3651")], "ARGUS_RETENTION_DAYS:"),
            (vec![("ARGUS_HOT_MIN_FREE_PERCENT", "91")], "ARGUS_HOT_MIN_FREE_PERCENT:"),
            (vec![("ARGUS_HOT_MIN_FREE_PERCENT", "-1")], "ARGUS_HOT_MIN_FREE_PERCENT:"),
        ] {
            let err = settings(&pairs).unwrap_err().to_string();
            assert!(err.starts_with(var), "{pairs:?}: {err}");
        }
    }
}
