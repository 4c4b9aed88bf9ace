//! Log retention, every `ARGUS_PRUNE_INTERVAL_SECS`: see [`crate::services::retention`].

use std::time::Duration;

use crate::{db, error::AppResult, services::retention, state::AppState};

/// Longer than any prune takes; a crashed holder's lock frees itself after this.
pub const LOCK_TTL: Duration = Duration::from_secs(600);

/// Returns how many rows it deleted.
pub async fn run(state: &AppState) -> AppResult<u64> {
    let policy = retention::PrunePolicy::from_settings(&state.settings);
    let report = retention::prune_logs(&state.db, db::now(), &policy).await?;
    Ok(report.total() as u64)
}
