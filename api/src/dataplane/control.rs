//! nginx-rtmp's control module (`/control`, loopback only): recorder start/stop and dropping a
//! publisher. Streams are addressed by camera id (the name after the on_publish rename).

use std::time::Duration;

use super::http;
use crate::state::AppState;

/// What nginx answered: `Some(body)` when it acted (200; a started recorder's body is the new
/// chunk's path), `None` when there was nothing to do (204: unknown stream, recorder already
/// in that state).
pub type Outcome = Option<String>;

async fn call(state: &AppState, action: &str, query: &str) -> Result<Outcome, http::HttpError> {
    let port = state.settings.media.nginx_http_port;
    let url = format!("http://127.0.0.1:{port}/control/{action}?app=live&{query}");
    let resp = http::get(&url, Duration::from_secs(3)).await?;
    Ok((resp.status == 200).then_some(resp.body))
}

/// `record/start` or `record/stop` of one recorder (`nginx_conf::RECORDERS`) of a camera.
pub async fn record(
    state: &AppState,
    start: bool,
    camera_id: &str,
    recorder: &str,
) -> Result<Outcome, http::HttpError> {
    let action = if start { "record/start" } else { "record/stop" };
    call(state, action, &format!("name={camera_id}&rec={recorder}")).await
}

/// Disconnects the camera's publisher (deactivation, key rotation, deletion, stall).
pub async fn drop_publisher(state: &AppState, camera_id: &str) {
    match call(state, "drop/publisher", &format!("name={camera_id}")).await {
        Ok(found) => tracing::info!(camera_id, found = found.is_some(), "publisher dropped"),
        Err(e) => {
            tracing::warn!(error = %e, camera_id, "nginx control unreachable; the update hook will drop it")
        }
    }
}
