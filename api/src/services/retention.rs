//! Retention of the log tables: old audit rows, dead login sessions, ended stream sessions, old
//! runs of the scheduled jobs, resolved alerts and finished alert deliveries.

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use super::audit::{self, Actor, Change};
use crate::{
    auth::RequestMeta,
    config::Settings,
    db::{self, Db},
    domain::AuditAction,
    error::AppResult,
};

/// How long each log is kept.
#[derive(Clone, Debug)]
pub struct PrunePolicy {
    pub audit_days: u32,
    /// After a session was revoked, or died of idleness.
    pub session_days: u32,
    pub stream_session_days: u32,
    /// Runs of the scheduled jobs: kept as long as stream sessions, the other operational log.
    pub job_run_days: u32,
    /// A session unused this long is dead (`ARGUS_SESSION_IDLE_SECS`).
    pub session_idle_secs: i64,
}

impl PrunePolicy {
    pub fn from_settings(s: &Settings) -> PrunePolicy {
        PrunePolicy {
            audit_days: s.security.audit_retention_days,
            session_days: s.security.session_retention_days,
            stream_session_days: s.security.stream_session_retention_days,
            job_run_days: s.security.stream_session_retention_days,
            session_idle_secs: s.session_idle_secs,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct PruneReport {
    pub audit_rows: usize,
    pub sessions: usize,
    pub stream_sessions: usize,
    pub job_runs: usize,
    /// Footage tombstones, kept as long as stream sessions (both explain the timeline's gaps).
    pub tombstones: usize,
    /// Resolved alerts and finished deliveries, kept as long as stream sessions (a camera's
    /// alert history reads beside its connection history).
    pub alerts: usize,
    pub alert_deliveries: usize,
}

impl PruneReport {
    /// Rows deleted in all.
    pub fn total(&self) -> usize {
        self.audit_rows
            + self.sessions
            + self.stream_sessions
            + self.job_runs
            + self.tombstones
            + self.alerts
            + self.alert_deliveries
    }
}

fn days_before(now: NaiveDateTime, days: u32) -> NaiveDateTime {
    now - Duration::days(i64::from(days))
}

/// Deletes what `policy` no longer keeps, as of `now`. Audit rows go as a prefix of the hash
/// chain, so what remains still verifies (from the oldest remaining row's `prev_hash`); when
/// anything was deleted, an `audit.pruned` row records the counts, the cutoffs and that anchor.
pub async fn prune_logs(db: &Db, now: NaiveDateTime, policy: &PrunePolicy) -> AppResult<PruneReport> {
    let audit_cutoff = days_before(now, policy.audit_days);
    let revoked_before = days_before(now, policy.session_days);
    let unused_before = revoked_before - Duration::seconds(policy.session_idle_secs);
    let stream_cutoff = days_before(now, policy.stream_session_days);
    let job_run_cutoff = days_before(now, policy.job_run_days);
    // Each delete commits on its own: a large backlog is not one huge transaction.
    let report = db
        .run(move |c| {
            Ok(PruneReport {
                audit_rows: db::audit_chain::prune_before(c, audit_cutoff)?,
                sessions: db::sessions::prune(c, revoked_before, unused_before)?,
                stream_sessions: db::stream_sessions::prune(c, stream_cutoff)?,
                job_runs: db::job_runs::prune(c, job_run_cutoff)?,
                tombstones: db::footage_tombstones::prune(c, stream_cutoff)?,
                alert_deliveries: db::alert_deliveries::prune_finished(c, stream_cutoff)?,
                alerts: db::alerts::prune_resolved(c, stream_cutoff)?,
            })
        })
        .await?;
    if report == PruneReport::default() {
        return Ok(report);
    }
    let summary = report.clone();
    db.transaction(move |c| {
        let anchor = db::audit_chain::anchor(c)?;
        let change = Change::new(AuditAction::AuditPruned).after(serde_json::json!({
            "audit_rows": summary.audit_rows,
            "sessions": summary.sessions,
            "stream_sessions": summary.stream_sessions,
            "job_runs": summary.job_runs,
            "tombstones": summary.tombstones,
            "alerts": summary.alerts,
            "alert_deliveries": summary.alert_deliveries,
            "audit_cutoff": audit_cutoff.and_utc(),
            "session_cutoff": revoked_before.and_utc(),
            "stream_session_cutoff": stream_cutoff.and_utc(),
            "job_run_cutoff": job_run_cutoff.and_utc(),
            "chain_anchor": anchor.map(|(seq, hash)| serde_json::json!({ "seq": seq, "prev_hash": hash })),
        }));
        db::audit::insert(c, &audit::row(&Actor::system(), &RequestMeta::default(), change))
    })
    .await?;
    tracing::info!(?report, %audit_cutoff, "pruned logs");
    Ok(report)
}
