//! The one rule for "a principal changed": logout, password change, deactivation, role change
//! and token revocation all call `principal_changed`. It drops every cached principal (see
//! `principals`) and tells every replica's open WebSockets, which re-check their credential
//! (`services::auth::recheck`) and close, or carry on with the new role or scope.

use serde::{Deserialize, Serialize};

use super::principal_cache;
use crate::{auth::Principal, realtime::hub::Event, state::AppState};

/// Hub event kind; internal (never forwarded to WebSocket clients).
pub const PRINCIPAL_CHANGED: &str = "internal.principal_changed";

/// Whose credentials changed.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    /// The user's role, activity or password: their sessions and the tokens they created.
    User(String),
    /// One login session (logout, refresh-token reuse).
    Session(String),
    Token(String),
}

impl Subject {
    pub fn affects(&self, principal: &Principal) -> bool {
        match (self, principal) {
            (Subject::User(id), Principal::User(u)) => &u.id == id,
            // A token acts for the user who created it (deactivating them stops it).
            (Subject::User(id), Principal::Token(t)) => &t.owner == id,
            (Subject::Session(id), Principal::User(u)) => &u.session_id == id,
            (Subject::Token(id), Principal::Token(t)) => &t.id == id,
            _ => false,
        }
    }
}

/// Call after the change is committed, before answering.
pub async fn principal_changed(state: &AppState, subject: Subject) {
    state.cache.bump(principal_cache::NAMESPACE).await;
    let data = serde_json::to_value(&subject).unwrap_or_default();
    state.hub.publish(Event::new(PRINCIPAL_CHANGED, None, data)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{
        principal::{TokenPrincipal, UserPrincipal},
        Role,
    };

    #[test]
    fn a_user_change_reaches_their_sessions_and_their_tokens_only() {
        let user = Principal::User(UserPrincipal {
            id: "u1".into(),
            username: "a".into(),
            role: Role::Admin,
            session_id: "s1".into(),
        });
        let token = Principal::Token(TokenPrincipal {
            id: "t1".into(),
            remark: "r".into(),
            permissions: vec![],
            camera_ids: None,
            owner: "u1".into(),
        });
        assert!(Subject::User("u1".into()).affects(&user));
        assert!(Subject::User("u1".into()).affects(&token));
        assert!(!Subject::User("u2".into()).affects(&token));
        assert!(Subject::Session("s1".into()).affects(&user));
        assert!(!Subject::Session("s2".into()).affects(&user));
        assert!(!Subject::Session("t1".into()).affects(&token));
        assert!(Subject::Token("t1".into()).affects(&token));
        assert!(!Subject::Token("u1".into()).affects(&user));
        let json = serde_json::to_value(Subject::Token("t1".into())).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "token", "id": "t1"}));
    }
}
