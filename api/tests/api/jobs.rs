//! The scheduled jobs over the API: runs on request, the record of runs, failures, permissions,
//! the lock, and retention of the record.

use std::time::Duration;

use argus::{
    auth::Role,
    db::{self, schema::recordings},
    jobs::{self, JobKind},
    services::{
        retention::{prune_logs, PrunePolicy},
        stream_state::StallWatch,
    },
};
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_code, insert_hot_recording, Backend, Options, TestApp};

async fn run_job(app: &TestApp, token: &str, name: &str) -> (StatusCode, Value) {
    app.call(Method::POST, &format!("/api/v1/jobs/{name}/run"), Some(token), None).await
}

async fn job(app: &TestApp, token: &str, name: &str) -> Value {
    let (status, body) = app.get("/api/v1/jobs", token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().expect("a list").iter().find(|j| j["name"] == name).cloned().expect("job listed")
}

async fn run_on_request_is_recorded_and_listed(app: TestApp) {
    let admin = app.admin().await;
    let (status, run) = run_job(&app, &admin, "storage").await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(run["job"], "storage");
    assert_eq!(run["outcome"], "ok");
    assert_eq!(run["items"], 0, "nothing to move");
    assert!(run["duration_ms"].as_i64().is_some_and(|ms| ms >= 0), "{run}");
    assert!(run["error"].is_null());

    let storage = job(&app, &admin, "storage").await;
    assert_eq!(storage["interval_secs"], 3600);
    assert_eq!(storage["last_run"]["id"], run["id"]);
    assert_eq!(storage["last_run"]["outcome"], "ok");
    assert_eq!(storage["last_run"]["duration_ms"], run["duration_ms"]);
    assert_eq!(storage["recent_runs"].as_array().map(Vec::len), Some(1));
    let next = storage["next_run_at"].as_str().expect("next run estimate");
    assert!(next > run["started_at"].as_str().expect("started_at"), "{storage}");
    let (status, all) = app.get("/api/v1/jobs", &admin).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = all.as_array().expect("list").iter().filter_map(|j| j["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "reconcile-streams",
            "rotate-chunks",
            "ingest-orphans",
            "prune-logs",
            "storage",
            "expire-exports",
            "health"
        ]
    );

    let (status, page) = app.get("/api/v1/jobs/storage/runs?limit=5", &admin).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], run["id"]);

    let audit = app.audit(&admin, "job.run_requested").await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["entity_id"], "storage");
}

/// Scheduled passes of the frequent jobs that find nothing to do are not written; one asked for
/// is.
async fn idle_frequent_runs_are_not_recorded(app: TestApp) {
    let admin = app.admin().await;
    let idle = jobs::run(&app.state, JobKind::RotateChunks, &StallWatch::default()).await;
    assert_eq!((idle.outcome.as_str(), idle.items), ("ok", 0));
    let (_, page) = app.get("/api/v1/jobs/rotate-chunks/runs", &admin).await;
    assert_eq!(page["total"], 0, "{page}");

    let (status, run) = run_job(&app, &admin, "rotate-chunks").await;
    assert_eq!(status, StatusCode::OK, "{run}");
    let (_, page) = app.get("/api/v1/jobs/rotate-chunks/runs", &admin).await;
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["items"][0]["id"], run["id"]);
}

/// A storage run whose move fails (the HOT file is gone) is recorded as failed, with the reason.
async fn a_failing_run_is_recorded_with_its_error(backend: Backend) {
    let warm = tempfile::tempdir().expect("tempdir");
    let env = vec![("ARGUS_TIER_WARM_URL", format!("file://{}", warm.path().display()))];
    let app = TestApp::spawn_with(Options { backend, redis: false, env }).await;
    let admin = app.admin().await;
    let camera = app.create_camera(&admin, "JOB-FAIL-1").await["id"].as_str().expect("id").to_string();
    let missing = app.state.settings.media.storage_dir.join(&camera).join("2026/12/01/gone.mp4");
    let id = insert_hot_recording(&app, camera, &missing, 10, "00".repeat(32)).await;
    let ended = db::now() - chrono::Duration::days(8);
    app.state
        .db
        .run(move |c| {
            diesel::update(recordings::table.find(&id)).set(recordings::ended_at.eq(ended)).execute(c)?;
            Ok(())
        })
        .await
        .expect("age the recording");

    let (status, run) = run_job(&app, &admin, "storage").await;
    assert_eq!(status, StatusCode::OK, "a failed run is still an answer: {run}");
    assert_eq!(run["outcome"], "failed");
    assert!(run["error"].as_str().is_some_and(|e| e.contains("1 of 1 moves and expiries failed")), "{run}");
    let storage = job(&app, &admin, "storage").await;
    assert_eq!(storage["last_run"]["outcome"], "failed");
    assert_eq!(storage["last_run"]["error"], run["error"]);
}

async fn only_admins_run_jobs(app: TestApp) {
    let operator = app.token_for(Role::Operator).await;
    let viewer = app.token_for(Role::Viewer).await;
    let (status, body) = run_job(&app, &operator, "storage").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(error_code(&body), "forbidden");
    let (status, _) = app.get("/api/v1/jobs", &operator).await;
    assert_eq!(status, StatusCode::OK, "operators see the jobs");
    let (status, _) = app.get("/api/v1/jobs", &viewer).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let admin = app.admin().await;
    let (_, page) = app.get("/api/v1/jobs/storage/runs", &admin).await;
    assert_eq!(page["total"], 0, "a refused request runs nothing: {page}");
}

async fn unknown_jobs_are_not_found(app: TestApp) {
    let admin = app.admin().await;
    let (status, body) = run_job(&app, &admin, "no-such-job").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(error_code(&body), "not_found");
    let (status, body) = app.get("/api/v1/jobs/no-such-job/runs", &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

/// The lock held (another replica running the job) → 409; free again → it runs.
async fn a_job_running_elsewhere_is_a_conflict(app: TestApp) {
    let admin = app.admin().await;
    let guard = app.state.locks.try_acquire("storage", Duration::from_secs(60)).await.expect("lock is free");
    let (status, body) = run_job(&app, &admin, "storage").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "conflict");
    app.state.locks.release(guard).await;
    let (status, run) = run_job(&app, &admin, "storage").await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(run["outcome"], "ok");
}

async fn old_runs_are_pruned_with_the_logs(app: TestApp) {
    let admin = app.admin().await;
    let (status, _) = run_job(&app, &admin, "prune-logs").await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = app.get("/api/v1/jobs/prune-logs/runs", &admin).await;
    assert_eq!(page["total"], 1, "{page}");

    let policy = PrunePolicy::from_settings(&app.state.settings);
    let soon = db::now() + chrono::Duration::days(i64::from(policy.job_run_days) - 1);
    assert_eq!(prune_logs(&app.state.db, soon, &policy).await.expect("prune").job_runs, 0, "still kept");
    let later = db::now() + chrono::Duration::days(i64::from(policy.job_run_days) + 1);
    let report = prune_logs(&app.state.db, later, &policy).await.expect("prune");
    assert_eq!(report.job_runs, 1);
    let (_, page) = app.get("/api/v1/jobs/prune-logs/runs", &admin).await;
    assert_eq!(page["total"], 0, "{page}");
    let pruned = app.audit(&admin, "audit.pruned").await;
    assert_eq!(pruned.first().map(|r| r["after"]["job_runs"].clone()), Some(json!(1)));
}

crate::matrix!(
    run_on_request_is_recorded_and_listed,
    idle_frequent_runs_are_not_recorded,
    only_admins_run_jobs,
    unknown_jobs_are_not_found,
    a_job_running_elsewhere_is_a_conflict,
    old_runs_are_pruned_with_the_logs,
);

mod failing_run {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        a_failing_run_is_recorded_with_its_error(Backend::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql() {
        a_failing_run_is_recorded_with_its_error(Backend::Mysql).await
    }
}
