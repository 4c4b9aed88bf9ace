//! The closed vocabularies every layer shares: stream status, storage tier, export state, actor
//! type and audit action. Each is an enum with one spelling per variant, used as-is in JSON (serde), in the
//! OpenAPI document and in the database (a `Text` column; rows convert with `TryFrom<String>`),
//! so a typo is a compile error instead of a row nobody can find.
//!
//! This module imports nothing from the rest of the crate: everything may depend on it.

use std::fmt;

/// A stored or received value that is not one of an enum's spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not a known {}", self.value, self.kind)
    }
}

impl std::error::Error for UnknownValue {}

/// Declares a string-valued enum: `as_str`, `parse`, `ALL`, `Display`, serde, utoipa and the
/// `String` conversions diesel's `serialize_as` / `deserialize_as` use.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            pub fn parse(value: &str) -> Result<$name, UnknownValue> {
                match value {
                    $($text => Ok($name::$variant),)+
                    other => Err(UnknownValue { kind: $kind, value: other.to_string() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;
            fn from_str(value: &str) -> Result<$name, UnknownValue> {
                $name::parse(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = UnknownValue;
            fn try_from(value: String) -> Result<$name, UnknownValue> {
                $name::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.as_str().to_string()
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::parse(&text).map_err(|_| {
                    serde::de::Error::unknown_variant(&text, &[$($text,)+])
                })
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text,)+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

string_enum! {
    /// Whether a camera is publishing, as Argus last established it.
    StreamStatus, "stream status" {
        Offline => "offline",
        Online => "online",
        Error => "error",
    }
}

string_enum! {
    /// Where a recording's bytes live, from fastest to cheapest.
    StorageTier, "storage tier" {
        Hot => "hot",
        Warm => "warm",
        Cold => "cold",
        Archive => "archive",
    }
}

string_enum! {
    /// How a run of a scheduled job ended.
    JobOutcome, "job outcome" {
        Ok => "ok",
        Failed => "failed",
        /// Not run: another replica (or a slow previous run) held the job's lock.
        Skipped => "skipped",
    }
}

string_enum! {
    /// Where a clip export is in its life.
    ExportState, "export state" {
        /// Waiting for a node's export worker.
        Queued => "queued",
        Running => "running",
        /// Its MP4 is ready to download (until it expires).
        Done => "done",
        Failed => "failed",
    }
}

string_enum! {
    /// What an alert is about (see `services::alerts`).
    AlertKind, "alert type" {
        /// An expected camera stopped publishing (or flaps).
        CameraOffline => "camera.offline",
        /// A recorder did not start, or a chunk could not be filed.
        RecordingFailed => "recording.failed",
        /// HOT free space below the floor, or a storage tier unreachable.
        StorageLow => "storage.low",
        /// A live stream's quality score stayed low.
        StreamDegraded => "stream.degraded",
        /// A transcoder keeps restarting FFmpeg.
        TranscoderCrashLoop => "transcoder.crash_loop",
        /// Failed logins from one address or for one user over the threshold.
        AuthBruteForce => "auth.brute_force",
        /// A scheduled job (or an alert channel) keeps failing.
        JobFailed => "job.failed",
    }
}

string_enum! {
    /// How urgent an alert is.
    AlertSeverity, "alert severity" {
        Critical => "critical",
        Warning => "warning",
        Info => "info",
    }
}

string_enum! {
    /// Where an alert is in its life: open → acknowledged → resolved.
    AlertState, "alert state" {
        Open => "open",
        Acknowledged => "acknowledged",
        Resolved => "resolved",
    }
}

string_enum! {
    /// Who caused an audited event.
    ActorType, "actor type" {
        /// Argus itself (jobs, retention).
        System => "system",
        /// nginx-rtmp through the hooks.
        Nginx => "nginx",
        /// An unauthenticated caller (a failed login names the user it tried).
        Anonymous => "anonymous",
        User => "user",
        /// An API token.
        Token => "token",
    }
}

string_enum! {
    /// What an audit row records.
    AuditAction, "audit action" {
        AccessDenied => "access.denied",
        AlertChannelCreated => "alert_channel.created",
        AlertChannelUpdated => "alert_channel.updated",
        AlertChannelDeleted => "alert_channel.deleted",
        AlertChannelTested => "alert_channel.tested",
        ApiTokenCreated => "api_token.created",
        ApiTokenRevoked => "api_token.revoked",
        AuditPruned => "audit.pruned",
        AlertOpened => "alert.opened",
        AlertAcknowledged => "alert.acknowledged",
        AlertResolved => "alert.resolved",
        Login => "auth.login",
        LoginFailed => "auth.login.failed",
        LoginThrottled => "auth.login.throttled",
        LoginInactive => "auth.login.inactive",
        LoginApiOnly => "auth.login.api_only",
        Logout => "auth.logout",
        RefreshReuse => "auth.refresh_reuse",
        CameraCreated => "camera.created",
        CameraUpdated => "camera.updated",
        CameraActivated => "camera.activated",
        CameraDeactivated => "camera.deactivated",
        CameraKeyRotated => "camera.key_rotated",
        CameraDeleted => "camera.deleted",
        CameraHoldSet => "camera.hold_set",
        CameraHoldLifted => "camera.hold_lifted",
        CameraPlaybackIssued => "camera.playback_issued",
        CameraRecordedPlaybackIssued => "camera.recorded_playback_issued",
        RecordingDeleted => "recording.deleted",
        RecordingLinkIssued => "recording.link_issued",
        RecordingDownloaded => "recording.downloaded",
        RecordingPlayed => "recording.played",
        RecordingTierChanged => "recording.tier_changed",
        JobRunRequested => "job.run_requested",
        ExportCreated => "export.created",
        ExportDownloaded => "export.downloaded",
        ExportDeleted => "export.deleted",
        ExportExpired => "export.expired",
        RecordingExpired => "recording.expired",
        RecordingHoldSet => "recording.hold_set",
        RecordingHoldLifted => "recording.hold_lifted",
        StreamPublished => "stream.published",
        StreamPublishRefused => "stream.publish_refused",
        StreamEnded => "stream.ended",
        UserCreated => "user.created",
        UserUpdated => "user.updated",
        UserDeactivated => "user.deactivated",
        UserPasswordChanged => "user.password_changed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_parses_back_to_its_variant() {
        for v in AuditAction::ALL {
            assert_eq!(AuditAction::parse(v.as_str()), Ok(*v));
        }
        for v in StorageTier::ALL {
            assert_eq!(v.as_str().parse::<StorageTier>(), Ok(*v));
        }
        for v in ActorType::ALL {
            assert_eq!(ActorType::try_from(String::from(*v)), Ok(*v));
        }
    }

    #[test]
    fn spellings_are_unique() {
        let mut seen = std::collections::HashSet::new();
        assert!(AuditAction::ALL.iter().all(|v| seen.insert(v.as_str())));
    }

    #[test]
    fn unknown_values_are_errors_in_rust_and_in_json() {
        let err = StreamStatus::parse("sleeping").unwrap_err();
        assert_eq!(err.to_string(), "'sleeping' is not a known stream status");
        let json: Result<StorageTier, _> = serde_json::from_str("\"lukewarm\"");
        assert!(json.unwrap_err().to_string().contains("unknown variant `lukewarm`"));
        assert_eq!(serde_json::to_string(&StorageTier::Cold).unwrap(), "\"cold\"");
    }

    #[test]
    fn the_openapi_schema_lists_every_spelling() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(StreamStatus::schema()).unwrap();
        assert_eq!(schema["enum"], serde_json::json!(["offline", "online", "error"]));
    }
}
