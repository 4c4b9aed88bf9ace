//! The storage lifecycle, hourly: see [`crate::services::storage`].

use std::time::Duration;

use crate::{
    db,
    error::{AppError, AppResult},
    state::AppState,
};

/// Longer than a run takes (copies of a backlog can be long); a crashed holder's lock frees
/// itself after this.
pub const LOCK_TTL: Duration = Duration::from_secs(3600);

/// Returns how many recordings it moved or repaired. A run in which any move failed is a failed
/// run (the moves that failed are logged one by one, and retried by the next run).
pub async fn run(state: &AppState) -> AppResult<u64> {
    let report = state.storage.run(db::now(), None).await?;
    if report.failed > 0 {
        return Err(AppError::internal(format!(
            "{} of {} moves failed (see the log); {} repaired",
            report.failed,
            report.failed + report.moved,
            report.repaired
        )));
    }
    Ok((report.moved + report.repaired) as u64)
}
