//! `argus storage plan | run`, the real binary on the test's database and tiers: the plan it
//! prints is the API's, and its run is recorded like the job's.

use std::process::{Command, Output};

use argus::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::TestApp,
    retention::{camera, recording, with_lifecycle},
};

crate::matrix!(the_cli_prints_the_plan_and_runs_the_job);

/// `argus storage ARGS` with `app`'s configuration (tiers as [`with_lifecycle`] sets them).
fn argus(app: &TestApp, tiers: &tempfile::TempDir, args: &[&str]) -> Output {
    let s = &app.state.settings;
    let dir = |name: &str| format!("file://{}", tiers.path().join(name).display());
    let out = Command::new(env!("CARGO_BIN_EXE_argus"))
        .arg("storage")
        .args(args)
        .env("DATABASE_URL", &s.database_url)
        .env("ARGUS_DATA_DIR", &s.data_dir)
        .env("ARGUS_STORAGE_DIR", &s.media.storage_dir)
        .env("ARGUS_PUBLIC_RTMP_URL", "rtmp://cams.example.test:1935/live")
        .env("ARGUS_RETENTION_DAYS", "30")
        .env("ARGUS_TIER_WARM_URL", dir("warm"))
        .env("ARGUS_TIER_COLD_URL", dir("cold"))
        .env_remove("REDIS_URL")
        .output()
        .expect("argus runs");
    assert!(out.status.success(), "argus storage {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

async fn the_cli_prints_the_plan_and_runs_the_job(app: TestApp) {
    let (admin, _) = (app.admin().await, app.token_for(Role::Viewer).await);
    let cam = camera(&app, &admin, "CLI-CAM", Value::Null).await;
    let expire = recording(&app, &cam, "cli-expire", 40).await;
    let to_warm = recording(&app, &cam, "cli-warm", 10).await;
    recording(&app, &cam, "cli-fresh", 1).await;
    let (lc, tiers) = with_lifecycle(&app).await;

    let (status, api) = lc.get("/api/v1/storage/plan?limit=100", &admin).await;
    assert_eq!(status, StatusCode::OK, "{api}");
    let out = argus(&lc, &tiers, &["plan", "--json"]);
    let printed: Value = serde_json::from_slice(&out.stdout).expect("the plan as JSON on stdout");
    assert_eq!((&printed["items"], &printed["total"]), (&api["items"], &json!(2)), "the API's plan");

    let out = argus(&lc, &tiers, &["plan", "--limit", "1"]);
    let table = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(header, ["ACTION", "FROM", "TO", "REASON", "ENDED_AT", "CAMERA", "RECORDING"]);
    let first: Vec<&str> = lines[1].split_whitespace().collect();
    // Expiries come first; ENDED_AT is a date and a time.
    assert_eq!(
        (first[..4].to_vec(), first[6..].to_vec()),
        (vec!["delete", "hot", "-", "retention"], vec![cam.as_str(), expire.as_str()])
    );
    assert_eq!(lines[2], "2 action(s) planned; showing 1 (0 move(s), 1 delete(s))");

    let out = argus(&lc, &tiers, &["run", "--json"]);
    let done: Value = serde_json::from_slice(&out.stdout).expect("the run as JSON on stdout");
    assert_eq!(
        done["report"],
        json!({"moved": 1, "expired": 1, "over_quota": 0, "disk_floor": 0, "failed": 0, "repaired": 0, "swept": 0})
    );
    assert_eq!((&done["run"]["outcome"], &done["run"]["items"]), (&json!("ok"), &json!(2)));
    let (_, runs) = lc.get("/api/v1/jobs/storage/runs", &admin).await;
    assert_eq!((&runs["total"], &runs["items"][0]["id"]), (&json!(1), &done["run"]["id"]), "recorded");
    assert_eq!(lc.audit(&admin, "job.run_requested").await.len(), 1);
    let p = lc.state.storage.placement(&to_warm).await.expect("read").expect("row");
    assert_eq!(p.tier.as_str(), "warm");

    let out = argus(&lc, &tiers, &["run"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "moved 0, expired 0, repaired 0, failed 0, swept 0"
    );
}
