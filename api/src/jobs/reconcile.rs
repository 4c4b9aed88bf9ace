//! Reconciliation with nginx: hooks can be lost (Argus down, publisher killed), so the truth is
//! re-read from this node's nginx `/stat` and from the recording directory.

use crate::{
    dataplane::stat,
    error::AppResult,
    services::stream_state::{self, StallWatch},
    state::AppState,
};

/// Compares this node's nginx with the database; returns how many cameras' status it corrected.
/// `stalls` is the job's memory between passes (see [`StallWatch`]). An nginx that does not
/// answer is nothing to correct (it is down, or not started yet).
pub async fn streams(state: &AppState, stalls: &StallWatch) -> AppResult<u64> {
    let media = &state.settings.media;
    let Some(snapshot) = stat::fetch_snapshot(media.nginx_http_port, &media.node_id).await else {
        return Ok(0);
    };
    Ok(stream_state::reconcile(state, stalls, snapshot).await? as u64)
}

/// Chunks nginx finished while Argus was not listening, or whose filing a kill interrupted;
/// returns how many were queued for filing.
pub async fn orphan_recordings(state: &AppState) -> AppResult<u64> {
    let queued = crate::services::unfiled::file_all(state).await;
    if queued > 0 {
        tracing::info!(queued, "queued unfiled recordings");
    }
    Ok(queued as u64)
}
