//! Scheduled work. Each job is a service call under a job lock (Redis when shared), so with
//! several replicas only one runs it at a time.

pub mod prune;
pub mod reconcile;
pub mod storage;

use std::{sync::Arc, time::Duration};

use clokwerk::{AsyncScheduler, TimeUnits};

use crate::{services::stream_state::StallWatch, state::AppState};

/// Runs `f` under the named lock; skipped when another replica (or a slow previous run) holds it.
pub async fn locked<F, Fut>(state: &AppState, name: &str, ttl: Duration, f: F)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(guard) = state.locks.try_acquire(name, ttl).await else {
        tracing::debug!(job = name, "skipped: lock held elsewhere");
        return;
    };
    f().await;
    state.locks.release(guard).await;
}

/// A rotation interrupted between its two steps (a kill after starting the idle recorder)
/// leaves both recorders of a camera writing: the rotation pass stops the older one. Run at
/// start so the overlap ends at once instead of at the first scheduled pass.
pub async fn recover_recorders(state: &AppState) {
    rotate_chunks(state).await
}

/// A lock for work on this node's own nginx or files: with several ingest nodes each does its
/// own, so the lock names the node.
fn node_lock(state: &AppState, job: &str) -> String {
    format!("{job}:{}", state.settings.media.node_id)
}

async fn rotate_chunks(state: &AppState) {
    let recorders = state.recorders();
    locked(state, &node_lock(state, "rotate-chunks"), Duration::from_secs(30), || recorders.rotate_due())
        .await
}

async fn file_orphans(state: &AppState) {
    let lock = node_lock(state, "ingest-orphans");
    locked(state, &lock, Duration::from_secs(120), || reconcile::orphan_recordings(state)).await
}

/// Starts the scheduler: reconciliation with nginx at start and then every 10 s for stream state
/// (stall detection needs it), every minute for orphaned recording files; tier moves hourly.
pub fn start(state: AppState) {
    let mut scheduler = AsyncScheduler::with_tz(chrono::Utc);
    let stalls = Arc::new(StallWatch::default());
    let (s, watch) = (state.clone(), stalls.clone());
    scheduler.every(10.seconds()).run(move || {
        let (s, watch) = (s.clone(), watch.clone());
        async move { reconcile::streams(&s, &watch).await }
    });
    let s = state.clone();
    scheduler.every(10.seconds()).run(move || {
        let s = s.clone();
        async move { rotate_chunks(&s).await }
    });
    let s = state.clone();
    scheduler.every(1.minute()).run(move || {
        let s = s.clone();
        async move { file_orphans(&s).await }
    });
    let s = state.clone();
    let every = u32::try_from(s.settings.security.prune_interval_secs).unwrap_or(u32::MAX);
    scheduler.every(every.seconds()).run(move || {
        let s = s.clone();
        async move { locked(&s, "prune-logs", prune::LOCK_TTL, || prune::run(&s)).await }
    });
    let s = state.clone();
    scheduler.every(1.hour()).run(move || {
        let s = s.clone();
        async move { locked(&s, "storage", storage::LOCK_TTL, || storage::run(&s)).await }
    });
    tokio::spawn(async move {
        // At start: nothing depends on hooks that were lost while Argus was down.
        reconcile::streams(&state, &stalls).await;
        file_orphans(&state).await;
        recover_recorders(&state).await;
        loop {
            scheduler.run_pending().await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
}
