//! The storage lifecycle, hourly: see [`crate::services::storage`].

use std::{sync::Mutex, time::Duration};

use crate::{
    db,
    error::{AppError, AppResult},
    services::{cameras::CACHE_NS, storage::StorageReport},
    state::AppState,
};

/// Longer than a run takes (copies of a backlog can be long); a crashed holder's lock frees
/// itself after this.
pub const LOCK_TTL: Duration = Duration::from_secs(3600);

/// Returns how many recordings it moved, expired or repaired, and orphans it swept. A run in
/// which any action failed
/// is a failed run (each failure is logged, and retried by the next run).
pub async fn run(state: &AppState) -> AppResult<u64> {
    run_reporting(state, &Mutex::new(None)).await
}

async fn judge(state: &AppState, report: &StorageReport) -> AppResult<u64> {
    if report.moved + report.expired + report.swept > 0 {
        // The dashboard's per-tier figures changed, and the gauges mirroring them.
        state.cache.bump(CACHE_NS).await;
        crate::services::stats::refresh_gauges(state).await;
    }
    if report.failed > 0 {
        return Err(AppError::internal(format!(
            "{} of {} moves and expiries failed (see the log); {} repaired",
            report.failed,
            report.failed + report.moved + report.expired,
            report.repaired
        )));
    }
    Ok((report.moved + report.expired + report.repaired + report.swept) as u64)
}

/// [`run`], leaving its report in `report` (for `argus storage run`).
pub async fn run_reporting(state: &AppState, report: &Mutex<Option<StorageReport>>) -> AppResult<u64> {
    let done = state.storage.run(db::now()).await?;
    let items = judge(state, &done).await;
    *report.lock().unwrap_or_else(|e| e.into_inner()) = Some(done);
    items
}
