//! The channel and delivery shapes of the API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::list_filter;
use crate::db::{alert_channels::ChannelRow, alert_deliveries::DeliveryRow};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    Webhook,
    Email,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Webhook => "webhook",
            ChannelKind::Email => "email",
        }
    }
}

#[derive(Serialize, Debug, Clone, utoipa::ToSchema)]
pub struct ChannelView {
    pub id: String,
    pub name: String,
    #[schema(value_type = String, example = "webhook")]
    pub kind: String,
    /// Webhook channels: where the alerts are POSTed.
    pub url: Option<String>,
    /// E-mail channels: the recipients.
    pub to: Vec<String>,
    /// `null` = every alert type.
    pub alert_types: Option<Vec<String>>,
    /// `null` = every camera (and alerts without one).
    pub camera_ids: Option<Vec<String>>,
    pub enabled: bool,
    /// Why it was disabled (e.g. failing for a day).
    pub disabled_reason: Option<String>,
    /// Deliveries have failed since then (cleared by the next success).
    pub failing_since: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ChannelRow> for ChannelView {
    fn from(r: ChannelRow) -> Self {
        ChannelView {
            to: split_addresses(r.email_to.as_deref().unwrap_or("")),
            alert_types: list_filter(&r.alert_types),
            camera_ids: list_filter(&r.camera_ids),
            id: r.id,
            name: r.name,
            kind: r.kind,
            url: r.url,
            enabled: r.enabled,
            disabled_reason: r.disabled_reason,
            failing_since: r.failing_since.map(|t| t.and_utc()),
            created_by: r.created_by,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

pub(super) fn split_addresses(list: &str) -> Vec<String> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// A new channel, with the webhook secret shown this once.
#[derive(Serialize, Debug, utoipa::ToSchema)]
pub struct CreatedChannel {
    #[serde(flatten)]
    pub channel: ChannelView,
    /// Webhook channels: the HMAC key of `X-Argus-Signature`. Shown once; store it now.
    pub secret: Option<String>,
}

#[derive(Deserialize, Debug, Clone, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChannel {
    #[schema(example = "On-call webhook", min_length = 1, max_length = 200)]
    pub name: String,
    pub kind: ChannelKind,
    /// Webhook: an http(s) URL.
    #[schema(example = "https://hooks.example.com/argus")]
    pub url: Option<String>,
    /// E-mail: one or more addresses.
    #[schema(example = json!(["oncall@example.com"]))]
    pub to: Option<Vec<String>>,
    /// Omit, `null` or `[]` for every type.
    #[schema(example = json!(["camera.offline", "storage.low"]))]
    pub alert_types: Option<Vec<String>>,
    /// Omit, `null` or `[]` for every camera.
    pub camera_ids: Option<Vec<String>>,
}

/// Only the fields sent change. `enabled: true` also clears `failing_since` and `disabled_reason`.
#[derive(Deserialize, Debug, Clone, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateChannel {
    pub name: Option<String>,
    pub url: Option<String>,
    pub to: Option<Vec<String>>,
    /// `[]` = every type.
    pub alert_types: Option<Vec<String>>,
    /// `[]` = every camera.
    pub camera_ids: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// One entry of a channel's delivery log (also the outbox row).
#[derive(Serialize, Debug, Clone, utoipa::ToSchema)]
pub struct DeliveryView {
    /// Also `X-Argus-Delivery`, the same on every retry.
    pub id: String,
    pub channel_id: String,
    pub alert_id: Option<String>,
    #[schema(example = "opened")]
    pub event: String,
    /// pending | delivered | failed (given up).
    #[schema(example = "delivered")]
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// HTTP status of the last webhook attempt.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The body sent.
    #[schema(value_type = Object)]
    pub payload: Value,
}

impl From<DeliveryRow> for DeliveryView {
    fn from(r: DeliveryRow) -> Self {
        DeliveryView {
            payload: serde_json::from_str(&r.payload).unwrap_or(Value::Null),
            id: r.id,
            channel_id: r.channel_id,
            alert_id: r.alert_id,
            event: r.event,
            state: r.state,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at.and_utc(),
            last_attempt_at: r.last_attempt_at.map(|t| t.and_utc()),
            last_status: r.last_status,
            last_error: r.last_error,
            created_at: r.created_at.and_utc(),
            delivered_at: r.delivered_at.map(|t| t.and_utc()),
        }
    }
}
