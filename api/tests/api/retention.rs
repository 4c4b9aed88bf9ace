//! Retention: the storage run deletes footage older than its camera's `retention_days`, or else
//! `ARGUS_RETENTION_DAYS` (unset = forever), row and object in whichever tier, audited.
//! Ages are set by editing `ended_at`. Local tiers only.

use argus::{
    db::{self, schema::recordings},
    infra::failpoints::FailPoints,
    services::storage::{Storage, StorageReport},
};
use chrono::Duration;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{error_code, insert_hot_recording, TestApp};

crate::matrix!(
    retention_expires_footage_and_a_camera_overrides_the_global_setting,
    an_expiry_cut_short_after_the_row_is_deleted_is_finished_by_the_next_run
);

pub(crate) async fn camera(app: &TestApp, admin: &str, serial: &str, retention_days: Value) -> String {
    let body = json!({"name": serial, "serial_number": serial, "retention_days": retention_days});
    let (status, cam) = app.post("/api/v1/cameras", admin, body).await;
    assert_eq!(status, StatusCode::CREATED, "{cam}");
    assert_eq!(cam["retention_days"], retention_days, "shown in the camera view");
    cam["id"].as_str().expect("camera id").to_string()
}

pub(crate) async fn set_retention(
    app: &TestApp,
    admin: &str,
    camera: &str,
    days: Value,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/cameras/{camera}");
    app.call(Method::PATCH, &path, Some(admin), Some(json!({ "retention_days": days }))).await
}

/// A recording of `camera` on HOT that ended `days` ago.
pub(crate) async fn recording(app: &TestApp, camera: &str, name: &str, days: i64) -> String {
    let file =
        app.state.settings.media.storage_dir.join(camera).join("2026/12/01").join(format!("{name}.mp4"));
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    let bytes = name.as_bytes().repeat(100);
    std::fs::write(&file, &bytes).expect("write recording");
    let checksum = hex::encode(Sha256::digest(&bytes));
    let id = insert_hot_recording(app, camera.to_string(), &file, bytes.len() as i64, checksum).await;
    age(app, &id, days).await;
    id
}

pub(crate) async fn age(app: &TestApp, id: &str, days: i64) {
    let (id, ended) = (id.to_string(), db::now() - Duration::days(days));
    let set = move |c: &mut db::DbConn| {
        diesel::update(recordings::table.find(&id)).set(recordings::ended_at.eq(ended)).execute(c)?;
        Ok(())
    };
    app.state.db.run(set).await.expect("set ended_at");
}

pub(crate) async fn run(app: &TestApp) -> StorageReport {
    app.state.storage.run(db::now()).await.expect("storage run")
}

/// Whether the recording's row exists; `file` is where its object is (or was), and exists
/// exactly as long as the row does.
pub(crate) async fn kept(app: &TestApp, id: &str, file: &std::path::Path) -> bool {
    let row = app.state.storage.placement(id).await.expect("read").is_some();
    assert_eq!(row, file.exists(), "row and object go together ({id})");
    row
}

/// The same database and data as `app`, restarted with `ARGUS_RETENTION_DAYS=30` and WARM and
/// COLD tiers: the directories `warm/` and `cold/` in the returned temporary directory.
pub(crate) async fn with_lifecycle(app: &TestApp) -> (TestApp, tempfile::TempDir) {
    let tiers = tempfile::tempdir().expect("tempdir");
    let dir = |name: &str| format!("file://{}", tiers.path().join(name).display());
    let env = vec![
        ("ARGUS_RETENTION_DAYS", "30".to_string()),
        ("ARGUS_TIER_WARM_URL", dir("warm")),
        ("ARGUS_TIER_COLD_URL", dir("cold")),
    ];
    (app.sibling(false, env).await, tiers)
}

/// Where a recording moved to `tier` (a directory of [`with_lifecycle`]'s) is.
pub(crate) async fn moved_file(
    app: &TestApp,
    tiers: &tempfile::TempDir,
    id: &str,
    tier: &str,
) -> std::path::PathBuf {
    let p = app.state.storage.placement(id).await.expect("read").expect("row");
    assert_eq!(p.tier.as_str(), tier);
    tiers.path().join(tier).join(p.location.expect("moved"))
}

pub(crate) async fn hot_file(app: &TestApp, id: &str) -> std::path::PathBuf {
    app.state.storage.placement(id).await.expect("read").expect("row").file_path.into()
}

async fn retention_expires_footage_and_a_camera_overrides_the_global_setting(app: TestApp) {
    let admin = app.admin().await;
    for bad in [json!(0), json!(3651), json!(-3)] {
        let body = json!({"name": "bad", "serial_number": "RET-BAD", "retention_days": bad});
        let (status, err) = app.post("/api/v1/cameras", &admin, body).await;
        assert_eq!(
            (status, error_code(&err)),
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            "{bad}"
        );
    }
    let global = camera(&app, &admin, "RET-GLOBAL", Value::Null).await;
    let long = camera(&app, &admin, "RET-LONG", Value::Null).await;
    let short = camera(&app, &admin, "RET-SHORT", json!(5)).await;
    let (status, err) = set_retention(&app, &admin, &long, json!(3651)).await;
    assert_eq!((status, error_code(&err)), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    // JSON Schema's `integer` includes 90.0; a fraction is no number of days.
    let (status, err) = set_retention(&app, &admin, &long, json!(90.5)).await;
    assert_eq!((status, error_code(&err)), (StatusCode::BAD_REQUEST, "bad_request"), "{err}");
    let (status, cam) = set_retention(&app, &admin, &long, json!(90.0)).await;
    assert_eq!((status, &cam["retention_days"]), (StatusCode::OK, &json!(90)), "{cam}");

    let global_old = recording(&app, &global, "global-old", 40).await;
    let global_new = recording(&app, &global, "global-new", 10).await;
    let long_old = recording(&app, &long, "long-old", 40).await;
    let short_old = recording(&app, &short, "short-old", 6).await;
    let short_new = recording(&app, &short, "short-new", 1).await;
    let mut files = std::collections::HashMap::new();
    for id in [&global_old, &global_new, &long_old, &short_old, &short_new] {
        files.insert(id.clone(), hot_file(&app, id).await);
    }

    // No ARGUS_RETENTION_DAYS: kept forever, except where the camera says otherwise.
    let report = run(&app).await;
    assert_eq!((report.expired, report.failed), (1, 0));
    assert!(!kept(&app, &short_old, &files[&short_old]).await, "past its camera's 5 days");
    for id in [&global_old, &global_new, &long_old, &short_new] {
        assert!(kept(&app, id, &files[id]).await);
    }

    // The same data with a global 30 days (and lower tiers): the camera's 90 days still win.
    let (configured, tiers) = with_lifecycle(&app).await;
    let report = run(&configured).await;
    assert_eq!((report.expired, report.moved, report.failed), (1, 2, 0), "{report:?}");
    assert!(!kept(&app, &global_old, &files[&global_old]).await, "past the global 30 days");
    let long_in_cold = moved_file(&app, &tiers, &long_old, "cold").await;
    assert!(kept(&app, &long_old, &long_in_cold).await, "the camera keeps 90 days (moved to COLD)");
    let in_warm = moved_file(&app, &tiers, &global_new, "warm").await;
    assert!(kept(&app, &global_new, &in_warm).await);

    // Expiry deletes the object in whichever tier it is; back to the global setting with null.
    age(&app, &global_new, 31).await;
    let (status, cam) = set_retention(&app, &admin, &long, Value::Null).await;
    assert_eq!((status, &cam["retention_days"]), (StatusCode::OK, &Value::Null), "{cam}");
    let report = run(&configured).await;
    assert_eq!((report.expired, report.failed), (2, 0), "{report:?}");
    assert!(!kept(&app, &global_new, &in_warm).await, "the WARM object went with the row");
    assert!(!kept(&app, &long_old, &long_in_cold).await);
    assert!(kept(&app, &short_new, &files[&short_new]).await);

    let expired = app.audit(&admin, "recording.expired").await;
    let mut audited: Vec<(String, i64)> = expired
        .iter()
        .map(|e| {
            assert_eq!(e["actor_type"], "system");
            (e["entity_id"].as_str().unwrap().to_string(), e["after"]["retention_days"].as_i64().unwrap())
        })
        .collect();
    audited.sort();
    let mut want = vec![(short_old, 5), (global_old, 30), (global_new.clone(), 30), (long_old, 30)];
    want.sort();
    assert_eq!(audited, want);
    assert_eq!(
        expired.iter().find(|e| e["entity_id"] == global_new.as_str()).unwrap()["before"]["tier"],
        "warm"
    );
}

/// The row is deleted and its object queued, then the run fails before deleting the object (as a
/// crash there would): the next run deletes it, so no object is left without a row.
async fn an_expiry_cut_short_after_the_row_is_deleted_is_finished_by_the_next_run(app: TestApp) {
    let admin = app.admin().await;
    let cam = camera(&app, &admin, "RET-CUT", json!(5)).await;
    let id = recording(&app, &cam, "cut-old", 6).await;
    let file = hot_file(&app, &id).await;
    let failpoints = FailPoints::parse("storage.expire_row_deleted=error").expect("valid");
    let cut = Storage { failpoints, ..app.state.storage.clone() };
    assert_eq!(cut.run(db::now()).await.expect("storage run").failed, 1);
    assert!(app.state.storage.placement(&id).await.expect("read").is_none(), "the row is gone");
    assert!(file.exists(), "its object is not yet deleted");
    let report = run(&app).await;
    assert_eq!((report.repaired, report.expired, report.failed), (1, 0, 0), "{report:?}");
    assert!(!file.exists(), "the queued object is deleted by the next run");
}
