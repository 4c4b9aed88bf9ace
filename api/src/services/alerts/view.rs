//! The JSON shape of an alert (API, WebSocket, webhook body). Imports nothing of the alert
//! services, so the channels (which queue views) and the alerts (which call the channels) do not
//! import each other.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    db::alerts::AlertRow,
    domain::{AlertKind, AlertSeverity, AlertState},
};

/// An alert as the API, the WebSocket and the webhooks show it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct AlertView {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: AlertKind,
    pub severity: AlertSeverity,
    pub state: AlertState,
    pub camera_id: Option<String>,
    pub camera_name: Option<String>,
    /// How many times the condition occurred in this episode.
    pub count: i64,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub message: String,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
}

impl AlertView {
    pub fn new(row: AlertRow, camera_name: Option<String>) -> AlertView {
        let utc = |t: Option<NaiveDateTime>| t.map(|t| t.and_utc());
        AlertView {
            id: row.id,
            kind: row.kind,
            severity: row.severity,
            state: row.state,
            camera_id: row.camera_id,
            camera_name,
            count: row.count,
            first_seen: row.first_seen.and_utc(),
            last_seen: row.last_seen.and_utc(),
            message: row.message,
            acknowledged_at: utc(row.acknowledged_at),
            acknowledged_by: row.acknowledged_by,
            resolved_at: utc(row.resolved_at),
            resolved_by: row.resolved_by,
        }
    }
}
