//! Clip export expiry, hourly: see [`crate::services::exports::expire`].

use std::time::Duration;

use crate::{db, error::AppResult, services::exports, state::AppState};

/// Longer than an expiry pass takes; a crashed holder's lock frees itself after this.
pub const LOCK_TTL: Duration = Duration::from_secs(600);

/// Returns how many exports it deleted.
pub async fn run(state: &AppState) -> AppResult<u64> {
    exports::expire(state, db::now()).await
}
