//! The hook endpoints as nginx calls them, the WebSocket feed, playback URLs and recording
//! ingestion — without nginx (the end-to-end suite runs the real one).

use std::time::Duration;

use argus::auth::Role;
use futures_util::SinkExt;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{connect_ws, insert_hot_recording, next_event, status_event, Backend, TestApp};

crate::matrix!(
    publish_renames_to_camera_id_and_goes_online_live,
    update_drops_deactivated_or_rekeyed_cameras,
    second_publisher_on_a_live_key_does_not_end_the_first,
    websocket_only_shows_cameras_in_scope,
    record_done_files_a_playable_mp4_once,
    a_burst_of_publishes_is_written_completely,
);

pub async fn hook(app: &TestApp, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let url = app.url(&format!("/api/v1/streaming/{name}?secret={}", app.state.media.hook_secret));
    app.client.post(url).form(form).send().await.expect("hook request")
}

pub fn publish_form<'a>(key: &'a str, client: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("app", "live"),
        ("flashver", "FMLE/3.0"),
        ("addr", "10.0.0.5"),
        ("clientid", client),
        ("call", "publish"),
        ("name", key),
        ("type", "live"),
    ]
}

/// Cameras reconnecting together (after an outage) reach the writer as one batch, which is
/// written with bulk statements: every session, status and audit entry must land.
async fn a_burst_of_publishes_is_written_completely(app: TestApp) {
    let admin = app.admin().await;
    let mut cameras = Vec::new();
    for i in 0..40 {
        let cam = app.create_camera(&admin, &format!("BURST-{i}")).await;
        cameras
            .push((cam["id"].as_str().unwrap().to_string(), cam["stream_key"].as_str().unwrap().to_string()));
    }
    let replies = futures_util::future::join_all(cameras.iter().enumerate().map(|(i, (_, key))| {
        let client = (500 + i).to_string();
        let app = &app;
        async move { hook(app, "auth", &publish_form(key, &client)).await.status() }
    }))
    .await;
    assert!(replies.iter().all(|s| *s == StatusCode::FOUND), "{replies:?}");
    let started = std::time::Instant::now();
    loop {
        let (_, page) = app.get("/api/v1/cameras?stream_status=online&limit=100", &admin).await;
        if page["total"] == 40 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "not all online: {}", page["total"]);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.audit(&admin, "stream.published").await.len(), 40);
    // Each publisher has its own session: ending one takes exactly its camera offline.
    let (first, _) = &cameras[0];
    hook(&app, "publish-done", &[("app", "live"), ("name", "stale-key"), ("clientid", "500")]).await;
    let started = std::time::Instant::now();
    loop {
        let (_, page) = app.get("/api/v1/cameras?stream_status=online&limit=100", &admin).await;
        let online: Vec<&str> =
            page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        if online.len() == 39 {
            assert!(!online.contains(&first.as_str()));
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{} online", online.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn publish_renames_to_camera_id_and_goes_online_live(app: TestApp) {
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "LIVE-1").await;
    let (id, key) = (cam["id"].as_str().unwrap(), cam["stream_key"].as_str().unwrap());
    let mut ws = connect_ws(&app, &admin).await;

    let resp = hook(&app, "auth", &publish_form(key, "11")).await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert_eq!(resp.headers()["location"], id, "the stream is renamed to the camera id");
    let event = next_event(&mut ws, status_event(id, "online")).await;
    assert!(event["data"]["last_seen_at"].is_string());
    let (_, now) = app.get(&format!("/api/v1/cameras/{id}"), &admin).await;
    assert_eq!(now["stream_status"], "online");
    let stats = next_event(&mut ws, |v| v["type"] == "stats.updated").await;
    assert_eq!(stats["data"]["stats"]["online"], 1);

    let resp = hook(&app, "auth", &publish_form("not-a-key", "12")).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = hook(&app, "auth", &[("app", "other"), ("name", key), ("clientid", "13")]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "only the live application accepts cameras");

    let resp = hook(
        &app,
        "publish-done",
        &[("app", "live"), ("call", "publish_done"), ("name", key), ("clientid", "11")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    next_event(&mut ws, status_event(id, "offline")).await;
    let log = app.audit(&admin, "stream.published").await;
    assert_eq!(log[0]["entity_id"], id);
    assert_eq!(log[0]["ip"], "10.0.0.5");
    assert!(
        !serde_json::to_string(&app.audit(&admin, "stream.publish_refused").await)
            .unwrap()
            .contains("not-a-key"),
        "presented keys are not stored"
    );
}

async fn update_drops_deactivated_or_rekeyed_cameras(app: TestApp) {
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "UPD-1").await;
    let (id, key) = (cam["id"].as_str().unwrap(), cam["stream_key"].as_str().unwrap());
    assert_eq!(hook(&app, "auth", &publish_form(key, "21")).await.status(), StatusCode::FOUND);
    let update = |k: &str| {
        vec![
            ("app", "live".to_string()),
            ("call", "update_publish".into()),
            ("name", k.to_string()),
            ("clientid", "21".into()),
            ("time", "10".into()),
            ("timestamp", "10000".into()),
        ]
    };
    let to_pairs =
        |v: &Vec<(&'static str, String)>| v.iter().map(|(a, b)| (*a, b.clone())).collect::<Vec<_>>();
    let send = |form: Vec<(&'static str, String)>| {
        let url = app.url(&format!("/api/v1/streaming/update?secret={}", app.state.media.hook_secret));
        let client = app.client.clone();
        async move { client.post(url).form(&form).send().await.unwrap().status() }
    };
    assert_eq!(send(to_pairs(&update(key))).await, StatusCode::OK);
    // The internal relay's updates are accepted without a camera.
    let relay = vec![
        ("app", String::new()),
        ("flashver", "ngx-local-relay".into()),
        ("call", "update_publish".into()),
        ("name", id.to_string()),
    ];
    assert_eq!(send(relay).await, StatusCode::OK);

    app.post(&format!("/api/v1/cameras/{id}/deactivate"), &admin, json!({})).await;
    assert_eq!(send(to_pairs(&update(key))).await, StatusCode::FORBIDDEN, "deactivated: nginx drops it");
    assert_eq!(hook(&app, "auth", &publish_form(key, "22")).await.status(), StatusCode::FORBIDDEN);
    app.post(&format!("/api/v1/cameras/{id}/activate"), &admin, json!({})).await;
    assert_eq!(send(to_pairs(&update(key))).await, StatusCode::OK);
    let (_, rotated) = app.post(&format!("/api/v1/cameras/{id}/rotate-key"), &admin, json!({})).await;
    assert_eq!(send(to_pairs(&update(key))).await, StatusCode::FORBIDDEN, "old key: dropped");
    assert_eq!(send(to_pairs(&update(rotated["stream_key"].as_str().unwrap()))).await, StatusCode::OK);
}

async fn second_publisher_on_a_live_key_does_not_end_the_first(app: TestApp) {
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "DUPPUB-1").await;
    let (id, key) = (cam["id"].as_str().unwrap(), cam["stream_key"].as_str().unwrap());
    let mut ws = connect_ws(&app, &admin).await;
    assert_eq!(hook(&app, "auth", &publish_form(key, "31")).await.status(), StatusCode::FOUND);
    next_event(&mut ws, status_event(id, "online")).await;
    // nginx accepts the hook for a second publisher, refuses it itself, then reports it done.
    assert_eq!(hook(&app, "auth", &publish_form(key, "32")).await.status(), StatusCode::FOUND);
    hook(&app, "publish-done", &[("app", "live"), ("name", key), ("clientid", "32")]).await;
    // Once the writer has applied the second one's end (its audit entry commits with it), the
    // first publisher still counts.
    let started = std::time::Instant::now();
    while !app.audit(&admin, "stream.ended").await.iter().any(|e| e["after"]["client_id"] == "32") {
        assert!(started.elapsed() < Duration::from_secs(10), "publish_done of client 32 never applied");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, ended) = app.get(&format!("/api/v1/audit-logs?action=stream.ended&entity_id={id}"), &admin).await;
    assert_eq!(ended["items"][0]["after"]["camera_offline"], false, "{ended}");
    let (_, now) = app.get(&format!("/api/v1/cameras/{id}"), &admin).await;
    assert_eq!(now["stream_status"], "online");
    hook(&app, "publish-done", &[("app", "live"), ("name", key), ("clientid", "31")]).await;
    next_event(&mut ws, status_event(id, "offline")).await;
}

async fn websocket_only_shows_cameras_in_scope(app: TestApp) {
    let admin = app.admin().await;
    let a = app.create_camera(&admin, "WS-A").await;
    let b = app.create_camera(&admin, "WS-B").await;
    let (_, token) = app
        .post(
            "/api/v1/api-tokens",
            &admin,
            json!({"remark": "scoped", "permissions": ["camera.read"], "camera_ids": [a["id"]]}),
        )
        .await;
    let mut scoped = connect_ws(&app, token["secret"].as_str().unwrap()).await;
    let mut viewer = connect_ws(&app, &app.token_for(Role::Viewer).await).await;
    // The viewer narrows its own subscription to camera B.
    viewer
        .send(Message::Text(json!({"type": "subscribe", "camera_ids": [b["id"]]}).to_string().into()))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    for cam in [&b, &a] {
        hook(
            &app,
            "auth",
            &publish_form(cam["stream_key"].as_str().unwrap(), cam["serial_number"].as_str().unwrap()),
        )
        .await;
    }
    let first = next_event(&mut scoped, |v| v["type"] == "camera.status").await;
    assert_eq!(first["data"]["camera_id"], a["id"], "B's event never reaches a token scoped to A");
    let first = next_event(&mut viewer, |v| v["type"] == "camera.status").await;
    assert_eq!(first["data"]["camera_id"], b["id"], "A's event is outside the viewer's subscription");
    let (status, _) = app.call(reqwest::Method::GET, "/api/v1/ws?access_token=nope", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

pub fn write_flv(path: &std::path::Path, seconds: u32) {
    write_test_flv(path, &["-t", &seconds.to_string()]);
}

/// What nginx leaves when the publisher stops before a new chunk's first keyframe: the FLV
/// header, `onMetaData` and the codec configuration, no frame (FFmpeg: "dimensions not set").
pub fn write_frameless_flv(path: &std::path::Path) {
    write_test_flv(path, &["-frames:v", "0", "-frames:a", "0"]);
}

/// H.264 + AAC test pattern and tone into an FLV, as long as `limit` says.
fn write_test_flv(path: &std::path::Path, limit: &[&str]) {
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25"])
        .args(["-f", "lavfi", "-i", "sine=frequency=440"])
        .args(limit)
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-f", "flv"])
        .arg(path)
        .status()
        .expect("ffmpeg must be installed (deploy/install-deps.sh)");
    assert!(status.success());
}

async fn record_done_files_a_playable_mp4_once(app: TestApp) {
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "REC-A").await;
    let id = cam["id"].as_str().unwrap();
    let record_dir = app.state.settings.media.record_dir.clone();
    std::fs::create_dir_all(&record_dir).unwrap();
    let epoch = 1_790_000_000;
    let flv = record_dir.join(format!("{id}-{epoch}.flv"));
    write_flv(&flv, 3);
    let copy = app.state.settings.data_dir.join("copy.flv");
    std::fs::copy(&flv, &copy).unwrap();
    let mut ws = connect_ws(&app, &admin).await;

    // Paths outside the recording directory are refused (and nothing is touched).
    let outside = app.state.settings.data_dir.join("outside.flv");
    write_flv(&outside, 1);
    let escape = record_dir.join("escape.flv");
    std::os::unix::fs::symlink(&outside, &escape).unwrap();
    for bad in [
        outside.display().to_string(),
        format!("{}/../outside.flv", record_dir.display()),
        escape.display().to_string(),
        "/etc/passwd".into(),
    ] {
        let resp =
            hook(&app, "record-done", &[("app", "live"), ("call", "record_done"), ("path", &bad)]).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    assert!(outside.exists());

    let path = flv.display().to_string();
    assert_eq!(
        hook(
            &app,
            "record-done",
            &[("app", "live"), ("call", "record_done"), ("name", "secret-key"), ("path", &path)]
        )
        .await
        .status(),
        StatusCode::OK
    );
    let event = next_event(&mut ws, |v| v["type"] == "recording.created").await;
    let rec = &event["data"]["recording"];
    assert_eq!(rec["camera_id"], id);
    let duration = rec["duration_ms"].as_i64().unwrap();
    assert!((2500..=3500).contains(&duration), "duration {duration} ms for a 3 s clip");
    assert_eq!(rec["started_at"], "2026-09-21T14:13:20Z");
    assert_eq!(
        (rec["width"].as_i64(), rec["video_codec"].as_str(), rec["tier"].as_str()),
        (Some(320), Some("h264"), Some("hot"))
    );

    // The same chunk reported again (an nginx retry, or a kill before ingest removed the FLV)
    // reaches the dedup, which only removes the leftover: no second row.
    std::fs::copy(&copy, &flv).unwrap();
    let again = hook(&app, "record-done", &[("app", "live"), ("path", &path)]).await;
    assert_eq!(again.status(), StatusCode::OK);
    let started = std::time::Instant::now();
    while flv.exists() {
        assert!(started.elapsed() < Duration::from_secs(10), "the repeated chunk was never handled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, list) = app.get(&format!("/api/v1/recordings?camera_id={id}"), &admin).await;
    assert_eq!(list["total"], 1);

    let rid = rec["id"].as_str().unwrap();
    let bytes = app.get_bytes(&format!("/api/v1/recordings/{rid}/download"), &admin).await;
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), rec["checksum_sha256"].as_str().unwrap());
    let find = |atom: &[u8]| bytes.windows(4).position(|w| w == atom).unwrap();
    assert!(find(b"moov") < find(b"mdat"), "faststart: the index comes first");
    let ranged = app
        .client
        .get(app.url(&format!("/api/v1/recordings/{rid}/stream?access_token={admin}")))
        .header("Range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(ranged.bytes().await.unwrap().len(), 100);
    let (_, filtered) =
        app.get(&format!("/api/v1/recordings?min_duration_s=10&camera_id={id}"), &admin).await;
    assert_eq!(filtered["total"], 0);

    let (status, _) =
        app.call(reqwest::Method::DELETE, &format!("/api/v1/recordings/{rid}"), Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/v1/recordings/{rid}"), &admin).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.audit(&admin, "recording.deleted").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn playback_urls_are_signed_per_camera_and_audited() {
    let app = TestApp::spawn(Backend::Sqlite, false).await;
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "PB-1").await;
    let id = cam["id"].as_str().unwrap();
    let viewer = app.token_for(Role::Viewer).await;
    let (status, pb) = app.get(&format!("/api/v1/cameras/{id}/playback"), &viewer).await;
    assert_eq!(status, StatusCode::OK, "{pb}");
    let master = pb["master_url"].as_str().unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(pb["expires_at"].as_str().unwrap()).unwrap().timestamp();
    let token = argus::dataplane::nginx_conf::hls_token(&app.state.media.playback_secret, id, expires);
    assert_eq!(master, format!("http://127.0.0.1:9/hls/{token}/{expires}/{id}/index.m3u8"));
    let names: Vec<&str> =
        pb["renditions"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["source", "720p", "360p"]);
    assert!(!master.contains(cam["stream_key"].as_str().unwrap()));
    assert_eq!(app.audit(&admin, "camera.playback_issued").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_recording_links_open_one_file_for_one_purpose_until_they_expire() {
    let app = TestApp::spawn(Backend::Sqlite, false).await;
    let admin = app.admin().await;
    let viewer = app.token_for(Role::Viewer).await;
    let (rid, other) = (insert_recording(&app).await, insert_recording(&app).await);
    let (status, links) = app.get(&format!("/api/v1/recordings/{rid}/links"), &viewer).await;
    assert_eq!(status, StatusCode::OK, "{links}");
    let (stream, download) = (links["stream_url"].as_str().unwrap(), links["download_url"].as_str().unwrap());
    let fetch = |url: String, range: Option<&'static str>| {
        let mut req = app.client.get(app.url(&url));
        if let Some(r) = range {
            req = req.header("range", r);
        }
        async move { req.send().await.unwrap() }
    };
    // No Authorization header: the link alone opens the file, ranges included.
    let full = fetch(stream.to_string(), None).await;
    assert_eq!(full.status(), StatusCode::OK);
    assert_eq!(full.bytes().await.unwrap().as_ref(), b"not really an mp4");
    let part = fetch(stream.to_string(), Some("bytes=4-9")).await;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes().await.unwrap().as_ref(), b"really");
    let attachment = fetch(download.to_string(), None).await;
    assert_eq!(attachment.status(), StatusCode::OK);
    assert!(attachment.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    // Tampered, for another purpose, for another recording, expired: refused.
    let sig = stream.rsplit_once("sig=").unwrap().1;
    let expires: i64 = stream.split("expires=").nth(1).unwrap().split('&').next().unwrap().parse().unwrap();
    let flipped = if sig.starts_with('0') { sig.replacen('0', "1", 1) } else { format!("0{}", &sig[1..]) };
    for (what, url) in [
        ("tampered", stream.replace(sig, &flipped)),
        ("other purpose", download.replace(download.rsplit_once("sig=").unwrap().1, sig)),
        ("other recording", stream.replace(&rid, &other)),
        ("extended", stream.replace(&format!("expires={expires}"), &format!("expires={}", expires + 60))),
        ("expired", format!("/api/v1/recordings/{rid}/stream?expires=1000&sig={sig}")),
    ] {
        let resp = fetch(url.clone(), None).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{what}: {url}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(crate::helpers::error_code(&body), "forbidden");
    }
    // Without a link the usual authorization applies.
    assert_eq!(
        fetch(format!("/api/v1/recordings/{rid}/stream"), None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.audit(&admin, "recording.link_issued").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transcoder_reports_become_a_quality_gauge_and_event() {
    let app = TestApp::spawn(Backend::Sqlite, false).await;
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "Q-1").await;
    let id = cam["id"].as_str().unwrap();
    let url = |p: &str| app.url(&format!("/api/v1/streaming/{p}?secret={}", app.state.media.hook_secret));
    let profile: Value = app
        .client
        .get(format!("{}&stream={id}", url("transcode-config")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(profile["name"], "default");
    let mut ws = connect_ws(&app, &admin).await;
    let report = json!({"stream": id, "target_fps": 25.0, "previous": null,
        "sample": {"frame": 250, "fps": 12.5, "bitrate_kbps": 3000.0, "drop_frames": 0, "dup_frames": 0, "speed": 1.0, "ended": false}});
    let resp = app.client.post(url("quality")).json(&report).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let event = next_event(&mut ws, |v| v["type"] == "stream.quality").await;
    assert_eq!(event["data"]["quality"]["score"], 50.0);
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(&format!("stream_quality_score{{camera_id=\"{id}\"}} 50")), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_bad_keys_from_one_address_are_throttled() {
    let app = TestApp::spawn(Backend::Sqlite, false).await;
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "THR-1").await;
    for i in 0..10 {
        let client = i.to_string();
        assert_eq!(hook(&app, "auth", &publish_form("wrong", &client)).await.status(), StatusCode::FORBIDDEN);
    }
    // Even the right key is refused from that address for a while; other addresses are fine.
    assert_eq!(
        hook(&app, "auth", &publish_form(cam["stream_key"].as_str().unwrap(), "99")).await.status(),
        StatusCode::FORBIDDEN
    );
    let mut other = publish_form(cam["stream_key"].as_str().unwrap(), "100");
    other[2] = ("addr", "10.9.9.9");
    assert_eq!(hook(&app, "auth", &other).await.status(), StatusCode::FOUND);
}

/// A recording row with a small file behind it (for the route table test).
pub async fn insert_recording(app: &TestApp) -> String {
    let admin_principal = argus::auth::Principal::Token(argus::auth::principal::TokenPrincipal {
        id: "t".into(),
        remark: "t".into(),
        permissions: vec![argus::auth::Permission::CameraWrite],
        camera_ids: None,
        owner: "t".into(),
    });
    let serial = format!("RECROW-{}", uuid::Uuid::new_v4().simple());
    let input = serde_json::from_value(json!({"name": "r", "serial_number": serial})).unwrap();
    let cam = argus::services::cameras::create(&app.state, &admin_principal, input, &Default::default())
        .await
        .unwrap();
    let file = app.state.settings.data_dir.join(format!("{serial}.mp4"));
    std::fs::write(&file, b"not really an mp4").unwrap();
    insert_hot_recording(app, cam.id, &file, 17, "0".repeat(64)).await
}
