//! Permissions and the role → permission table. This is the one place that says who may do what;
//! every route names the permission it needs (see `Authorized<R>` in `principal.rs`).

use serde::{Deserialize, Serialize};

macro_rules! permissions {
    ($($variant:ident => $name:literal, $doc:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Permission { $(#[doc = $doc] $variant,)* }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];
            pub fn as_str(self) -> &'static str {
                match self { $(Permission::$variant => $name,)* }
            }
            pub fn parse(s: &str) -> Option<Permission> {
                match s { $($name => Some(Permission::$variant),)* _ => None }
            }
        }

        /// Type-level permissions, so a handler's signature states what it requires.
        pub mod require {
            $(
                #[doc = $doc]
                pub struct $variant;
                impl super::Requirement for $variant {
                    const PERMISSION: super::Permission = super::Permission::$variant;
                }
            )*
        }
    };
}

permissions! {
    CameraRead => "camera.read", "List and view cameras (without stream keys), profiles and live events.";
    CameraWrite => "camera.write", "Create, edit, activate, deactivate, delete cameras and rotate keys.";
    CameraKeyRead => "camera.key.read", "See stream keys and RTMP publish URLs.";
    CameraWatch => "camera.watch", "Get signed playback URLs for live video.";
    RecordingRead => "recording.read", "List, play and download recordings.";
    RecordingDelete => "recording.delete", "Delete recordings.";
    RecordingHold => "recording.hold", "Set and lift legal holds on recordings and cameras.";
    StatsRead => "stats.read", "Read dashboard statistics.";
    UserManage => "user.manage", "Create, edit and deactivate users.";
    TokenManage => "token.manage", "Create, list and revoke API tokens.";
    AuditRead => "audit.read", "Read and export the audit log.";
    JobRead => "job.read", "See the scheduled jobs and their recent runs.";
    JobRun => "job.run", "Run a scheduled job now.";
    AlertRead => "alert.read", "See alerts and the open-alert count.";
    AlertManage => "alert.manage", "Acknowledge and resolve alerts.";
    AlertChannelManage => "alert.channel.manage", "Manage alert channels (webhooks, e-mail) and read their delivery logs.";
}

pub trait Requirement {
    const PERMISSION: Permission;
}

impl Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Permission::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown permission {s:?}")))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Operator,
    Viewer,
    /// API-only account: acts through API tokens, cannot log in to the dashboard.
    Api,
}

impl Role {
    pub const ALL: &'static [Role] = &[Role::Admin, Role::Operator, Role::Viewer, Role::Api];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Viewer => "viewer",
            Role::Api => "api",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.as_str() == s)
    }

    pub fn can_log_in(self) -> bool {
        self != Role::Api
    }

    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => Permission::ALL,
            Role::Operator => &[
                CameraRead,
                CameraWrite,
                CameraKeyRead,
                CameraWatch,
                RecordingRead,
                RecordingDelete,
                StatsRead,
                JobRead,
                AlertRead,
                AlertManage,
            ],
            Role::Viewer => &[CameraRead, CameraWatch, RecordingRead, StatsRead, AlertRead],
            Role::Api => &[],
        }
    }

    pub fn has(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }
}

/// What an API token may be granted: everything except managing people and tokens, and
/// running jobs (an admin's decision, taken in person).
pub fn token_grantable(p: Permission) -> bool {
    !matches!(p, Permission::UserManage | Permission::TokenManage | Permission::JobRun)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(*p));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        assert_eq!(Permission::parse("camera.fly"), None);
    }

    #[test]
    fn viewer_only_reads_and_watches() {
        assert!(Role::Viewer.has(Permission::CameraRead));
        assert!(Role::Viewer.has(Permission::CameraWatch));
        assert!(!Role::Viewer.has(Permission::CameraWrite));
        assert!(!Role::Viewer.has(Permission::CameraKeyRead));
        assert!(!Role::Viewer.has(Permission::RecordingDelete));
    }

    #[test]
    fn operator_manages_cameras_not_people() {
        assert!(Role::Operator.has(Permission::CameraWrite));
        assert!(Role::Operator.has(Permission::RecordingDelete));
        assert!(!Role::Operator.has(Permission::UserManage));
        assert!(!Role::Operator.has(Permission::TokenManage));
        assert!(!Role::Operator.has(Permission::AuditRead));
        assert!(!Role::Operator.has(Permission::RecordingHold), "legal hold is for admins");
    }

    #[test]
    fn api_role_has_no_dashboard_powers() {
        assert!(Role::Api.permissions().is_empty());
        assert!(!Role::Api.can_log_in());
    }
}
