//! Alert channels: where alerts are sent (signed webhooks, e-mail) and the outbox that sends
//! them. [`enqueue`] writes one pending delivery per enabled matching channel inside the alert's
//! own transaction; the [`worker`] claims due deliveries, sends them and retries with back-off,
//! so a restart loses nothing.

mod email;
mod manage;
pub mod payload;
mod views;
mod webhook;
pub mod worker;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use manage::{create, delete, deliveries, get, list, send_test, update};
pub use payload::AlertView;
pub use views::{ChannelKind, ChannelView, CreatedChannel, DeliveryView, NewChannel, UpdateChannel};

use crate::{
    db::{
        self,
        alert_channels::ChannelRow,
        alert_deliveries::{self as outbox, DeliveryRow},
        DbConn,
    },
    domain::AlertKind,
    error::AppResult,
    state::AppState,
};

/// Whether `name` is an alert type a channel may filter on.
pub fn is_alert_type(name: &str) -> bool {
    AlertKind::ALL.iter().any(|k| k.as_str() == name)
}

/// Why a channel is told about an alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AlertEvent {
    Opened,
    Resolved,
    /// "Send test" from the API.
    Test,
}

impl AlertEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertEvent::Opened => "opened",
            AlertEvent::Resolved => "resolved",
            AlertEvent::Test => "test",
        }
    }
}

/// A JSON list column: "" = every value.
fn list_filter(column: &str) -> Option<Vec<String>> {
    if column.is_empty() {
        None
    } else {
        serde_json::from_str(column).ok()
    }
}

/// Whether `channel` wants an alert of `kind` about `camera_id`.
fn matches(channel: &ChannelRow, kind: &str, camera_id: Option<&str>) -> bool {
    let types_ok = list_filter(&channel.alert_types).is_none_or(|t| t.iter().any(|t| t == kind));
    let cameras_ok = match list_filter(&channel.camera_ids) {
        None => true,
        Some(ids) => camera_id.is_some_and(|c| ids.iter().any(|i| i == c)),
    };
    types_ok && cameras_ok
}

fn insert_delivery(
    conn: &mut DbConn,
    channel_id: &str,
    alert_id: Option<String>,
    event: AlertEvent,
    body: &Value,
) -> AppResult<String> {
    let now = db::now();
    let row = DeliveryRow {
        id: db::new_id(),
        channel_id: channel_id.to_string(),
        alert_id,
        event: event.as_str().into(),
        payload: body.to_string(),
        state: outbox::PENDING.into(),
        attempts: 0,
        next_attempt_at: now,
        claimed_by: None,
        claimed_until: None,
        last_attempt_at: None,
        last_status: None,
        last_error: None,
        created_at: now,
        delivered_at: None,
    };
    outbox::insert(conn, &row)?;
    Ok(row.id)
}

/// One pending delivery per enabled channel that wants `alert`, its body frozen now. Call it
/// inside the transaction that opens or resolves the alert, then [`wake`] after the commit.
pub fn enqueue(conn: &mut DbConn, alert: &AlertView, event: AlertEvent) -> AppResult<()> {
    let body = payload::body(alert, event);
    let kind = body.get("type").and_then(Value::as_str).unwrap_or_default();
    let camera_id = body.get("camera_id").and_then(Value::as_str);
    let alert_id = body.get("id").and_then(Value::as_str).map(str::to_string);
    for channel in db::alert_channels::enabled(conn)? {
        if matches(&channel, kind, camera_id) {
            insert_delivery(conn, &channel.id, alert_id.clone(), event, &body)?;
        }
    }
    Ok(())
}

/// Nudges this node's delivery worker (other replicas find the rows on their next poll).
pub fn wake(state: &AppState) {
    state.alert_wake.notify_one();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(alert_types: &str, camera_ids: &str) -> ChannelRow {
        let now = db::now();
        ChannelRow {
            id: "c".into(),
            name: "n".into(),
            kind: "webhook".into(),
            url: Some("http://x".into()),
            email_to: None,
            secret: None,
            alert_types: alert_types.into(),
            camera_ids: camera_ids.into(),
            enabled: true,
            disabled_reason: None,
            failing_since: None,
            created_by: "u".into(),
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn empty_filters_match_everything() {
        assert!(matches(&channel("", ""), "camera.offline", Some("cam")));
        assert!(matches(&channel("", ""), "storage.low", None));
    }

    #[test]
    fn type_and_camera_filters_both_apply() {
        let c = channel(r#"["camera.offline"]"#, r#"["cam1"]"#);
        assert!(matches(&c, "camera.offline", Some("cam1")));
        assert!(!matches(&c, "camera.offline", Some("cam2")));
        assert!(!matches(&c, "storage.low", Some("cam1")));
        assert!(!matches(&c, "camera.offline", None), "a camera filter skips alerts without a camera");
    }
}
