//! Who is calling: a dashboard user (JWT) or an API token, and from where. Plain types that every
//! layer may name; the request extractors that produce them are in `auth::extract`.

use super::permissions::{Permission, Role};
use crate::domain::ActorType;

#[derive(Clone, Debug)]
pub struct UserPrincipal {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub session_id: String,
}

#[derive(Clone, Debug)]
pub struct TokenPrincipal {
    pub id: String,
    pub remark: String,
    pub permissions: Vec<Permission>,
    /// `None` = every camera.
    pub camera_ids: Option<Vec<String>>,
    /// The user who created the token; it stops working when that user is deactivated.
    pub owner: String,
}

/// What a token is held to on every request, beyond its permissions.
#[derive(Clone, Debug)]
pub struct TokenLimits {
    /// Empty = any address.
    pub ip_allowlist: Vec<ipnet::IpNet>,
    pub rate_limit_per_hour: u64,
    pub expires_at: Option<chrono::NaiveDateTime>,
}

#[derive(Clone, Debug)]
pub enum Principal {
    User(UserPrincipal),
    Token(TokenPrincipal),
}

impl Principal {
    pub fn has(&self, p: Permission) -> bool {
        match self {
            Principal::User(u) => u.role.has(p),
            Principal::Token(t) => t.permissions.contains(&p),
        }
    }

    pub fn permissions(&self) -> Vec<Permission> {
        Permission::ALL.iter().copied().filter(|p| self.has(*p)).collect()
    }

    /// `None` = every camera; `Some(ids)` = only these.
    pub fn camera_scope(&self) -> Option<&[String]> {
        match self {
            Principal::User(_) => None,
            Principal::Token(t) => t.camera_ids.as_deref(),
        }
    }

    pub fn can_see_camera(&self, camera_id: &str) -> bool {
        self.camera_scope().is_none_or(|ids| ids.iter().any(|id| id == camera_id))
    }

    pub fn actor_type(&self) -> ActorType {
        match self {
            Principal::User(_) => ActorType::User,
            Principal::Token(_) => ActorType::Token,
        }
    }

    pub fn actor_id(&self) -> &str {
        match self {
            Principal::User(u) => &u.id,
            Principal::Token(t) => &t.id,
        }
    }

    pub fn actor_name(&self) -> &str {
        match self {
            Principal::User(u) => &u.username,
            Principal::Token(t) => &t.remark,
        }
    }

    pub fn user(&self) -> Option<&UserPrincipal> {
        match self {
            Principal::User(u) => Some(u),
            Principal::Token(_) => None,
        }
    }
}

/// Client address and user agent, for audit entries and rate limits.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}
