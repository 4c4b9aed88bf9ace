//! nginx-rtmp's control module (`/control`, loopback only): recorder start/stop and dropping a
//! publisher. Streams are addressed by camera id (the name after the on_publish rename).

use std::time::Duration;

use super::http;

/// What nginx answered: `Some(body)` when it acted (200; a started recorder's body is the new
/// chunk's path), `None` when there was nothing to do (204: unknown stream, recorder already
/// in that state).
pub type Outcome = Option<String>;

/// nginx's HTTP server on loopback, where the control module listens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NginxControl {
    pub port: u16,
}

impl NginxControl {
    async fn call(&self, action: &str, query: &str) -> Result<Outcome, http::HttpError> {
        let url = format!("http://127.0.0.1:{}/control/{action}?app=live&{query}", self.port);
        let resp = http::get_keepalive(&url, Duration::from_secs(3)).await?;
        Ok((resp.status == 200).then_some(resp.body))
    }

    /// `record/start` or `record/stop` of one recorder (`nginx_conf::RECORDERS`) of a camera.
    pub async fn record(
        &self,
        start: bool,
        camera_id: &str,
        recorder: &str,
    ) -> Result<Outcome, http::HttpError> {
        let action = if start { "record/start" } else { "record/stop" };
        self.call(action, &format!("name={camera_id}&rec={recorder}")).await
    }

    /// Disconnects the camera's publisher (deactivation, key rotation, deletion, stall).
    pub async fn drop_publisher(&self, camera_id: &str) {
        match self.call("drop/publisher", &format!("name={camera_id}")).await {
            Ok(found) => tracing::info!(camera_id, found = found.is_some(), "publisher dropped"),
            Err(e) => {
                tracing::warn!(error = %e, camera_id, "nginx control unreachable; the update hook will drop it")
            }
        }
    }
}
