//! The camera API's shapes and input rules: the view each caller gets, create/update
//! bodies with their validation, list query and sort.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::{
    auth::random_secret,
    db::{
        self,
        cameras::{CameraRow, StorageRules},
    },
    domain::StreamStatus,
    error::{AppError, AppResult},
};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, utoipa::ToSchema)]
pub struct CameraView {
    pub id: String,
    pub name: String,
    pub company: Option<String>,
    pub model: Option<String>,
    pub serial_number: String,
    pub location: Option<String>,
    pub place: Option<String>,
    pub recording_enabled: bool,
    pub transcode_profile: String,
    pub is_active: bool,
    pub stream_status: StreamStatus,
    pub last_seen_at: Option<DateTime<Utc>>,
    #[schema(example = "dashboard")]
    pub created_via: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Days footage is kept; `null` = the global `ARGUS_RETENTION_DAYS` (unset = forever).
    pub retention_days: Option<i32>,
    /// Legal hold on all the camera's footage (set with `recording.hold`).
    pub legal_hold: bool,
    /// Days after which footage moves to WARM; `null` = `ARGUS_TIER_WARM_AFTER_DAYS`.
    pub warm_after_days: Option<i32>,
    /// Days after which footage moves to COLD; `null` = `ARGUS_TIER_COLD_AFTER_DAYS`.
    pub cold_after_days: Option<i32>,
    /// Days after which footage moves to ARCHIVE; `null` = `ARGUS_TIER_ARCHIVE_AFTER_DAYS`.
    pub archive_after_days: Option<i32>,
    /// Most bytes of footage (all tiers) kept: beyond it the oldest unheld footage is deleted;
    /// `null` = no quota.
    pub quota_bytes: Option<i64>,
    /// Only for principals with `camera.key.read`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_key: Option<String>,
    /// `ARGUS_PUBLIC_RTMP_URL/{stream_key}`; only with `camera.key.read`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtmp_url: Option<String>,
    /// The transcoder's latest report while live (single-camera reads only; lists stay
    /// cacheable and follow `stream.quality` events instead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality: Option<crate::services::live::StreamQuality>,
}

impl CameraView {
    pub fn new(row: CameraRow, public_rtmp_url: &str, with_key: bool) -> CameraView {
        let (stream_key, rtmp_url) = if with_key {
            (Some(row.stream_key.clone()), Some(format!("{public_rtmp_url}/{}", row.stream_key)))
        } else {
            (None, None)
        };
        CameraView {
            id: row.id,
            name: row.name,
            company: row.company,
            model: row.model,
            serial_number: row.serial_number,
            location: row.location,
            place: row.place,
            recording_enabled: row.recording_enabled,
            transcode_profile: row.transcode_profile,
            is_active: row.is_active,
            stream_status: row.stream_status,
            last_seen_at: row.last_seen_at.map(|t| t.and_utc()),
            created_via: row.created_via,
            created_by: row.created_by,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            retention_days: row.retention_days,
            legal_hold: row.legal_hold,
            warm_after_days: row.warm_after_days,
            cold_after_days: row.cold_after_days,
            archive_after_days: row.archive_after_days,
            quota_bytes: row.quota_bytes,
            stream_key,
            rtmp_url,
            quality: None,
        }
    }
}

fn valid_profile(name: &str) -> Result<(), validator::ValidationError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    ok.then_some(()).ok_or_else(|| {
        validator::ValidationError::new("profile").with_message("unknown transcode profile".into())
    })
}

#[derive(Deserialize, Validate, Debug, Clone, utoipa::ToSchema)]
pub struct NewCamera {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    #[schema(example = "Gate 1")]
    pub name: String,
    #[validate(length(min = 1, max = 128))]
    #[schema(min_length = 1, max_length = 128)]
    #[schema(example = "HK-2024-000123")]
    pub serial_number: String,
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub company: Option<String>,
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub model: Option<String>,
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub location: Option<String>,
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub place: Option<String>,
    pub recording_enabled: Option<bool>,
    #[validate(custom(function = "valid_profile"))]
    pub transcode_profile: Option<String>,
    /// Days footage is kept; absent or `null` = the global `ARGUS_RETENTION_DAYS`.
    #[serde(default, deserialize_with = "crate::services::whole_number")]
    #[schema(minimum = 1, maximum = 3650)]
    pub retention_days: Option<i32>,
    /// Days after which footage moves to WARM; absent or `null` = `ARGUS_TIER_WARM_AFTER_DAYS`.
    /// With the global thresholds, WARM < COLD < ARCHIVE.
    #[serde(default, deserialize_with = "crate::services::whole_number")]
    #[schema(minimum = 1, maximum = 3650)]
    pub warm_after_days: Option<i32>,
    /// Days after which footage moves to COLD; absent or `null` = `ARGUS_TIER_COLD_AFTER_DAYS`.
    #[serde(default, deserialize_with = "crate::services::whole_number")]
    #[schema(minimum = 1, maximum = 3650)]
    pub cold_after_days: Option<i32>,
    /// Days after which footage moves to ARCHIVE; absent or `null` = `ARGUS_TIER_ARCHIVE_AFTER_DAYS`.
    #[serde(default, deserialize_with = "crate::services::whole_number")]
    #[schema(minimum = 1, maximum = 3650)]
    pub archive_after_days: Option<i32>,
    /// Most bytes of footage kept (all tiers); absent or `null` = no quota.
    #[serde(default, deserialize_with = "crate::services::whole_number")]
    #[schema(minimum = 1)]
    pub quota_bytes: Option<i64>,
}

impl NewCamera {
    pub(super) fn storage_rules(&self) -> StorageRules {
        StorageRules {
            id: String::new(),
            retention_days: self.retention_days,
            warm_after_days: self.warm_after_days,
            cold_after_days: self.cold_after_days,
            archive_after_days: self.archive_after_days,
            quota_bytes: self.quota_bytes,
        }
    }
}

/// PATCH body: every field optional; `null` clears an optional text field. The serial number is
/// immutable and rejected here.
#[derive(Deserialize, Validate, Debug, Default, Clone, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CameraUpdate {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::services::double_option")]
    #[schema(value_type = Option<String>)]
    pub company: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::services::double_option")]
    #[schema(value_type = Option<String>)]
    pub model: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::services::double_option")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::services::double_option")]
    #[schema(value_type = Option<String>)]
    pub place: Option<Option<String>>,
    pub recording_enabled: Option<bool>,
    #[validate(custom(function = "valid_profile"))]
    pub transcode_profile: Option<String>,
    pub is_active: Option<bool>,
    /// Days footage is kept; `null` = back to the global `ARGUS_RETENTION_DAYS`.
    #[serde(default, deserialize_with = "crate::services::patch_whole_number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 3650)]
    pub retention_days: Option<Option<i32>>,
    /// Sets or lifts a legal hold on all the camera's footage; needs `recording.hold`.
    pub legal_hold: Option<bool>,
    /// Days after which footage moves to WARM; `null` = back to `ARGUS_TIER_WARM_AFTER_DAYS`.
    /// With the camera's other thresholds (or the global ones), WARM < COLD < ARCHIVE.
    #[serde(default, deserialize_with = "crate::services::patch_whole_number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 3650)]
    pub warm_after_days: Option<Option<i32>>,
    /// Days after which footage moves to COLD; `null` = back to `ARGUS_TIER_COLD_AFTER_DAYS`.
    #[serde(default, deserialize_with = "crate::services::patch_whole_number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 3650)]
    pub cold_after_days: Option<Option<i32>>,
    /// Days after which footage moves to ARCHIVE; `null` = back to `ARGUS_TIER_ARCHIVE_AFTER_DAYS`.
    #[serde(default, deserialize_with = "crate::services::patch_whole_number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 3650)]
    pub archive_after_days: Option<Option<i32>>,
    /// Most bytes of footage kept (all tiers); `null` = no quota.
    #[serde(default, deserialize_with = "crate::services::patch_whole_number")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub quota_bytes: Option<Option<i64>>,
}

impl CameraUpdate {
    /// The camera's storage rules once this edit applies to `row`; `None` when it changes none.
    pub(super) fn storage_rules(&self, row: &CameraRow) -> Option<StorageRules> {
        let fields =
            [self.retention_days, self.warm_after_days, self.cold_after_days, self.archive_after_days];
        if fields.iter().all(Option::is_none) && self.quota_bytes.is_none() {
            return None;
        }
        Some(StorageRules {
            id: row.id.clone(),
            retention_days: self.retention_days.unwrap_or(row.retention_days),
            warm_after_days: self.warm_after_days.unwrap_or(row.warm_after_days),
            cold_after_days: self.cold_after_days.unwrap_or(row.cold_after_days),
            archive_after_days: self.archive_after_days.unwrap_or(row.archive_after_days),
            quota_bytes: self.quota_bytes.unwrap_or(row.quota_bytes),
        })
    }
}

pub(super) fn check_lengths(update: &CameraUpdate) -> AppResult<()> {
    let limits = [
        ("company", &update.company, 200),
        ("model", &update.model, 200),
        ("location", &update.location, 500),
        ("place", &update.place, 200),
    ];
    for (field, value, max) in limits {
        if let Some(Some(v)) = value {
            if v.chars().count() > max {
                return Err(AppError::field(field, "length", &format!("must be at most {max} characters")));
            }
        }
    }
    Ok(())
}

pub(super) fn blank_to_none(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

pub fn new_stream_key() -> String {
    // 24 random bytes = 192 bits, URL-safe so it survives RTMP URLs and nginx hook forms.
    random_secret(24)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct CameraQuery {
    /// Free text over name, serial, company, model, location and place.
    pub q: Option<String>,
    pub is_active: Option<bool>,
    pub stream_status: Option<StreamStatus>,
    pub company: Option<String>,
    pub place: Option<String>,
    /// `name`, `created_at`, `serial_number`, `last_seen_at`; prefix `-` for descending; empty =
    /// the default order.
    #[param(pattern = r"^(-?(name|created_at|serial_number|last_seen_at))?$")]
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

pub(super) fn parse_sort(s: Option<&str>) -> AppResult<Option<(db::cameras::CameraSort, bool)>> {
    use db::cameras::CameraSort::*;
    let Some(s) = s.filter(|s| !s.is_empty()) else { return Ok(None) };
    let (desc, key) = s.strip_prefix('-').map(|k| (true, k)).unwrap_or((false, s));
    let col = match key {
        "name" => Name,
        "created_at" => CreatedAt,
        "serial_number" => SerialNumber,
        "last_seen_at" => LastSeenAt,
        _ => {
            return Err(AppError::field(
                "sort",
                "unknown",
                "sort by name, created_at, serial_number or last_seen_at, with - for descending",
            ))
        }
    };
    Ok(Some((col, desc)))
}
