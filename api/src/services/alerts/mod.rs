//! Alerts: conditions worth telling someone about (a camera gone, a recorder that did not start,
//! a disk filling up, …), raised by their sources ([`offline`], [`sources`]) and handled by
//! people ([`manage`]: list, acknowledge, resolve).
//!
//! One not-resolved alert per (kind, subject): a repeat of the condition bumps the open alert's
//! `count` and `last_seen` instead of opening another, so a flapping camera is one alert with a
//! count. Each write runs in one transaction that reads the active alert first. Opening and
//! resolving queue the channel deliveries in that same transaction (the outbox) and are audited;
//! every change is published on the hub (`alert.opened` / `alert.updated` / `alert.resolved`) and
//! refreshes the `alerts_open{type}` gauge.

pub mod manage;
pub mod memory;
pub mod offline;
pub mod sources;
pub mod view;

use chrono::NaiveDateTime;

pub use self::{memory::AlertMemory, view::AlertView};
use super::{
    alert_channels::{self, AlertEvent},
    audit::{self, Actor, Change},
};
use crate::{
    auth::RequestMeta,
    db::{self, alerts::AlertRow, DbConn},
    domain::{AlertKind, AlertSeverity, AlertState, AuditAction},
    error::{AppError, AppResult},
    realtime::hub::Event,
    state::AppState,
};

/// The name `resolved_by` / `acknowledged_by` carry when Argus itself acted.
pub const SYSTEM: &str = "system";

/// A condition as a source reports it.
#[derive(Clone, Debug)]
pub struct Signal {
    pub kind: AlertKind,
    pub severity: AlertSeverity,
    pub camera_id: Option<String>,
    /// The dedupe key within the kind: a camera id, a job name, a tier, `login:<ip>`, ….
    pub subject: String,
    pub message: String,
}

/// The view of `row`, its camera's name read on `c`.
pub(crate) fn view_on(c: &mut DbConn, row: AlertRow) -> AppResult<AlertView> {
    let name = match &row.camera_id {
        Some(id) => db::cameras::names(c, std::slice::from_ref(id))?.into_iter().next().map(|(_, n)| n),
        None => None,
    };
    Ok(AlertView::new(row, name))
}

/// What a write did to the alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Opened,
    Updated,
    Resolved,
    /// Nothing to write (an observation that changed nothing).
    Unchanged,
}

/// How a write sets the count of an existing alert.
#[derive(Clone, Copy, Debug)]
enum Count {
    /// One more occurrence.
    Bump,
    /// The count and episode start computed by the source.
    Observed(i64, NaiveDateTime),
}

/// Opens the alert of `signal` (count 1), or bumps the active one (count + 1, last seen now,
/// the new message). A bump notifies no channel.
pub async fn raise(state: &AppState, signal: Signal) -> AppResult<AlertView> {
    write(state, signal, Count::Bump, db::now()).await.map(|(v, _)| v)
}

/// Opens the alert of `signal` with `count` and `first_seen`, or sets them on the active one;
/// for conditions whose count comes from data (disconnects of a camera). An observation that
/// changes nothing writes nothing.
pub async fn observe(
    state: &AppState,
    signal: Signal,
    count: i64,
    first_seen: NaiveDateTime,
) -> AppResult<AlertView> {
    write(state, signal, Count::Observed(count, first_seen), db::now()).await.map(|(v, _)| v)
}

/// [`raise`] / [`observe`] at a given time, saying what changed.
async fn write(
    state: &AppState,
    signal: Signal,
    count: Count,
    now: NaiveDateTime,
) -> AppResult<(AlertView, Outcome)> {
    let (view, outcome) = state.db.transaction(move |c| upsert(c, &signal, count, now)).await?;
    announce(state, &view, outcome).await;
    Ok((view, outcome))
}

fn upsert(
    c: &mut DbConn,
    signal: &Signal,
    count: Count,
    now: NaiveDateTime,
) -> AppResult<(AlertView, Outcome)> {
    let Some(mut row) = db::alerts::active(c, signal.kind, &signal.subject)? else {
        let (count, first_seen) = match count {
            Count::Bump => (1, now),
            Count::Observed(n, first) => (n.max(1), first),
        };
        let row = AlertRow {
            id: db::new_id(),
            kind: signal.kind,
            severity: signal.severity,
            state: AlertState::Open,
            camera_id: signal.camera_id.clone(),
            subject: signal.subject.clone(),
            message: signal.message.clone(),
            count,
            first_seen,
            last_seen: now,
            acknowledged_at: None,
            acknowledged_by: None,
            resolved_at: None,
            resolved_by: None,
            active_key: Some(db::alerts::active_key(signal.kind, &signal.subject)),
            created_at: now,
            updated_at: now,
        };
        db::alerts::insert(c, &row)?;
        let view = view_on(c, row)?;
        let change = Change::new(AuditAction::AlertOpened).on("alert", &view.id).after(&view);
        audit::write(c, &audit::entry(&Actor::system(), &RequestMeta::default(), change))?;
        alert_channels::enqueue(c, &view, AlertEvent::Opened)?;
        return Ok((view, Outcome::Opened));
    };
    if let Count::Observed(n, first) = count {
        if !observation_changes(&row, signal, n, first) {
            return Ok((view_on(c, row)?, Outcome::Unchanged));
        }
    }
    row.severity = signal.severity;
    row.message = signal.message.clone();
    match count {
        Count::Bump => {
            db::alerts::bump(c, &row, now)?;
            row = db::alerts::find(c, &row.id)?.ok_or_else(|| AppError::internal("bumped alert vanished"))?;
        }
        Count::Observed(n, first) => {
            row.count = n.max(1);
            row.first_seen = first.min(row.first_seen);
            (row.last_seen, row.updated_at) = (now, now);
            db::alerts::observe(c, &row)?;
        }
    }
    Ok((view_on(c, row)?, Outcome::Updated))
}

/// Whether observing `count` since `first_seen` would change the active alert `row` (same
/// words, same count, an episode that started no later): evaluators that judge every camera
/// skip the write, and its transaction, when it would not.
pub(crate) fn observation_changes(
    row: &AlertRow,
    signal: &Signal,
    count: i64,
    first_seen: NaiveDateTime,
) -> bool {
    row.message != signal.message
        || row.severity != signal.severity
        || row.count != count.max(1)
        || row.first_seen > first_seen
}

/// Resolves the not-resolved alert of (kind, subject), if any: the condition recovered.
/// `by` is who says so ([`SYSTEM`] for a source).
pub async fn clear(
    state: &AppState,
    kind: AlertKind,
    subject: &str,
    by: &str,
) -> AppResult<Option<AlertView>> {
    let (subject, by_name) = (subject.to_string(), by.to_string());
    // Most calls find nothing to clear (a job that succeeds again): a read, not a write lock.
    let lookup = subject.clone();
    if state.db.run(move |c| db::alerts::active(c, kind, &lookup)).await?.is_none() {
        return Ok(None);
    }
    let actor = system_or_named(by);
    let resolved = state
        .db
        .transaction(move |c| match db::alerts::active(c, kind, &subject)? {
            None => Ok(None),
            Some(row) => {
                transition_row(c, row, AlertState::Resolved, &by_name, &actor, &RequestMeta::default())
                    .map(Some)
            }
        })
        .await?;
    if let Some(view) = &resolved {
        announce(state, view, Outcome::Resolved).await;
    }
    Ok(resolved)
}

fn system_or_named(by: &str) -> Actor {
    if by == SYSTEM {
        Actor::system()
    } else {
        Actor { name: Some(by.to_string()), ..Actor::system() }
    }
}

/// Moves `row` to `to` (acknowledged or resolved) by `by`, audited as `actor`; a resolve also
/// queues the resolved notices.
pub(crate) fn transition_row(
    c: &mut DbConn,
    mut row: AlertRow,
    to: AlertState,
    by: &str,
    actor: &Actor,
    meta: &RequestMeta,
) -> AppResult<AlertView> {
    let now = db::now();
    let before = row.state;
    let action = match to {
        AlertState::Resolved => {
            (row.resolved_at, row.resolved_by) = (Some(now), Some(by.to_string()));
            row.active_key = None;
            AuditAction::AlertResolved
        }
        _ => {
            (row.acknowledged_at, row.acknowledged_by) = (Some(now), Some(by.to_string()));
            AuditAction::AlertAcknowledged
        }
    };
    row.state = to;
    row.updated_at = now;
    db::alerts::transition(c, &row, before)?;
    let view = view_on(c, row)?;
    let change =
        Change::new(action).on("alert", &view.id).before(serde_json::json!({ "state": before })).after(&view);
    audit::write(c, &audit::entry(actor, meta, change))?;
    if to == AlertState::Resolved {
        alert_channels::enqueue(c, &view, AlertEvent::Resolved)?;
    }
    Ok(view)
}

/// After a commit: wakes the channel worker (open / resolve), publishes the hub event and
/// refreshes the `alerts_open` gauge.
pub(crate) async fn announce(state: &AppState, view: &AlertView, outcome: Outcome) {
    let kind = match outcome {
        Outcome::Opened => "alert.opened",
        Outcome::Updated => "alert.updated",
        Outcome::Resolved => "alert.resolved",
        Outcome::Unchanged => return,
    };
    if matches!(outcome, Outcome::Opened | Outcome::Resolved) {
        alert_channels::wake(state);
    }
    let open_count = match refresh_gauge(state).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "cannot count open alerts");
            0
        }
    };
    let data = serde_json::json!({ "alert": view, "open_count": open_count });
    state.hub.publish(Event::new(kind, view.camera_id.as_deref(), data)).await;
}

/// Sets `alerts_open{type}` (not resolved: open or acknowledged) from the database, every kind
/// (zeros included); returns how many alerts are open (not yet acknowledged), the bell's count.
pub async fn refresh_gauge(state: &AppState) -> AppResult<i64> {
    let counts = state.db.run(|c| db::alerts::count_active(c, None)).await?;
    for kind in AlertKind::ALL {
        let n: i64 = counts.iter().filter(|(_, k, _)| k == kind).map(|(_, _, n)| n).sum();
        state.metrics.alerts_open.with_label_values(&[kind.as_str()]).set(n);
    }
    Ok(counts.iter().filter(|(s, _, _)| *s == AlertState::Open).map(|(_, _, n)| n).sum())
}
