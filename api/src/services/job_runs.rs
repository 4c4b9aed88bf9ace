//! The record of the scheduled jobs' runs: every job body runs through [`run`], which takes the
//! job's lock, times the body and writes one `job_runs` row when it ends.
//!
//! Which runs are written ([`Keep`]): the jobs that tick every few seconds (stream
//! reconciliation, chunk rotation, orphan filing) would write thousands of rows a day that say
//! "nothing to do", so for them only runs that handled something or failed are kept; every run of
//! the hourly and daily jobs is kept, skips included. Log pruning deletes runs as old as the
//! stream sessions it deletes (`ARGUS_STREAM_SESSION_RETENTION_DAYS`).

use std::{future::Future, time::Duration};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::paging::{Page, Paging};
use crate::{
    db::{self, job_runs::JobRunRow},
    domain::JobOutcome,
    error::AppResult,
    state::AppState,
};

/// Which runs of a job are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Every run, skips included.
    Every,
    /// Runs that handled something or failed.
    Busy,
}

/// A job as the recorder sees it.
pub struct Job<'a> {
    pub name: &'a str,
    /// The lock it runs under (per node for work on the node's own nginx or files).
    pub lock: String,
    /// Longer than a run takes; a crashed holder's lock frees itself after this.
    pub lock_ttl: Duration,
    pub keep: Keep,
}

/// One run.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct JobRunView {
    pub id: String,
    pub job: String,
    pub node: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub duration_ms: i64,
    pub outcome: JobOutcome,
    /// What the run handled (recordings moved, chunks rotated, rows pruned, …).
    pub items: i64,
    /// Why it failed.
    pub error: Option<String>,
}

impl From<JobRunRow> for JobRunView {
    fn from(r: JobRunRow) -> JobRunView {
        JobRunView {
            id: r.id,
            job: r.job,
            node: r.node,
            started_at: r.started_at.and_utc(),
            finished_at: r.finished_at.and_utc(),
            duration_ms: r.duration_ms,
            outcome: r.outcome,
            items: r.items,
            error: r.error,
        }
    }
}

/// Runs `body` under the job's lock and records how it ended. Skipped (not run) when the lock is
/// held elsewhere. A failure is logged here; the answer is the run, written or not.
pub async fn run<F, Fut>(state: &AppState, job: &Job<'_>, body: F) -> JobRunView
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = AppResult<u64>>,
{
    let started_at = db::now();
    let clock = std::time::Instant::now();
    let result = match state.locks.try_acquire(&job.lock, job.lock_ttl).await {
        None => {
            tracing::debug!(job = job.name, "skipped: lock held elsewhere");
            None
        }
        Some(guard) => {
            let result = body().await;
            state.locks.release(guard).await;
            Some(result)
        }
    };
    let (outcome, items, error) = match result {
        None => (JobOutcome::Skipped, 0, None),
        Some(Ok(items)) => (JobOutcome::Ok, i64::try_from(items).unwrap_or(i64::MAX), None),
        Some(Err(e)) => {
            tracing::error!(job = job.name, error = %e, "job failed");
            (JobOutcome::Failed, 0, Some(e.to_string()))
        }
    };
    let elapsed = clock.elapsed();
    state.metrics.job_runs.with_label_values(&[job.name, outcome.as_str()]).inc();
    if outcome != JobOutcome::Skipped {
        state.metrics.job_duration.with_label_values(&[job.name]).observe(elapsed.as_secs_f64());
    }
    let row = JobRunRow {
        id: db::new_id(),
        job: job.name.to_string(),
        node: state.settings.media.node_id.clone(),
        started_at,
        finished_at: db::now(),
        duration_ms: i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX),
        outcome,
        items,
        error,
    };
    let worth_keeping = match job.keep {
        Keep::Every => true,
        Keep::Busy => outcome == JobOutcome::Failed || items > 0,
    };
    super::alerts::sources::job_outcome(state, job.name, outcome, row.error.as_deref()).await;
    if worth_keeping {
        let stored = row.clone();
        if let Err(e) = state.db.run(move |c| db::job_runs::insert(c, &stored)).await {
            tracing::warn!(job = job.name, error = %e, "cannot record the job run");
        }
    }
    row.into()
}

/// The recorded runs of `job`, newest first.
pub async fn list(state: &AppState, job: &str, paging: Paging) -> AppResult<Page<JobRunView>> {
    let (job, req) = (job.to_string(), paging.request());
    let (rows, total) = state.db.run(move |c| db::job_runs::page(c, &job, req)).await?;
    Ok(Page::new(rows, total, req).map(JobRunView::from))
}
