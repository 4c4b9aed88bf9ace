//! The alert sources fed by the data plane: stream.degraded and transcoder.crash_loop from the
//! transcoder's reports, recording.failed from the ingest worker, storage.low from the health
//! check (over a fake disk).

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use argus::{db, infra::disk::DiskSpace, services::alerts::sources};
use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::{poll_until, Backend, Options, TestApp},
    streaming::{write_flv, write_frameless_flv},
};

crate::matrix!(
    a_low_quality_score_raises_stream_degraded_after_the_delay,
    transcoder_restarts_in_a_row_raise_a_crash_loop,
    a_chunk_that_cannot_be_filed_raises_recording_failed_until_one_is,
    a_chunk_without_frames_is_removed_without_an_alert,
    hot_below_its_floor_raises_storage_low_until_it_recovers
);

async fn active(app: &TestApp, admin: &str, kind: &str) -> Vec<Value> {
    let (status, page) = app.get(&format!("/api/v1/alerts?type={kind}&state=active"), admin).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().cloned().unwrap_or_default()
}

async fn a_low_quality_score_raises_stream_degraded_after_the_delay(app: TestApp) {
    let admin = app.admin().await;
    let cid = app.create_camera(&admin, "ALERT-Q").await["id"].as_str().unwrap().to_string();
    let (t0, minutes) = (db::now(), app.state.settings.alerts.degraded_minutes as i64);
    for secs in (0..minutes * 60).step_by(30) {
        sources::quality(&app.state, &cid, 20.0, t0 + TimeDelta::seconds(secs)).await;
    }
    assert!(active(&app, &admin, "stream.degraded").await.is_empty(), "not for the whole delay yet");
    sources::quality(&app.state, &cid, 20.0, t0 + TimeDelta::minutes(minutes)).await;
    sources::quality(&app.state, &cid, 25.0, t0 + TimeDelta::minutes(minutes) + TimeDelta::seconds(5)).await;
    let open = active(&app, &admin, "stream.degraded").await;
    assert_eq!(open.len(), 1);
    assert_eq!((open[0]["camera_id"].as_str(), open[0]["count"].as_i64()), (Some(cid.as_str()), Some(1)));
    sources::quality(&app.state, &cid, 90.0, t0 + TimeDelta::minutes(minutes + 1)).await;
    assert!(active(&app, &admin, "stream.degraded").await.is_empty(), "a good score resolves it");
}

async fn transcoder_restarts_in_a_row_raise_a_crash_loop(app: TestApp) {
    let admin = app.admin().await;
    let cid = app.create_camera(&admin, "ALERT-CRASH").await["id"].as_str().unwrap().to_string();
    let url =
        app.url(&format!("/api/v1/streaming/transcoder-restart?secret={}", app.state.media.hook_secret));
    let restarts = app.state.settings.alerts.crash_loop_restarts;
    for n in 1..=restarts {
        let resp = app.client.post(&url).json(&json!({"stream": cid})).send().await.expect("request");
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
        let open = active(&app, &admin, "transcoder.crash_loop").await;
        assert_eq!(open.len(), usize::from(n == restarts), "after {n} restarts: {open:?}");
    }
    let bad = app.client.post(&url).json(&json!({"stream": "../etc"})).send().await.expect("request");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    // Quality reports while restarts are recent keep it; one a window later clears it.
    let window = TimeDelta::seconds(app.state.settings.alerts.crash_loop_window_secs as i64);
    sources::quality(&app.state, &cid, 90.0, db::now()).await;
    assert_eq!(active(&app, &admin, "transcoder.crash_loop").await.len(), 1);
    sources::quality(&app.state, &cid, 90.0, db::now() + window + TimeDelta::seconds(1)).await;
    assert!(active(&app, &admin, "transcoder.crash_loop").await.is_empty());
}

/// Polls until `kind`'s active alerts number `n` (20 s at most).
async fn wait_for(app: &TestApp, admin: &str, kind: &str, n: usize) -> Vec<Value> {
    poll_until(&format!("{n} active {kind} alert(s)"), Duration::from_secs(20), || async {
        let found = active(app, admin, kind).await;
        if found.len() == n {
            Ok(found)
        } else {
            Err(format!("{found:?}"))
        }
    })
    .await
}

/// The admin's token, a new camera's id and the (created) folder nginx records into.
async fn camera_recording(app: &TestApp, serial: &str) -> (String, String, PathBuf) {
    let admin = app.admin().await;
    let cid = app.create_camera(&admin, serial).await["id"].as_str().unwrap().to_string();
    let record_dir = app.state.settings.media.record_dir.clone();
    std::fs::create_dir_all(&record_dir).expect("record dir");
    (admin, cid, record_dir)
}

async fn a_chunk_that_cannot_be_filed_raises_recording_failed_until_one_is(app: TestApp) {
    let (admin, cid, record_dir) = camera_recording(&app, "ALERT-REC").await;
    let broken = record_dir.join(format!("{cid}-1790000000.flv"));
    std::fs::write(&broken, b"this is not an flv").expect("write");
    argus::services::recordings::enqueue(&app.state, &broken.to_string_lossy()).await.expect("queued");
    let open = wait_for(&app, &admin, "recording.failed", 1).await;
    assert_eq!(open[0]["camera_id"], cid.as_str());
    assert!(open[0]["message"].as_str().unwrap().contains("could not be filed"), "{open:?}");

    let good = record_dir.join(format!("{cid}-1790000100.flv"));
    write_flv(&good, 2);
    argus::services::recordings::enqueue(&app.state, &good.to_string_lossy()).await.expect("queued");
    wait_for(&app, &admin, "recording.failed", 0).await;
}

async fn a_chunk_without_frames_is_removed_without_an_alert(app: TestApp) {
    let (admin, cid, record_dir) = camera_recording(&app, "ALERT-EMPTY").await;
    let frameless = record_dir.join(format!("{cid}-1790000000.alt.flv"));
    write_frameless_flv(&frameless);
    assert!(std::fs::metadata(&frameless).expect("written").len() > 0);
    let good = record_dir.join(format!("{cid}-1790000100.flv"));
    write_flv(&good, 2);
    // The worker files one chunk after the other: once the good one is filed, the empty one is done.
    for chunk in [&frameless, &good] {
        argus::services::recordings::enqueue(&app.state, &chunk.to_string_lossy()).await.expect("queued");
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let recordings = loop {
        let (status, page) = app.get(&format!("/api/v1/recordings?camera_id={cid}"), &admin).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        if page["total"] != 0 {
            break page;
        }
        assert!(tokio::time::Instant::now() < deadline, "the good chunk was never filed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(recordings["total"], 1, "{recordings}");
    assert!(!frameless.exists(), "the frameless chunk is removed");
    // Not even one the good chunk then resolved.
    let (status, all) = app.get("/api/v1/alerts?type=recording.failed", &admin).await;
    assert_eq!((status, &all["total"]), (StatusCode::OK, &json!(0)), "an empty chunk is no failure: {all}");
}

async fn hot_below_its_floor_raises_storage_low_until_it_recovers(app: TestApp) {
    let admin = app.admin().await;
    let mut state = app.state.clone();
    state.storage.settings.hot_min_free_percent = 10;
    state.storage.disk = Arc::new(|_: &Path| Ok(DiskSpace { total: 1000, available: 50 }));
    for _ in 0..2 {
        sources::check(&state, db::now()).await.expect("check");
    }
    let open = active(&app, &admin, "storage.low").await;
    assert_eq!(open.len(), 1, "one alert however often it is checked");
    assert_eq!(open[0]["count"], 1);
    assert!(open[0]["message"].as_str().unwrap().contains("5% free"), "{open:?}");
    state.storage.disk = Arc::new(|_: &Path| Ok(DiskSpace { total: 1000, available: 500 }));
    sources::check(&state, db::now()).await.expect("check");
    assert!(active(&app, &admin, "storage.low").await.is_empty());
}

/// A lower tier that disappears (an unmounted disk) raises storage.low for that tier; it clears
/// when the tier is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_tier_raises_storage_low_until_it_is_back() {
    let tiers = tempfile::tempdir().expect("tempdir");
    let warm = tiers.path().join("warm");
    std::fs::create_dir_all(&warm).expect("warm dir");
    let env = vec![("ARGUS_TIER_WARM_URL", format!("file://{}", warm.display()))];
    let app = TestApp::spawn_with(Options { backend: Backend::Sqlite, redis: false, env }).await;
    let admin = app.admin().await;
    // HOT exists as `argus up` creates it.
    std::fs::create_dir_all(&app.state.storage.settings.hot).expect("hot dir");
    sources::check(&app.state, db::now()).await.expect("check");
    let open = active(&app, &admin, "storage.low").await;
    assert!(open.is_empty(), "a mounted tier is fine: {open:?}");

    std::fs::remove_dir_all(&warm).expect("unmount");
    sources::check(&app.state, db::now()).await.expect("check");
    let open = active(&app, &admin, "storage.low").await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert!(open[0]["message"].as_str().unwrap().contains("storage tier warm unreachable"), "{open:?}");

    std::fs::create_dir_all(&warm).expect("mount again");
    sources::check(&app.state, db::now()).await.expect("check");
    assert!(active(&app, &admin, "storage.low").await.is_empty());
}
