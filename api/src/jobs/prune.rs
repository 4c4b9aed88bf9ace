//! Log retention, every `ARGUS_PRUNE_INTERVAL_SECS`: see [`crate::services::retention`].

use std::time::Duration;

use crate::{db, services::retention, state::AppState};

/// Longer than any prune takes; a crashed holder's lock frees itself after this.
pub const LOCK_TTL: Duration = Duration::from_secs(600);

pub async fn run(state: &AppState) {
    let policy = retention::PrunePolicy::from_settings(&state.settings);
    if let Err(e) = retention::prune_logs(&state.db, db::now(), &policy).await {
        tracing::error!(error = %e, "pruning logs failed");
    }
}
