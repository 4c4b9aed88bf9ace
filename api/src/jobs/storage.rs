//! The storage lifecycle, hourly: see [`crate::services::storage`].

use std::time::Duration;

use crate::{db, state::AppState};

/// Longer than a run takes (copies of a backlog can be long); a crashed holder's lock frees
/// itself after this.
pub const LOCK_TTL: Duration = Duration::from_secs(3600);

pub async fn run(state: &AppState) {
    if let Err(e) = state.storage.run(db::now(), None).await {
        tracing::error!(error = %e, "storage run failed");
    }
}
