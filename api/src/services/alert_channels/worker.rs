//! The delivery worker, one per process. Each pass it leases the due pending deliveries (a
//! conditional UPDATE of `claimed_by` / `claimed_until`, so two replicas never send the same
//! row), sends them — webhooks one by one, an e-mail channel's due alerts as one message — and
//! records the attempt while it still holds the lease. A failed attempt is retried after
//! base·2^(n-1) (capped at an hour, with jitter); a crashed worker's lease expires and the row
//! is claimed again. A channel failing for `ARGUS_CHANNEL_DISABLE_AFTER_HOURS` is disabled.

use std::{collections::BTreeMap, time::Duration};

use chrono::{NaiveDateTime, TimeDelta};
use rand::Rng;
use serde_json::Value;

use super::{email, views::split_addresses, webhook};
use crate::{
    db::{
        self,
        alert_channels::ChannelRow,
        alert_deliveries::{self as outbox, Attempt, DeliveryRow},
    },
    error::AppResult,
    state::AppState,
};
use crate::{
    domain::{AlertKind, AlertSeverity},
    services::alerts::{self, Signal},
};

/// How often an idle worker looks for due deliveries (a [`super::wake`] is immediate).
const POLL: Duration = Duration::from_secs(1);
/// How long a claim holds: longer than the slowest send (SMTP times out after 30 s).
const LEASE: TimeDelta = TimeDelta::seconds(90);
/// Rows leased per pass.
const BATCH: i64 = 100;
/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: f64 = 3600.0;

/// One worker's identity in `claimed_by`: unique per process, so a restarted node never takes
/// its previous life's leases for its own.
pub struct Worker {
    pub id: String,
    client: reqwest13::Client,
}

impl Worker {
    pub fn new(state: &AppState) -> Worker {
        let id =
            format!("{}:{}", state.settings.media.node_id, &uuid::Uuid::new_v4().simple().to_string()[..12]);
        Worker { id, client: webhook::client() }
    }
}

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let worker = Worker::new(&state);
        loop {
            if let Err(e) = pass(&state, &worker).await {
                tracing::error!(error = %e, "alert delivery pass failed");
            }
            tokio::select! {
                _ = state.alert_wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    })
}

/// The wait before the attempt after `attempts` failed ones: base·2^(attempts-1), at most an
/// hour, times a jitter in [0.9, 1.1) so retries of many deliveries spread out.
pub fn backoff(base_secs: u64, attempts: i32, jitter: f64) -> TimeDelta {
    let exp = attempts.clamp(1, 30) - 1;
    let secs =
        (base_secs as f64 * 2f64.powi(exp)).min(MAX_BACKOFF_SECS) * (0.9 + 0.2 * jitter.clamp(0.0, 1.0));
    TimeDelta::milliseconds((secs * 1000.0) as i64)
}

/// Leases due rows and sends them; returns how many were leased.
pub async fn pass(state: &AppState, worker: &Worker) -> AppResult<usize> {
    let wid = worker.id.clone();
    let groups = state
        .db
        .run(move |c| {
            let now = db::now();
            let mut groups: BTreeMap<String, Vec<DeliveryRow>> = BTreeMap::new();
            for id in outbox::due(c, now, BATCH)? {
                if outbox::claim(c, &id, &wid, now, now + LEASE)? {
                    if let Some(row) = outbox::find(c, &id)? {
                        groups.entry(row.channel_id.clone()).or_default().push(row);
                    }
                }
            }
            let mut out = Vec::with_capacity(groups.len());
            for (channel_id, rows) in groups {
                out.push((db::alert_channels::find(c, &channel_id)?, rows));
            }
            Ok(out)
        })
        .await?;
    let leased = groups.iter().map(|(_, rows)| rows.len()).sum();
    let sends = groups.into_iter().map(|(channel, rows)| deliver(state, worker, channel, rows));
    futures_util::future::join_all(sends).await;
    Ok(leased)
}

/// Sends one channel's leased rows.
async fn deliver(state: &AppState, worker: &Worker, channel: Option<ChannelRow>, rows: Vec<DeliveryRow>) {
    let Some(channel) = channel else { return };
    // A disabled channel still gets "send test" (to check a fix); its alerts are given up.
    let (rows, dropped): (Vec<_>, Vec<_>) =
        rows.into_iter().partition(|r| channel.enabled || r.event == "test");
    if !dropped.is_empty() {
        let (wid, reason) = (worker.id.clone(), "the channel is disabled".to_string());
        let ids: Vec<String> = dropped.into_iter().map(|r| r.id).collect();
        let given_up = state
            .db
            .run(move |c| ids.iter().try_for_each(|id| outbox::give_up_one(c, id, &wid, &reason).map(|_| ())))
            .await;
        if let Err(e) = given_up {
            tracing::error!(channel = %channel.id, error = %e, "cannot give up deliveries");
        }
    }
    if rows.is_empty() {
        return;
    }
    if channel.kind == "email" {
        let to = split_addresses(channel.email_to.as_deref().unwrap_or(""));
        let bodies: Vec<Value> =
            rows.iter().map(|r| serde_json::from_str(&r.payload).unwrap_or(Value::Null)).collect();
        let error = email::send(&state.settings.channels, &to, &bodies).await.err();
        finish(state, worker, &channel, &rows, webhook::Outcome { status: None, error }).await;
    } else {
        let (url, secret) =
            (channel.url.clone().unwrap_or_default(), channel.secret.clone().unwrap_or_default());
        for row in rows {
            let outcome = webhook::send(&worker.client, &url, &secret, &row).await;
            finish(state, worker, &channel, std::slice::from_ref(&row), outcome).await;
        }
    }
}

/// Records an attempt of `rows` (sent together), the channel's health, and disables a channel
/// failing for too long.
async fn finish(
    state: &AppState,
    worker: &Worker,
    channel: &ChannelRow,
    rows: &[DeliveryRow],
    outcome: webhook::Outcome,
) {
    let cfg = &state.settings.channels;
    let now = db::now();
    let attempts: Vec<(String, Attempt)> = rows
        .iter()
        .map(|r| {
            let retry_at = outcome
                .error
                .as_ref()
                .map(|_| now + backoff(cfg.retry_base_secs, r.attempts + 1, rand::rng().random::<f64>()));
            (
                r.id.clone(),
                Attempt { at: now, status: outcome.status, error: outcome.error.clone(), retry_at },
            )
        })
        .collect();
    let failed = outcome.error.is_some();
    let label = if failed { "retry" } else { "delivered" };
    state
        .metrics
        .alert_deliveries
        .with_label_values(&[channel.kind.as_str(), label])
        .inc_by(rows.len() as u64);
    if let Some(e) = &outcome.error {
        tracing::warn!(channel = %channel.id, deliveries = rows.len(), error = %e, "alert delivery failed; will retry");
    }
    let cutoff = now - TimeDelta::hours(cfg.disable_after_hours as i64);
    let (wid, cid) = (worker.id.clone(), channel.id.clone());
    let result = state
        .db
        .transaction(move |c| {
            for (id, attempt) in &attempts {
                outbox::record(c, id, &wid, attempt)?;
            }
            if !failed {
                db::alert_channels::mark_healthy(c, &cid)?;
                return Ok(None);
            }
            db::alert_channels::mark_failing(c, &cid, now)?;
            disable_if_failing(c, &cid, cutoff, now)
        })
        .await;
    match result {
        Ok(Some(given_up)) => {
            state
                .metrics
                .alert_deliveries
                .with_label_values(&[channel.kind.as_str(), "failed"])
                .inc_by(given_up as u64);
            report_channel_disabled(state, channel, cfg.disable_after_hours).await;
        }
        Ok(None) => {}
        Err(e) => tracing::error!(channel = %channel.id, error = %e, "alert delivery attempt not recorded"),
    }
}

/// Disables the channel when it has failed since before `cutoff`, giving up its pending
/// deliveries; how many were given up, `None` when it stays enabled.
fn disable_if_failing(
    c: &mut db::DbConn,
    channel_id: &str,
    cutoff: NaiveDateTime,
    now: NaiveDateTime,
) -> AppResult<Option<usize>> {
    let reason = "deliveries failed for too long";
    if !db::alert_channels::disable_if_failing_since(c, channel_id, cutoff, reason, now)? {
        return Ok(None);
    }
    Ok(Some(outbox::give_up(c, channel_id, reason)?))
}

/// A channel was disabled after failing for `hours`: raises `job.failed` with subject
/// `alert-channel:<id>`.
async fn report_channel_disabled(state: &AppState, channel: &ChannelRow, hours: u64) {
    let signal = Signal {
        kind: AlertKind::JobFailed,
        severity: AlertSeverity::Warning,
        camera_id: None,
        subject: format!("alert-channel:{}", channel.id),
        message: format!("alert channel {:?} disabled: its deliveries failed for {hours} h", channel.name),
    };
    if let Err(e) = alerts::raise(state, signal).await {
        tracing::error!(channel = %channel.id, error = %e, "could not raise the disabled channel's alert");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_and_caps_at_an_hour() {
        let mid = |n| backoff(10, n, 0.5).num_seconds();
        assert_eq!((mid(1), mid(2), mid(3), mid(4)), (10, 20, 40, 80));
        assert_eq!(mid(12), 3600);
        assert_eq!(mid(1000), 3600, "no overflow for a long failing channel");
        assert_eq!(backoff(1, 1, 0.5).num_milliseconds(), 1000, "tests use a 1 s base");
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        assert_eq!(backoff(10, 1, 0.0).num_milliseconds(), 9000);
        assert_eq!(backoff(10, 1, 1.0).num_milliseconds(), 11000);
        assert!(backoff(10, 20, 1.0).num_seconds() <= 3960);
    }
}
