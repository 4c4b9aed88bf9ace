//! The in-process cache of authenticated principals that `AppState` holds; `principals` fills it
//! and reads it under the revocation generation.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use crate::auth::principal::{Principal, TokenLimits};

/// Cache generation namespace of authenticated principals (bumped by `revocation`).
pub const NAMESPACE: &str = "principals";

/// Longest an entry is trusted without a revocation (also bounds how late an idle session or an
/// expired token is noticed).
pub const TTL: Duration = Duration::from_secs(10);

/// A credential's principal, plus the limits an API token is checked against on every request.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub principal: Principal,
    pub limits: Option<TokenLimits>,
}

/// Per-replica, in-process entries keyed by generation and credential hash, each with the instant
/// it stops being trusted.
#[derive(Clone)]
pub struct PrincipalCache(moka::sync::Cache<String, (Arc<Resolved>, Instant)>);

impl Default for PrincipalCache {
    fn default() -> Self {
        PrincipalCache(moka::sync::Cache::builder().max_capacity(50_000).time_to_live(TTL).build())
    }
}

impl PrincipalCache {
    pub fn get(&self, key: &str) -> Option<(Arc<Resolved>, Instant)> {
        self.0.get(key)
    }

    pub fn insert(&self, key: String, entry: (Arc<Resolved>, Instant)) {
        self.0.insert(key, entry);
    }
}
