//! Reconciliation with nginx: hooks can be lost (Argus down, publisher killed), so the truth is
//! re-read from this node's nginx `/stat` and from the recording directory.

use std::time::Duration;

use super::locked;
use crate::{
    dataplane::stat,
    services::stream_state::{self, StallWatch},
    state::AppState,
};

/// Compares this node's nginx with the database. `stalls` is the job's memory between passes
/// (see [`StallWatch`]). With several ingest nodes each reconciles its own nginx, so the lock is
/// per node.
pub async fn streams(state: &AppState, stalls: &StallWatch) {
    let media = &state.settings.media;
    let lock = super::node_lock(state, "reconcile-streams");
    locked(state, &lock, Duration::from_secs(30), || async {
        let Some(snapshot) = stat::fetch_snapshot(media.nginx_http_port, &media.node_id).await else {
            return;
        };
        if let Err(e) = stream_state::reconcile(state, stalls, snapshot).await {
            tracing::error!(error = %e, "stream reconciliation failed");
        }
    })
    .await
}

/// Chunks nginx finished while Argus was not listening, or whose filing a kill interrupted.
pub async fn orphan_recordings(state: &AppState) {
    let queued = crate::services::unfiled::file_all(state).await;
    if queued > 0 {
        tracing::info!(queued, "queued unfiled recordings");
    }
}
