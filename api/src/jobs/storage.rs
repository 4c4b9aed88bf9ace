//! The storage lifecycle, hourly: see [`crate::services::storage`].

use std::time::Duration;

use crate::{
    db,
    error::{AppError, AppResult},
    services::cameras::CACHE_NS,
    state::AppState,
};

/// Longer than a run takes (copies of a backlog can be long); a crashed holder's lock frees
/// itself after this.
pub const LOCK_TTL: Duration = Duration::from_secs(3600);

/// Returns how many recordings it moved, expired or repaired. A run in which any action failed
/// is a failed run (each failure is logged, and retried by the next run).
pub async fn run(state: &AppState) -> AppResult<u64> {
    let report = state.storage.run(db::now(), None).await?;
    if report.moved + report.expired > 0 {
        // The dashboard's per-tier figures changed.
        state.cache.bump(CACHE_NS).await;
    }
    if report.failed > 0 {
        return Err(AppError::internal(format!(
            "{} of {} moves and expiries failed (see the log); {} repaired",
            report.failed,
            report.failed + report.moved + report.expired,
            report.repaired
        )));
    }
    Ok((report.moved + report.expired + report.repaired) as u64)
}
