//! nginx-rtmp's control module, driven by Argus: start/stop the recorder of a live camera and
//! drop a publisher. Streams are addressed by camera id (the name after the on_publish rename).

use std::time::Duration;

use super::http;
use crate::state::AppState;

/// The recorder block in `nginx/nginx.conf.tmpl` (`record all manual`).
pub const RECORDER: &str = "main";

fn control_url(state: &AppState, action: &str, camera_id: &str) -> String {
    let port = state.settings.media.nginx_http_port;
    let extra = if action.starts_with("record/") { format!("&rec={RECORDER}") } else { String::new() };
    format!("http://127.0.0.1:{port}/control/{action}?app=live&name={camera_id}{extra}")
}

/// One control call; `Ok(true)` when nginx found the stream.
pub async fn call(state: &AppState, action: &str, camera_id: &str) -> Result<bool, http::HttpError> {
    let resp = http::get(&control_url(state, action, camera_id), Duration::from_secs(3)).await?;
    Ok(resp.status == 200)
}

/// Starts the recorder once nginx has registered the stream (the publish hook answers before
/// that), retrying for a few seconds.
pub fn start_recording_soon(state: AppState, camera_id: String) {
    tokio::spawn(async move {
        let mut delay = Duration::from_millis(100);
        for _ in 0..8 {
            tokio::time::sleep(delay).await;
            match call(&state, "record/start", &camera_id).await {
                Ok(true) => return tracing::info!(camera_id, "recording started"),
                Ok(false) => {}
                Err(e) => tracing::debug!(error = %e, camera_id, "record/start not yet possible"),
            }
            delay = (delay * 2).min(Duration::from_secs(2));
        }
        tracing::error!(camera_id, "could not start recording: nginx does not know the stream");
    });
}

/// Applies a changed recording flag to a live camera at once.
pub async fn set_recording(state: &AppState, camera_id: &str, enabled: bool) {
    let action = if enabled { "record/start" } else { "record/stop" };
    match call(state, action, camera_id).await {
        Ok(found) => tracing::info!(camera_id, action, found, "recording toggled"),
        Err(e) => tracing::warn!(error = %e, camera_id, action, "nginx control unreachable"),
    }
}

/// Disconnects the camera's publisher (deactivation, key rotation, deletion, stall).
pub async fn drop_publisher(state: &AppState, camera_id: &str) {
    match call(state, "drop/publisher", camera_id).await {
        Ok(found) => tracing::info!(camera_id, found, "publisher dropped"),
        Err(e) => {
            tracing::warn!(error = %e, camera_id, "nginx control unreachable; the update hook will drop it")
        }
    }
}
