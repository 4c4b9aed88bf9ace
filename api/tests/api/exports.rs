//! Clip exports over real FFmpeg-made chunks (3 × 10 s, 1 s GOP) filed as recordings: the cut
//! across chunk boundaries, its checksum, the downloads, progress on the WebSocket, cancel,
//! restart, expiry and the refusals.

use std::{path::PathBuf, process::Command, sync::OnceLock, time::Duration};

use argus::{
    db::{self, recordings::RecordingRow, schema::exports},
    domain::StorageTier,
};
use chrono::{NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{connect_ws, error_code, next_event, Backend, Options, TestApp};

crate::matrix!(
    an_export_across_two_boundaries_is_cut_checksummed_and_downloadable,
    expired_exports_are_deleted_by_the_job,
    bad_requests_are_refused_with_their_codes,
    an_unreadable_chunk_fails_the_export_with_its_error
);

/// Each test on SQLite and on MariaDB, the worker reading its input at native rate (so the
/// export is still running when the test acts on it).
macro_rules! realtime {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name(realtime_app(Backend::Sqlite).await).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() { super::$name(realtime_app(Backend::Mysql).await).await }
        }
    )*};
}

realtime!(a_running_export_reports_progress_and_can_be_cancelled, a_restart_requeues_an_interrupted_export);

async fn realtime_app(backend: Backend) -> TestApp {
    let env = vec![("ARGUS_FAILPOINTS", "export.realtime=error".to_string())];
    TestApp::spawn_with(Options { backend, redis: false, env }).await
}

const CHUNK_SECS: i64 = 10;

/// Three 10 s chunks (H.264 with a keyframe every second, AAC), made once per test binary.
fn chunk_files() -> &'static Vec<PathBuf> {
    static FILES: OnceLock<(tempfile::TempDir, Vec<PathBuf>)> = OnceLock::new();
    &FILES
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let files: Vec<PathBuf> = (0..3)
                .map(|n| {
                    let out = dir.path().join(format!("chunk-{n}.mp4"));
                    let status = Command::new("ffmpeg")
                        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
                        .arg(format!("testsrc2=size=320x240:rate=25:duration={CHUNK_SECS}"))
                        .args(["-f", "lavfi", "-i"])
                        .arg(format!("sine=frequency={}:duration={CHUNK_SECS}", 440 + n * 100))
                        .args(["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac"])
                        .args(["-movflags", "+faststart", "-shortest"])
                        .arg(&out)
                        .status()
                        .expect("ffmpeg runs");
                    assert!(status.success(), "ffmpeg made chunk {n}");
                    out
                })
                .collect();
            (dir, files)
        })
        .1
}

/// A camera with the three chunks filed back to back from `base`.
async fn camera_with_footage(app: &TestApp, admin: &str, base: NaiveDateTime) -> String {
    let serial = uuid::Uuid::new_v4().simple().to_string();
    let camera = app.create_camera(admin, &serial).await["id"].as_str().expect("id").to_string();
    for (n, file) in chunk_files().iter().enumerate() {
        let started = base + chrono::Duration::seconds(n as i64 * CHUNK_SECS);
        let row = RecordingRow {
            id: db::new_id(),
            camera_id: camera.clone(),
            started_at: started,
            ended_at: started + chrono::Duration::seconds(CHUNK_SECS),
            duration_ms: CHUNK_SECS * 1000,
            size_bytes: std::fs::metadata(file).expect("chunk").len() as i64,
            file_path: file.display().to_string(),
            source_path: format!("{}#{}", file.display(), db::new_id()),
            tier: StorageTier::Hot,
            checksum_sha256: "0".repeat(64),
            video_codec: Some("h264".into()),
            audio_codec: Some("aac".into()),
            width: Some(320),
            height: Some(240),
            bitrate_kbps: None,
            created_at: db::now(),
            legal_hold: false,
        };
        app.state.db.run(move |c| db::recordings::insert(c, &row)).await.expect("insert recording");
    }
    camera
}

fn base() -> NaiveDateTime {
    (db::now() - chrono::Duration::hours(2)).trunc_subsecs(0)
}

fn rfc(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Asks for `[base + from_s, base + to_s)`, asserting 202 and a queued export.
async fn create(
    app: &TestApp,
    token: &str,
    camera: &str,
    base: NaiveDateTime,
    from_s: i64,
    to_s: i64,
) -> Value {
    let secs = |s| rfc(base + chrono::Duration::seconds(s));
    let body = json!({"from": secs(from_s), "to": secs(to_s), "note": "loading dock"});
    let (status, export) = app.post(&format!("/api/v1/cameras/{camera}/exports"), token, body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{export}");
    assert_eq!(export["state"], "queued");
    export
}

/// Polls the export until `pred` holds (fails after 30 s).
async fn wait_for(app: &TestApp, token: &str, id: &str, pred: impl Fn(StatusCode, &Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = app.get(&format!("/api/v1/exports/{id}"), token).await;
        if pred(status, &body) {
            return body;
        }
        assert!(tokio::time::Instant::now() < deadline, "export {id} never got there: {status} {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn tool_ok(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().expect("tool runs");
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{program} {args:?} reported: {}", String::from_utf8_lossy(&out.stderr));
}

async fn an_export_across_two_boundaries_is_cut_checksummed_and_downloadable(app: TestApp) {
    let admin = app.admin().await;
    let base = base();
    let camera = camera_with_footage(&app, &admin, base).await;
    let mut ws = connect_ws(&app, &admin).await;
    // 5 s of chunk 0, all of chunk 1, 5 s of chunk 2.
    let export = create(&app, &admin, &camera, base, 5, 25).await;
    let id = export["id"].as_str().expect("id").to_string();
    assert_eq!(export["requested_by"]["type"], "user");
    assert_eq!(export["note"], "loading dock");
    let ours = |state: &'static str| {
        let id = id.clone();
        move |v: &Value| {
            v["type"] == "export.progress"
                && v["data"]["export"]["id"] == id
                && v["data"]["export"]["state"] == state
        }
    };
    next_event(&mut ws, ours("running")).await;
    let done = next_event(&mut ws, ours("done")).await["data"]["export"].clone();
    assert_eq!(done["progress_percent"], 100);

    let duration = done["duration_ms"].as_i64().expect("duration");
    assert!((duration - 20_000).abs() <= 1_000, "20 s ± one GOP, got {duration} ms");
    let url = done["download_url"].as_str().expect("download_url when done").to_string();
    assert!(url.starts_with(&format!("/api/v1/exports/{id}/download?expires=")), "{url}");

    let signed = app.client.get(app.url(&url)).send().await.expect("request");
    assert_eq!(signed.status(), StatusCode::OK);
    assert!(signed.headers()["content-disposition"].to_str().expect("ascii").contains("attachment"));
    let bytes = signed.bytes().await.expect("body").to_vec();
    assert_eq!(bytes.len() as i64, done["size_bytes"].as_i64().expect("size"));
    assert_eq!(hex::encode(Sha256::digest(&bytes)), done["checksum_sha256"].as_str().expect("checksum"));
    assert_eq!(app.get_bytes(&format!("/api/v1/exports/{id}/download"), &admin).await, bytes, "by bearer");

    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("clip.mp4");
    std::fs::write(&out, &bytes).expect("write");
    let out = out.to_str().expect("utf8");
    tool_ok("ffprobe", &["-v", "error", out]);
    tool_ok("ffmpeg", &["-v", "error", "-i", out, "-f", "null", "-"]);

    let tampered = url.replace("sig=", "sig=0");
    let (status, body) = app.call(Method::GET, &tampered, None, None).await;
    assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, "forbidden"), "{body}");
    let ranged = app.client.get(app.url(&url)).header("range", "bytes=0-99").send().await.expect("range");
    assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT);

    let (status, page) = app.get(&format!("/api/v1/exports?camera_id={camera}&state=done"), &admin).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(app.audit(&admin, "export.created").await[0]["entity_id"], id.as_str());
    assert_eq!(
        app.audit(&admin, "export.downloaded").await.len(),
        2,
        "signed link and bearer; not the range request"
    );

    let (status, _) = app.call(Method::DELETE, &format!("/api/v1/exports/{id}"), Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let file = app.state.settings.media.export_dir.join(format!("{id}.mp4"));
    assert!(!file.exists(), "the file goes with the export");
    assert_eq!(app.audit(&admin, "export.deleted").await.len(), 1);
}

async fn a_running_export_reports_progress_and_can_be_cancelled(app: TestApp) {
    let admin = app.admin().await;
    let base = base();
    let camera = camera_with_footage(&app, &admin, base).await;
    let mut ws = connect_ws(&app, &admin).await;
    let export = create(&app, &admin, &camera, base, 2, 28).await;
    let id = export["id"].as_str().expect("id").to_string();
    let progressed = next_event(&mut ws, |v| {
        let e = &v["data"]["export"];
        v["type"] == "export.progress" && e["id"] == id && e["progress_percent"].as_i64().unwrap_or(0) > 0
    })
    .await["data"]["export"]
        .clone();
    assert_eq!(progressed["state"], "running");
    assert!(progressed["eta_secs"].as_i64().is_some(), "{progressed}");
    let part = app.state.settings.media.export_dir.join(format!("{id}.mp4.part"));
    assert!(part.exists(), "FFmpeg is writing");

    let (status, _) = app.call(Method::DELETE, &format!("/api/v1/exports/{id}"), Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    wait_for(&app, &admin, &id, |s, _| s == StatusCode::NOT_FOUND).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while part.exists() {
        assert!(tokio::time::Instant::now() < deadline, "the partial file is removed once FFmpeg is stopped");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.audit(&admin, "export.deleted").await[0]["entity_id"], id.as_str());
    // The worker is free again: the next export runs.
    let next = create(&app, &admin, &camera, base, 0, 3).await;
    let next_id = next["id"].as_str().expect("id").to_string();
    wait_for(&app, &admin, &next_id, |_, b| b["state"] == "done").await;
}

async fn a_restart_requeues_an_interrupted_export(app: TestApp) {
    let admin = app.admin().await;
    let base = base();
    let camera = camera_with_footage(&app, &admin, base).await;
    let export = create(&app, &admin, &camera, base, 5, 15).await;
    let id = export["id"].as_str().expect("id").to_string();
    wait_for(&app, &admin, &id, |_, b| b["state"] == "running").await;
    // As a crash leaves it: running, claimed by a node that is gone. The restarted node (same
    // node id) re-queues and cuts it.
    let eid = id.clone();
    app.state
        .db
        .run(move |c| {
            diesel::update(exports::table.find(&eid)).set(exports::node.eq("crashed")).execute(c)?;
            Ok(())
        })
        .await
        .expect("set node");
    let restarted = app.sibling(false, vec![("ARGUS_NODE_ID", "crashed".into())]).await;
    let done = wait_for(&restarted, &admin, &id, |_, b| b["state"] == "done").await;
    let duration = done["duration_ms"].as_i64().expect("duration");
    assert!((duration - 10_000).abs() <= 1_000, "{duration}");
}

async fn expired_exports_are_deleted_by_the_job(app: TestApp) {
    let admin = app.admin().await;
    let base = base();
    let camera = camera_with_footage(&app, &admin, base).await;
    let export = create(&app, &admin, &camera, base, 0, 4).await;
    let id = export["id"].as_str().expect("id").to_string();
    let done = wait_for(&app, &admin, &id, |_, b| b["state"] == "done").await;
    let expires: chrono::DateTime<chrono::Utc> =
        done["expires_at"].as_str().expect("expires").parse().expect("time");
    let ttl = expires
        - done["finished_at"]
            .as_str()
            .expect("finished")
            .parse::<chrono::DateTime<chrono::Utc>>()
            .expect("time");
    assert_eq!(ttl, chrono::Duration::days(7), "ARGUS_EXPORT_TTL_DAYS defaults to 7");
    let file = app.state.settings.media.export_dir.join(format!("{id}.mp4"));
    assert!(file.exists());

    let (status, run) = app.call(Method::POST, "/api/v1/jobs/expire-exports/run", Some(&admin), None).await;
    assert_eq!((status, run["items"].as_i64()), (StatusCode::OK, Some(0)), "not yet expired: {run}");
    let eid = id.clone();
    let past = db::now() - chrono::Duration::seconds(1);
    app.state
        .db
        .run(move |c| {
            diesel::update(exports::table.find(&eid)).set(exports::expires_at.eq(Some(past))).execute(c)?;
            Ok(())
        })
        .await
        .expect("expire");
    let (status, run) = app.call(Method::POST, "/api/v1/jobs/expire-exports/run", Some(&admin), None).await;
    assert_eq!((status, run["items"].as_i64()), (StatusCode::OK, Some(1)), "{run}");
    let (status, _) = app.get(&format!("/api/v1/exports/{id}"), &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!file.exists(), "the file goes with the row");
    let audit = app.audit(&admin, "export.expired").await;
    assert_eq!((audit.len(), audit[0]["actor_type"].as_str()), (1, Some("system")));
}

async fn bad_requests_are_refused_with_their_codes(app: TestApp) {
    let admin = app.admin().await;
    let base = base();
    let camera = camera_with_footage(&app, &admin, base).await;
    let other = app.create_camera(&admin, &uuid::Uuid::new_v4().simple().to_string()).await;
    let other = other["id"].as_str().expect("id");
    let path = |cam: &str| format!("/api/v1/cameras/{cam}/exports");
    let secs = |s: i64| rfc(base + chrono::Duration::seconds(s));
    for (from, to) in [(10, 10), (10, 5), (0, 24 * 3600 + 1)] {
        let (status, body) =
            app.post(&path(&camera), &admin, json!({"from": secs(from), "to": secs(to)})).await;
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{from}..{to}: {body}"
        );
    }
    let (status, body) = app.post(&path(&camera), &admin, json!({"from": secs(40), "to": secs(60)})).await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "no_footage"), "{body}");
    assert!(
        body["error"]["message"].as_str().expect("message").contains(&secs(40)),
        "names the range: {body}"
    );

    let token = json!({"remark": "other only", "permissions": ["recording.read"], "camera_ids": [other]});
    let (status, created) = app.post("/api/v1/api-tokens", &admin, token).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let scoped = created["secret"].as_str().expect("secret");
    for cam in [camera.as_str(), "no-such-camera"] {
        let (status, body) = app.post(&path(cam), scoped, json!({"from": secs(0), "to": secs(5)})).await;
        assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{cam}: {body}");
    }
    let mine = create(&app, &admin, &camera, base, 0, 2).await;
    let (status, _) = app.get(&format!("/api/v1/exports/{}", mine["id"].as_str().expect("id")), scoped).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an export of a camera out of scope is not there");
    let (status, page) = app.get("/api/v1/exports", scoped).await;
    assert_eq!((status, page["total"].as_i64()), (StatusCode::OK, Some(0)));
    assert_eq!(app.audit(&admin, "export.created").await.len(), 1, "refusals create nothing");
}

mod from_a_bucket {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        an_export_of_chunks_in_a_bucket_downloads_them_first(Backend::Sqlite).await
    }
}

/// Chunks on an S3 tier (moto) are fetched to local files before the cut.
async fn an_export_of_chunks_in_a_bucket_downloads_them_first(backend: Backend) {
    let Some(s) = crate::storage::setup(backend).await else { return };
    let (app, admin) = (&s.app, &s.admin);
    let base = base();
    let camera = camera_with_footage(app, admin, base).await;
    let endpoint = std::env::var("TEST_S3_ENDPOINT").expect("set, since setup ran");
    let Some(argus::config::TierLocation::S3 { bucket, prefix }) = app.state.settings.storage.archive.clone()
    else {
        panic!("ARCHIVE is a bucket")
    };
    let bucket_url = format!("{endpoint}/{bucket}/{}", prefix.trim_matches('/'));
    let cid = camera.clone();
    let ids: Vec<String> = app
        .state
        .db
        .run(move |c| {
            Ok(argus::db::schema::recordings::table
                .filter(argus::db::schema::recordings::camera_id.eq(&cid))
                .order(argus::db::schema::recordings::started_at.asc())
                .select(argus::db::schema::recordings::id)
                .load(c)?)
        })
        .await
        .expect("ids");
    for (id, file) in ids.iter().zip(chunk_files()) {
        let key = format!("exports-test/{id}.mp4");
        let put = app.client.put(format!("{bucket_url}/{key}")).body(std::fs::read(file).expect("chunk"));
        assert!(put.send().await.expect("moto").status().is_success());
        let rid = id.clone();
        app.state
            .db
            .run(move |c| {
                use argus::db::schema::recordings;
                diesel::update(recordings::table.find(&rid))
                    .set((
                        recordings::tier.eq(StorageTier::Archive.as_str()),
                        recordings::location.eq(Some(key)),
                        recordings::file_path.eq("/nonexistent/moved-away.mp4"),
                    ))
                    .execute(c)?;
                Ok(())
            })
            .await
            .expect("move row");
    }
    let export = create(app, admin, &camera, base, 5, 25).await;
    let id = export["id"].as_str().expect("id").to_string();
    let done = wait_for(app, admin, &id, |_, b| b["state"] == "done" || b["state"] == "failed").await;
    assert_eq!(done["state"], "done", "{done}");
    let duration = done["duration_ms"].as_i64().expect("duration");
    assert!((duration - 20_000).abs() <= 1_000, "{duration}");
}

async fn an_unreadable_chunk_fails_the_export_with_its_error(app: TestApp) {
    let admin = app.admin().await;
    let base = base();
    let camera = camera_with_footage(&app, &admin, base).await;
    let cid = camera.clone();
    let broken = base + chrono::Duration::seconds(CHUNK_SECS);
    app.state
        .db
        .run(move |c| {
            use argus::db::schema::recordings;
            diesel::update(
                recordings::table
                    .filter(recordings::camera_id.eq(&cid))
                    .filter(recordings::started_at.eq(broken)),
            )
            .set(recordings::file_path.eq("/nonexistent/chunk.mp4"))
            .execute(c)?;
            Ok(())
        })
        .await
        .expect("break chunk 1");
    let export = create(&app, &admin, &camera, base, 5, 25).await;
    let id = export["id"].as_str().expect("id").to_string();
    let failed = wait_for(&app, &admin, &id, |_, b| b["state"] == "failed" || b["state"] == "done").await;
    assert_eq!(failed["state"], "failed", "{failed}");
    assert!(
        failed["error"].as_str().expect("error").contains("/nonexistent/chunk.mp4"),
        "names the file: {failed}"
    );
    assert_eq!(failed["download_url"], Value::Null);
    assert!(failed["expires_at"].is_string(), "a failed export expires too");
    let dir = &app.state.settings.media.export_dir;
    assert!(!dir.join(format!("{id}.mp4.part")).exists() && !dir.join(format!("{id}.mp4")).exists());
    let (status, body) =
        app.call(Method::GET, &format!("/api/v1/exports/{id}/download"), Some(&admin), None).await;
    assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{body}");
}
