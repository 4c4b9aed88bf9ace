//! Scheduled work. Each job is a service call run through [`crate::services::job_runs::run`]:
//! under a job lock (Redis when shared, so with several replicas only one runs it at a time),
//! timed, and recorded in `job_runs`.

pub mod catalog;
pub mod exports;
pub mod prune;
pub mod reconcile;
pub mod storage;

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use clokwerk::{AsyncScheduler, TimeUnits};

use crate::{
    config::Settings,
    error::AppResult,
    services::{
        alerts,
        job_runs::{self, Job, JobRunView, Keep},
        storage::StorageReport,
        stream_state::StallWatch,
    },
    state::AppState,
};

/// The scheduled jobs. `name` is how the API and the `job_runs` rows call them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// Stream state against this node's nginx (stall detection needs it often).
    ReconcileStreams,
    /// Cuts recording chunks that reached the recording interval.
    RotateChunks,
    /// Files recording chunks whose filing was missed or cut short.
    IngestOrphans,
    /// Log-table retention.
    PruneLogs,
    /// Tier moves and retention of recordings.
    Storage,
    /// Deletes clip exports past their expiry.
    ExpireExports,
    /// Alert checks: expected cameras gone, storage, quiet brute-force alerts.
    Health,
}

impl JobKind {
    pub const ALL: [JobKind; 7] = [
        JobKind::ReconcileStreams,
        JobKind::RotateChunks,
        JobKind::IngestOrphans,
        JobKind::PruneLogs,
        JobKind::Storage,
        JobKind::ExpireExports,
        JobKind::Health,
    ];

    pub fn name(self) -> &'static str {
        match self {
            JobKind::ReconcileStreams => "reconcile-streams",
            JobKind::RotateChunks => "rotate-chunks",
            JobKind::IngestOrphans => "ingest-orphans",
            JobKind::PruneLogs => "prune-logs",
            JobKind::Storage => "storage",
            JobKind::ExpireExports => "expire-exports",
            JobKind::Health => "health",
        }
    }

    pub fn parse(name: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn interval(self, settings: &Settings) -> Duration {
        Duration::from_secs(match self {
            JobKind::ReconcileStreams | JobKind::RotateChunks => 10,
            JobKind::IngestOrphans => 60,
            JobKind::PruneLogs => settings.security.prune_interval_secs,
            JobKind::Storage | JobKind::ExpireExports => 3600,
            JobKind::Health => 300,
        })
    }

    fn lock_ttl(self) -> Duration {
        match self {
            JobKind::ReconcileStreams | JobKind::RotateChunks => Duration::from_secs(30),
            JobKind::IngestOrphans => Duration::from_secs(120),
            JobKind::PruneLogs => prune::LOCK_TTL,
            JobKind::Storage => storage::LOCK_TTL,
            JobKind::ExpireExports => exports::LOCK_TTL,
            JobKind::Health => Duration::from_secs(240),
        }
    }

    /// Work on this node's own nginx or files: with several ingest nodes each does its own, so
    /// the lock names the node.
    fn per_node(self) -> bool {
        matches!(self, JobKind::ReconcileStreams | JobKind::RotateChunks | JobKind::IngestOrphans)
    }

    /// The frequent jobs keep only the runs that did something (see [`job_runs`]).
    fn keep(self) -> Keep {
        if self.per_node() {
            Keep::Busy
        } else {
            Keep::Every
        }
    }

    fn job(self, state: &AppState, keep: Keep) -> Job<'static> {
        let lock = match self.per_node() {
            true => format!("{}:{}", self.name(), state.settings.media.node_id),
            false => self.name().to_string(),
        };
        Job { name: self.name(), lock, lock_ttl: self.lock_ttl(), keep }
    }
}

/// The job's work; returns how many items it handled.
async fn body(state: &AppState, kind: JobKind, stalls: &StallWatch) -> AppResult<u64> {
    match kind {
        JobKind::ReconcileStreams => {
            let corrected = reconcile::streams(state, stalls).await?;
            // Right after the stream state is corrected: an alert never waits for the health job.
            if let Err(e) = alerts::offline::evaluate(state, crate::db::now()).await {
                tracing::warn!(error = %e, "camera.offline evaluation failed");
            }
            Ok(corrected)
        }
        JobKind::RotateChunks => Ok(state.recorders().rotate_due().await as u64),
        JobKind::IngestOrphans => reconcile::orphan_recordings(state).await,
        JobKind::PruneLogs => prune::run(state).await,
        JobKind::Storage => storage::run(state).await,
        JobKind::ExpireExports => exports::run(state).await,
        JobKind::Health => {
            let now = crate::db::now();
            Ok(alerts::offline::evaluate(state, now).await? + alerts::sources::check(state, now).await?)
        }
    }
}

/// One run of `kind` under its lock, recorded. `stalls` is the stream reconciliation's memory
/// between passes.
pub async fn run(state: &AppState, kind: JobKind, stalls: &StallWatch) -> JobRunView {
    run_keeping(state, kind, stalls, kind.keep()).await
}

async fn run_keeping(state: &AppState, kind: JobKind, stalls: &StallWatch, keep: Keep) -> JobRunView {
    job_runs::run(state, &kind.job(state, keep), || body(state, kind, stalls)).await
}

/// One storage run as the scheduler makes it (under the job's lock, recorded in `job_runs`),
/// with its report; `None` when it did not run (the lock was held) or failed before acting.
pub async fn run_storage(state: &AppState) -> (JobRunView, Option<StorageReport>) {
    let report = Mutex::new(None);
    let job = JobKind::Storage.job(state, Keep::Every);
    let view = job_runs::run(state, &job, || storage::run_reporting(state, &report)).await;
    (view, report.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// A rotation interrupted between its two steps (a kill after starting the idle recorder)
/// leaves both recorders of a camera writing: the rotation pass stops the older one. Run at
/// start so the overlap ends at once instead of at the first scheduled pass.
pub async fn recover_recorders(state: &AppState) {
    run(state, JobKind::RotateChunks, &StallWatch::default()).await;
}

/// Starts the scheduler: every job at its interval; stream reconciliation, orphan filing and
/// chunk rotation also at start (nothing may depend on hooks lost while Argus was down).
pub fn start(state: AppState) {
    let mut scheduler = AsyncScheduler::with_tz(chrono::Utc);
    let stalls = Arc::new(StallWatch::default());
    for kind in JobKind::ALL {
        let (s, watch) = (state.clone(), stalls.clone());
        let every = u32::try_from(kind.interval(&state.settings).as_secs()).unwrap_or(u32::MAX);
        scheduler.every(every.seconds()).run(move || {
            let (s, watch) = (s.clone(), watch.clone());
            async move {
                run(&s, kind, &watch).await;
            }
        });
    }
    tokio::spawn(async move {
        for kind in [JobKind::ReconcileStreams, JobKind::IngestOrphans, JobKind::RotateChunks] {
            run(&state, kind, &stalls).await;
        }
        loop {
            scheduler.run_pending().await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
}
