//! The alert sources other than `camera.offline` ([`super::offline`]), each with its recovery:
//!
//! - `job.failed`: a job run fails → raised (subject: the job); its next successful run clears it.
//! - `auth.brute_force`: `ARGUS_BRUTE_FORCE_THRESHOLD` failed logins within
//!   `ARGUS_BRUTE_FORCE_WINDOW_SECS` from one address (`login:<ip>`) or for one user
//!   (`user:<name>`), counted in the rate limiter's counters (Redis when shared); cleared by the
//!   `health` job once a window passes without another.
//! - `recording.failed`: a recorder did not start, or a chunk could not be filed (subject: the
//!   camera); cleared when a chunk of that camera is filed.
//! - `storage.low`: HOT's free space below `ARGUS_HOT_MIN_FREE_PERCENT` (subject `hot`), or a
//!   tier unreachable (`tier:<name>`); checked and cleared by the `health` job.
//! - `stream.degraded`: quality score below `ARGUS_DEGRADED_SCORE` for `ARGUS_DEGRADED_MINUTES`;
//!   cleared by a good score, or when the camera stops streaming.
//! - `transcoder.crash_loop`: `ARGUS_CRASH_LOOP_RESTARTS` FFmpeg restarts within
//!   `ARGUS_CRASH_LOOP_WINDOW_SECS`; cleared by a quality report once a window passed without one.
//!
//! A source never fails what it watches: an alert that cannot be written is logged.

use chrono::{NaiveDateTime, TimeDelta};

use super::{clear, memory::Quality, raise, write, Count, Signal, SYSTEM};
use crate::{
    config::TierLocation,
    db,
    domain::{AlertKind, AlertSeverity, JobOutcome, StorageTier},
    error::AppResult,
    state::AppState,
};

fn logged<T>(what: &str, result: AppResult<T>) {
    if let Err(e) = result {
        tracing::warn!(error = %e, source = what, "alert not written");
    }
}

fn secs(n: u64) -> TimeDelta {
    TimeDelta::seconds(i64::try_from(n).unwrap_or(i64::MAX / 1000))
}

fn signal(
    kind: AlertKind,
    severity: AlertSeverity,
    camera_id: Option<&str>,
    subject: String,
    message: String,
) -> Signal {
    Signal { kind, severity, camera_id: camera_id.map(str::to_string), subject, message }
}

/// `job.failed` from a run's outcome.
pub async fn job_outcome(state: &AppState, job: &str, outcome: JobOutcome, error: Option<&str>) {
    match outcome {
        JobOutcome::Failed => {
            let message = format!("job {job} failed: {}", error.unwrap_or("unknown error"));
            let s = signal(AlertKind::JobFailed, AlertSeverity::Warning, None, job.to_string(), message);
            logged("job.failed", raise(state, s).await);
        }
        JobOutcome::Ok => logged("job.failed", clear(state, AlertKind::JobFailed, job, SYSTEM).await),
        JobOutcome::Skipped => {}
    }
}

/// `auth.brute_force`: one failed login from `ip` for `username`.
pub async fn login_failed(state: &AppState, ip: Option<&str>, username: &str) {
    let cfg = &state.settings.alerts;
    let ip = ip.unwrap_or("unknown");
    // Bounded: the name is the caller's, and the subject is a key.
    let user: String = username.to_lowercase().chars().take(200).collect();
    for (subject, what) in
        [(format!("login:{ip}"), format!("from {ip}")), (format!("user:{user}"), format!("for user {user}"))]
    {
        // Over `threshold - 1` = at least `threshold` failures within the window.
        let limit = cfg.brute_force_threshold.saturating_sub(1);
        let decision =
            state.limiter.hit(&format!("alert:{subject}"), limit, cfg.brute_force_window_secs).await;
        if decision.allowed {
            continue;
        }
        let message = format!(
            "{} or more failed logins {what} within {} s",
            cfg.brute_force_threshold, cfg.brute_force_window_secs
        );
        let s = signal(AlertKind::AuthBruteForce, AlertSeverity::Warning, None, subject, message);
        logged("auth.brute_force", raise(state, s).await);
    }
}

/// `recording.failed` of a camera (`what` went wrong).
pub async fn recording_failed(state: &AppState, camera_id: &str, what: &str) {
    let s = signal(
        AlertKind::RecordingFailed,
        AlertSeverity::Critical,
        Some(camera_id),
        camera_id.to_string(),
        what.to_string(),
    );
    logged("recording.failed", raise(state, s).await);
}

/// Raises `recording.failed` if the recorder start behind `started` fails.
pub fn watch_recorder(state: &AppState, camera_id: String, started: tokio::task::JoinHandle<bool>) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Ok(false) = started.await {
            recording_failed(
                &state,
                &camera_id,
                "the recorder did not start: nginx does not know the stream",
            )
            .await;
        }
    });
}

/// A chunk of the camera was filed: its recording works again.
pub async fn recording_filed(state: &AppState, camera_id: &str) {
    logged("recording.failed", clear(state, AlertKind::RecordingFailed, camera_id, SYSTEM).await);
}

/// `stream.degraded` from one quality score of a live camera.
pub async fn quality(state: &AppState, camera_id: &str, score: f64, now: NaiveDateTime) {
    let cfg = &state.settings.alerts;
    let after = secs(cfg.degraded_minutes.saturating_mul(60));
    match state.alert_memory.quality(camera_id, score, cfg.degraded_score, after, now) {
        Quality::Nothing => {}
        Quality::Recovered => {
            logged("stream.degraded", clear(state, AlertKind::StreamDegraded, camera_id, SYSTEM).await)
        }
        Quality::Degraded(since) => {
            let message = format!(
                "stream quality below {} for {} minutes (now {score:.0})",
                cfg.degraded_score, cfg.degraded_minutes
            );
            let s = signal(
                AlertKind::StreamDegraded,
                AlertSeverity::Warning,
                Some(camera_id),
                camera_id.into(),
                message,
            );
            logged("stream.degraded", write(state, s, Count::Observed(1, since), now).await);
        }
    }
    let window = secs(cfg.crash_loop_window_secs);
    if !state.alert_memory.restarted_within(camera_id, window, now) {
        logged(
            "transcoder.crash_loop",
            clear(state, AlertKind::TranscoderCrashLoop, camera_id, SYSTEM).await,
        );
    }
}

/// `transcoder.crash_loop`: the camera's transcoder restarted FFmpeg at `now`.
pub async fn transcoder_restarted(state: &AppState, camera_id: &str, now: NaiveDateTime) {
    let cfg = &state.settings.alerts;
    let n = state.alert_memory.restart(camera_id, secs(cfg.crash_loop_window_secs), now);
    if (n as u64) < cfg.crash_loop_restarts {
        return;
    }
    let message = format!("transcoder restarted FFmpeg {n} times within {} s", cfg.crash_loop_window_secs);
    let s = signal(
        AlertKind::TranscoderCrashLoop,
        AlertSeverity::Warning,
        Some(camera_id),
        camera_id.into(),
        message,
    );
    logged("transcoder.crash_loop", raise(state, s).await);
}

/// The `health` job's checks besides `camera.offline`: storage, and brute-force alerts whose
/// window passed quietly. Returns how many alerts changed.
pub async fn check(state: &AppState, now: NaiveDateTime) -> AppResult<u64> {
    let mut changed = storage(state).await?;
    let quiet = now - secs(state.settings.alerts.brute_force_window_secs);
    let bursts = state.db.run(|c| db::alerts::active_of_kind(c, AlertKind::AuthBruteForce)).await?;
    for alert in bursts.into_iter().filter(|a| a.last_seen < quiet) {
        changed +=
            u64::from(clear(state, AlertKind::AuthBruteForce, &alert.subject, SYSTEM).await?.is_some());
    }
    Ok(changed)
}

/// How long a tier may take to answer the health probe.
const TIER_PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// `storage.low`: HOT below its free floor, or a tier that does not answer.
async fn storage(state: &AppState) -> AppResult<u64> {
    let settings = &state.storage.settings;
    let mut problems: Vec<(String, Option<String>)> = Vec::new();
    let (disk, hot) = (state.storage.disk.clone(), settings.hot.clone());
    let floor = settings.hot_min_free_percent;
    let space = tokio::task::spawn_blocking(move || disk(&hot)).await;
    let low = match space {
        Ok(Ok(s)) if floor > 0 && u128::from(s.available) * 100 < u128::from(s.total) * u128::from(floor) => {
            let percent = (s.available * 100).checked_div(s.total).unwrap_or(0);
            Some(format!("HOT has {percent}% free, below the {floor}% floor"))
        }
        Ok(Ok(_)) => None,
        Ok(Err(e)) => Some(format!("HOT storage unreachable: {e}")),
        Err(e) => Some(format!("HOT storage unreachable: {e}")),
    };
    problems.push(("hot".into(), low));
    for tier in [StorageTier::Warm, StorageTier::Cold, StorageTier::Archive] {
        let Some(location) = settings.location(tier) else { continue };
        let broken = match &location {
            TierLocation::Local(dir) => tokio::fs::metadata(dir).await.err().map(|e| e.to_string()),
            // object_store retries a refused connection for minutes: the probe gives up sooner.
            TierLocation::S3 { .. } => match state.storage.tiers.get(tier) {
                Some(store) => {
                    let key = object_store::path::Path::from(".argus-health");
                    let probe = store.head(&key);
                    match tokio::time::timeout(TIER_PROBE_TIMEOUT, probe).await {
                        Ok(answer) => answer.err().map(|e| e.message),
                        Err(_) => Some(format!("no answer within {} s", TIER_PROBE_TIMEOUT.as_secs())),
                    }
                }
                None => Some("not opened".into()),
            },
        };
        problems
            .push((format!("tier:{tier}"), broken.map(|e| format!("storage tier {tier} unreachable: {e}"))));
    }
    let mut changed = 0;
    for (subject, problem) in problems {
        let outcome = match problem {
            Some(message) => {
                let s = signal(AlertKind::StorageLow, AlertSeverity::Critical, None, subject, message);
                write(state, s, Count::Observed(1, db::now()), db::now()).await?.1
                    != super::Outcome::Unchanged
            }
            None => clear(state, AlertKind::StorageLow, &subject, SYSTEM).await?.is_some(),
        };
        changed += u64::from(outcome);
    }
    Ok(changed)
}
