//! Alert channels (webhook, email) and their outbox.
// placeholder: replaced by the channels branch at merge

use crate::{db::DbConn, error::AppResult, services::alerts::view::AlertView, state::AppState};

/// What a delivery tells a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertEvent {
    Opened,
    Resolved,
    Test,
}

/// Queues one delivery per matching channel, inside the caller's transaction.
pub fn enqueue(_conn: &mut DbConn, _alert: &AlertView, _event: AlertEvent) -> AppResult<()> {
    Ok(())
}

/// Nudges the delivery worker after a commit.
pub fn wake(_state: &AppState) {}
