//! The jobs as the API shows them (schedule, last and recent runs, next run), and a run on request.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{run_keeping, JobKind};
use crate::{
    auth::RequestMeta,
    domain::{AuditAction, JobOutcome},
    error::{AppError, AppResult},
    services::{
        audit::{self, Actor, Change},
        job_runs::{self, JobRunView, Keep},
        paging::{Page, Paging},
        stream_state::StallWatch,
    },
    state::AppState,
};

/// Runs listed with each job in the overview.
const RECENT_RUNS: i64 = 10;

/// A scheduled job.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct JobView {
    pub name: String,
    /// It runs every this many seconds (on each node for the per-node jobs).
    pub interval_secs: u64,
    /// The newest recorded run (the frequent jobs record only runs that did something or failed).
    pub last_run: Option<JobRunView>,
    /// Estimate: the last recorded start plus whole intervals, the first such time from now on.
    pub next_run_at: Option<DateTime<Utc>>,
    /// The newest recorded runs, newest first.
    pub recent_runs: Vec<JobRunView>,
}

fn known(name: &str) -> AppResult<JobKind> {
    JobKind::parse(name).ok_or_else(|| AppError::not_found(format!("no job named {name:?}")))
}

/// Every job, in a fixed order.
pub async fn overview(state: &AppState) -> AppResult<Vec<JobView>> {
    let mut jobs = Vec::with_capacity(JobKind::ALL.len());
    for kind in JobKind::ALL {
        let paging = Paging { page: Some(1), limit: Some(RECENT_RUNS) };
        let recent = job_runs::list(state, kind.name(), paging).await?.items;
        let interval = kind.interval(&state.settings);
        let last_run = recent.first().cloned();
        let next_run_at = last_run.as_ref().map(|r| next_after(r.started_at, interval, Utc::now()));
        jobs.push(JobView {
            name: kind.name().to_string(),
            interval_secs: interval.as_secs(),
            last_run,
            next_run_at,
            recent_runs: recent,
        });
    }
    Ok(jobs)
}

/// The first of `last`, `last + interval`, `last + 2 × interval`, … that is after `last` and not
/// before `now`.
fn next_after(last: DateTime<Utc>, interval: std::time::Duration, now: DateTime<Utc>) -> DateTime<Utc> {
    let step = chrono::Duration::from_std(interval)
        .unwrap_or(chrono::Duration::MAX)
        .max(chrono::Duration::seconds(1));
    let behind = (now - last).num_milliseconds().max(0);
    let steps = (behind / step.num_milliseconds().max(1)) + 1;
    last + step * i32::try_from(steps).unwrap_or(i32::MAX)
}

/// The recorded runs of one job, newest first.
pub async fn runs(state: &AppState, name: &str, paging: Paging) -> AppResult<Page<JobRunView>> {
    let kind = known(name)?;
    job_runs::list(state, kind.name(), paging).await
}

/// Runs the job now, under its lock, and answers when it has finished, with the run (recorded
/// whatever it did). A job running elsewhere (its lock held) is a conflict.
pub async fn run_now(
    state: &AppState,
    name: &str,
    actor: &Actor,
    meta: &RequestMeta,
) -> AppResult<JobRunView> {
    let kind = known(name)?;
    audit::record(state, actor, meta, Change::new(AuditAction::JobRunRequested).on("job", kind.name()))
        .await?;
    // A fresh stall memory never reports a stall: a run on request only corrects stream state.
    let run = run_keeping(state, kind, &StallWatch::default(), Keep::Every).await;
    if run.outcome == JobOutcome::Skipped {
        return Err(AppError::conflict(format!("job {name:?} is running (its lock is held)")));
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_run_is_the_first_whole_interval_from_now_on() {
        let last = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").expect("time").to_utc();
        let hour = std::time::Duration::from_secs(3600);
        let at = |m| last + chrono::Duration::minutes(m);
        assert_eq!(next_after(last, hour, at(0)), at(60));
        assert_eq!(next_after(last, hour, at(59)), at(60));
        assert_eq!(next_after(last, hour, at(61)), at(120));
        assert_eq!(next_after(last, hour, at(-5)), at(60), "a clock behind the run");
    }
}
