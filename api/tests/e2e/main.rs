//! End to end on the real data plane: Argus + nginx-rtmp (libnginx-mod-rtmp) + FFmpeg.
//! Needs `nginx`, the RTMP module and `ffmpeg` (deploy/install-deps.sh installs them).

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod alerts;
mod footage;
mod passthrough;
#[allow(dead_code)]
#[path = "../api/alert_channels/receiver.rs"]
mod receiver;
mod stack;
mod tls;

use std::time::{Duration, Instant};

use argus::services::stream_state::StallWatch;
use reqwest::StatusCode;
use serde_json::json;

use helpers::{next_event, status_event};
use stack::{LiveCamera, Publisher, Stack};

fn camera(serial: &str) -> serde_json::Value {
    json!({"name": format!("camera {serial}"), "serial_number": serial})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn camera_goes_live_plays_every_rendition_and_records() {
    let stack = Stack::start().await;
    let app = &stack.app;
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "E2E-1").await;
    let (id, key) =
        (cam["id"].as_str().unwrap().to_string(), cam["stream_key"].as_str().unwrap().to_string());
    let rtmp_url = cam["rtmp_url"].as_str().unwrap().to_string();
    let mut ws = helpers::connect_ws(app, &admin).await;

    // Publish → online on the WebSocket → a master playlist with every rung, whose segments decode.
    let published = Instant::now();
    let mut publisher = Publisher::start(&rtmp_url);
    next_event(&mut ws, status_event(&id, "online")).await;
    let online_after = published.elapsed();
    let (_, pb) = app.get(&format!("/api/v1/cameras/{id}/playback"), &admin).await;
    let master_url = pb["master_url"].as_str().unwrap().to_string();
    let master = stack.wait_for_playlist(&master_url, 3).await;
    let first_playlist_after = published.elapsed();
    println!("online after {online_after:?}, all renditions playable after {first_playlist_after:?}");
    let profile = &app.state.profiles["default"];
    let stream_infs: Vec<&str> = master.lines().filter(|l| l.starts_with("#EXT-X-STREAM-INF")).collect();
    assert_eq!(stream_infs.len(), profile.rungs.len(), "{master}");
    for inf in &stream_infs {
        assert!(
            inf.contains("BANDWIDTH=") && inf.contains("RESOLUTION=") && inf.contains("CODECS="),
            "{inf}"
        );
    }
    for rung in &profile.rungs {
        let media_url = master_url.replace("index.m3u8", &format!("{}/index.m3u8", rung.name));
        let media = stack.wait_for_playlist(&media_url, 1).await;
        let segment = media.lines().find(|l| l.ends_with(".ts")).expect("a segment");
        let seg_url = media_url.replace("index.m3u8", segment);
        let probe = stack.probe_url(&seg_url).await;
        let video = probe["streams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["codec_type"] == "video")
            .expect("video stream");
        if let (Some(w), Some(h)) = (rung.width, rung.height) {
            assert!(
                video["width"].as_u64().unwrap() <= w as u64 && video["height"].as_u64().unwrap() <= h as u64
            );
        }
        assert_eq!(video["codec_name"], "h264");
        stack.decode_ok(&seg_url).await;
    }

    // Signed URLs: tampered, expired, or another camera's token → 403 from nginx itself.
    let secret = &app.state.media.playback_secret;
    let base = &app.state.settings.media.public_hls_url;
    let past = chrono::Utc::now().timestamp() - 10;
    let expired = argus::dataplane::nginx_conf::hls_url(base, secret, &id, "index.m3u8", past);
    let other_cam = app.create_camera(&admin, "E2E-OTHER").await;
    let future = chrono::Utc::now().timestamp() + 600;
    let other_token =
        argus::dataplane::nginx_conf::hls_token(secret, other_cam["id"].as_str().unwrap(), future);
    let borrowed = format!("{base}/hls/{other_token}/{future}/{id}/index.m3u8");
    let tampered = master_url.replacen("/hls/", "/hls/x", 1);
    for (what, url) in [
        ("expired", expired),
        ("other camera's token", borrowed),
        ("tampered", tampered),
        ("unsigned", format!("{base}/hls/{id}/index.m3u8")),
    ] {
        assert_eq!(
            stack.http.get(&url).send().await.unwrap().status(),
            StatusCode::FORBIDDEN,
            "{what}: {url}"
        );
    }
    assert_eq!(stack.http.get(&master_url).send().await.unwrap().status(), StatusCode::OK);

    // A wrong key is refused: FFmpeg gives up at once.
    let wrong = rtmp_url.replace(&key, "definitely-not-a-key");
    let mut refused = Publisher::start(&wrong);
    let code = refused.wait_exit(Duration::from_secs(10)).await.expect("refused publisher exits");
    assert!(!code.success());

    // Deactivating the live camera drops the publisher.
    app.post(&format!("/api/v1/cameras/{id}/deactivate"), &admin, json!({})).await;
    publisher.wait_exit(Duration::from_secs(10)).await.expect("dropped after deactivation");
    next_event(&mut ws, status_event(&id, "offline")).await;
    app.post(&format!("/api/v1/cameras/{id}/activate"), &admin, json!({})).await;

    // Publish again, stop cleanly → offline → the recording, with the right duration, plays.
    let mut publisher = Publisher::start(&rtmp_url);
    next_event(&mut ws, status_event(&id, "online")).await;
    let online_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(6)).await;
    publisher.stop().await;
    let truth = online_at.elapsed().as_secs_f64();
    next_event(&mut ws, status_event(&id, "offline")).await;
    let event = next_event(&mut ws, |v| {
        v["type"] == "recording.created"
            && v["data"]["recording"]["camera_id"] == id.as_str()
            && v["data"]["recording"]["duration_ms"].as_i64().unwrap_or(0) > 3000
    })
    .await;
    let rec = &event["data"]["recording"];
    let duration = rec["duration_ms"].as_f64().unwrap() / 1000.0;
    println!("recording {duration:.2} s for {truth:.2} s online");
    assert!((duration - truth).abs() <= 1.0, "recorded {duration} s, streamed {truth} s");
    let file = stack.download(&admin, rec["id"].as_str().unwrap()).await;
    let probe = stack.probe_path(&file).await;
    let probed: f64 = probe["format"]["duration"].as_str().unwrap().parse().unwrap();
    assert!((probed - duration).abs() < 0.1);

    // The stream key appears in no HLS path, file name or log line.
    stack.assert_key_nowhere(&key);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recording_follows_the_camera_setting_while_live() {
    let stack = Stack::start().await;
    let app = &stack.app;
    let body = json!({"name": "no rec", "serial_number": "E2E-REC", "recording_enabled": false});
    let LiveCamera { admin, id, mut ws, mut publisher, .. } = stack.live_camera(body).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(stack.record_files().is_empty(), "recording disabled: nothing is written");
    let (status, _) = app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/cameras/{id}"),
            Some(&admin),
            Some(json!({"recording_enabled": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let started = Instant::now();
    while stack.record_files().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(5), "recording did not start within 5 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!("recording started {:?} after enabling it", started.elapsed());
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Switching it off while live finishes the chunk, which is filed at once.
    app.call(
        reqwest::Method::PATCH,
        &format!("/api/v1/cameras/{id}"),
        Some(&admin),
        Some(json!({"recording_enabled": false})),
    )
    .await;
    let event = next_event(&mut ws, |v| v["type"] == "recording.created").await;
    assert_eq!(event["data"]["recording"]["camera_id"], id.as_str());
    publisher.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_recordings_are_cut_into_contiguous_chunks() {
    // A 6 s recording interval stands in for the hourly one.
    let stack = Stack::start_with(vec![("ARGUS_RECORD_INTERVAL_SECS", "6".into())]).await;
    let app = &stack.app;
    let LiveCamera { admin, id, mut ws, mut publisher, .. } = stack.live_camera(camera("E2E-CHUNKS")).await;
    let online_at = Instant::now();
    // What the scheduler does every 10 s, a little more often here.
    while online_at.elapsed() < Duration::from_secs(16) {
        app.state.recorders().rotate_due().await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    publisher.stop().await;
    let truth = online_at.elapsed().as_secs_f64();
    next_event(&mut ws, status_event(&id, "offline")).await;
    let mut chunks = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        let (_, page) = app.get(&format!("/api/v1/recordings?camera_id={id}&limit=100"), &admin).await;
        chunks = page["items"].as_array().cloned().unwrap_or_default();
        if chunks.len() >= 3 && stack.record_files().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(chunks.len() >= 3, "16 s at a 6 s interval gives at least 3 chunks: {chunks:?}");
    chunks.sort_by_key(|c| c["started_at"].as_str().unwrap().to_string());
    let seconds = |c: &serde_json::Value, field: &str| {
        chrono::DateTime::parse_from_rfc3339(c[field].as_str().unwrap()).unwrap().timestamp_millis() as f64
            / 1000.0
    };
    for pair in chunks.windows(2) {
        // Chunk start times have one-second resolution (the epoch in nginx's file name).
        let gap = seconds(&pair[1], "started_at") - seconds(&pair[0], "ended_at");
        assert!(gap <= 1.0, "a gap of {gap:.2} s between chunks: {pair:?}");
    }
    let total: f64 = chunks.iter().map(|c| c["duration_ms"].as_f64().unwrap() / 1000.0).sum();
    println!("{} chunks, {total:.2} s recorded (with overlaps) for {truth:.2} s online", chunks.len());
    assert!(total >= truth - 1.0, "recorded {total} s of {truth} s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_publisher_and_lost_hooks_are_reconciled_from_nginx_stat() {
    let stack = Stack::start().await;
    let app = &stack.app;
    let LiveCamera { admin, id, mut ws, mut publisher, .. } = stack.live_camera(camera("E2E-KILL")).await;
    publisher.kill();

    // A camera the database believes is live but nginx does not have (its publish_done was
    // lost while Argus was down): reconciliation corrects it.
    let ghost = app.create_camera(&admin, "E2E-GHOST").await;
    let ghost_id = ghost["id"].as_str().unwrap().to_string();
    // Its publish reached Argus (sent here as nginx sends it), its publish_done never did.
    let hook = app.url(&format!("/api/v1/streaming/auth?secret={}", app.state.media.hook_secret));
    let form = [
        ("app", "live"),
        ("name", ghost["stream_key"].as_str().unwrap()),
        ("clientid", "9999"),
        ("call", "publish"),
    ];
    let resp = app.client.post(hook).form(&form).send().await.expect("publish hook");
    assert_eq!(resp.status(), StatusCode::FOUND);
    next_event(&mut ws, status_event(&ghost_id, "online")).await;
    // Reconciliation passes (every 10 s in production) until nginx has noticed the kill too.
    let (started, stalls) = (Instant::now(), StallWatch::default());
    loop {
        argus::jobs::run(&app.state, argus::jobs::JobKind::ReconcileStreams, &stalls).await;
        let mut statuses = Vec::new();
        for camera in [&id, &ghost_id] {
            let (_, now) = app.get(&format!("/api/v1/cameras/{camera}"), &admin).await;
            statuses.push(now["stream_status"].clone());
        }
        if statuses.iter().all(|s| s == "offline") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "still {statuses:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_restart_does_not_drop_live_cameras() {
    let stack = Stack::start().await;
    let app = &stack.app;
    let LiveCamera { id, mut publisher, .. } = stack.live_camera(camera("E2E-RESTART")).await;
    // Point nginx's update relay at a dead port: what an Argus restart looks like to nginx.
    stack.break_api_for_updates().await;
    // Several update intervals (3 s) pass with Argus unreachable.
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert!(publisher.is_running(), "nginx must not drop the camera while Argus is away");

    // A recorder start lost while Argus was away (here: the recorders stopped behind its back)
    // is caught up by reconciliation.
    for recorder in argus::dataplane::nginx_conf::RECORDERS {
        app.state.nginx_control().record(false, &id, recorder).await.expect("nginx control");
    }
    tokio::time::sleep(Duration::from_secs(6)).await;
    let record_dir = app.state.settings.media.record_dir.clone();
    let open = || argus::dataplane::recorders::open_chunks(&record_dir, std::time::SystemTime::now());
    assert!(open().is_empty(), "recording stopped");
    argus::jobs::run(&app.state, argus::jobs::JobKind::ReconcileStreams, &StallWatch::default()).await;
    let started = Instant::now();
    while open().iter().all(|c| c.name.camera_id != id) {
        assert!(started.elapsed() < Duration::from_secs(5), "reconciliation did not restart the recording");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    publisher.stop().await;
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hook_secret_stays_out_of_ps_and_logs_and_ops_endpoints_stay_off_nginx() {
    let stack = Stack::start().await;
    let app = &stack.app;
    let secret = app.state.media.hook_secret.clone();
    // Hooks pass nginx's relay (secret as a header) and the transcoder reads its secret file:
    // the camera goes online and its playlist appears.
    let LiveCamera { admin, id, publisher: _publisher, .. } = stack.live_camera(camera("E2E-SECRET")).await;
    let (_, pb) = app.get(&format!("/api/v1/cameras/{id}/playback"), &admin).await;
    stack.wait_for_playlist(pb["master_url"].as_str().unwrap(), 1).await;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&cmdline).contains(&secret),
            "hook secret on the command line of {}",
            entry.path().display()
        );
    }
    let data = &app.state.settings.data_dir;
    assert_eq!(mode(data), 0o700);
    for file in ["run/nginx.conf", "run/hook_secret", "hook_secret", "playback_secret", "argus.db"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }

    let nginx = format!("http://127.0.0.1:{}", app.state.settings.media.nginx_http_port);
    for (path, want) in [("/metrics", 404), ("/readyz", 404), ("/healthz", 200)] {
        let resp = stack.http.get(format!("{nginx}{path}")).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), want, "{path} through nginx");
    }
    let hls = stack.http.get(format!("{nginx}/hls/x")).send().await.unwrap();
    assert_eq!(hls.headers()["x-content-type-options"], "nosniff");
    assert_eq!(hls.headers()["referrer-policy"], "no-referrer");

    // Argus unreachable: the publish hook fails, and nginx's error log says so without the secret.
    let other = app.create_camera(&admin, "E2E-SECRET-2").await;
    stack.break_api_for_updates().await;
    let mut refused = Publisher::start(other["rtmp_url"].as_str().unwrap());
    assert!(refused.wait_exit(Duration::from_secs(20)).await.is_some(), "publish without Argus was accepted");
    let log = std::fs::read_to_string(data.join("run/error.log")).unwrap();
    assert!(log.contains("/argus-hooks/auth"), "the failed hook is logged:\n{log}");
    assert!(!log.contains(&secret), "hook secret in nginx's error log:\n{log}");
}

/// A `kill -9` between the two steps of a rotation leaves both recorders of the camera writing.
/// The restarted Argus (its start-up pass, then the 10 s schedule) stops the older one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_interrupted_half_way_is_finished_after_a_restart() {
    let stack = Stack::start_with(vec![("ARGUS_RECORD_INTERVAL_SECS", "3600".into())]).await;
    let app = &stack.app;
    let LiveCamera { id, mut publisher, .. } = stack.live_camera(camera("E2E-HALF-ROTATED")).await;
    let record_dir = app.state.settings.media.record_dir.clone();
    let open = || {
        argus::dataplane::recorders::open_chunks(&record_dir, std::time::SystemTime::now())
            .into_iter()
            .filter(|c| c.name.camera_id == id)
            .collect::<Vec<_>>()
    };
    let wait_open = |n: usize, what: &'static str| {
        let open = &open;
        async move {
            let started = Instant::now();
            loop {
                let now = open();
                if now.len() == n {
                    return now;
                }
                assert!(started.elapsed() < Duration::from_secs(15), "{what}: {now:?}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    let first = wait_open(1, "recording did not start").await.remove(0);
    let busy = first.name.recorder.clone().unwrap_or_else(|| "main".into());
    let idle =
        argus::dataplane::nginx_conf::RECORDERS.into_iter().find(|r| *r != busy).expect("two recorders");
    // Step one of a rotation — start the idle recorder — and then the kill: step two never runs.
    app.state.nginx_control().record(true, &id, idle).await.expect("nginx control");
    wait_open(2, "the second recorder did not start writing").await;

    argus::jobs::recover_recorders(&app.state).await;
    let left = wait_open(1, "both recorders still write after the restart").await;
    assert_eq!(left[0].name.recorder.as_deref(), Some(idle), "the older chunk is the one closed");
    assert_ne!(left[0].path, first.path);
    publisher.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_live_camera_drops_its_publisher_and_refuses_its_key() {
    let stack = Stack::start().await;
    let app = &stack.app;
    let LiveCamera { admin, id, mut publisher, .. } = stack.live_camera(camera("E2E-DEL")).await;
    let (_, cam) = app.get(&format!("/api/v1/cameras/{id}"), &admin).await;
    let rtmp_url = cam["rtmp_url"].as_str().expect("rtmp url (admin sees the key)").to_string();
    let started = Instant::now();
    let (status, _) =
        app.call(reqwest::Method::DELETE, &format!("/api/v1/cameras/{id}"), Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(publisher.wait_exit(Duration::from_secs(5)).await.is_some(), "still publishing 5 s after delete");
    let dropped_after = started.elapsed();
    println!("publisher dropped {dropped_after:?} after the delete");
    assert!(dropped_after < Duration::from_secs(2), "dropped only after {dropped_after:?}");
    // The key is refused from then on: nginx ends a new publisher at once.
    let mut again = Publisher::start(&rtmp_url);
    let exit =
        again.wait_exit(Duration::from_secs(10)).await.expect("a publisher with a deleted key is refused");
    assert!(!exit.success(), "refused publisher exits with an error");
}

/// nginx holds the live publishers, so it outlives Argus: an Argus that dies without stopping it
/// (kill -9) and starts again adopts the running nginx instead of starting a second one that
/// could not see the streams, and the camera keeps publishing and stays online.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_argus_adopts_the_running_nginx_and_keeps_its_publishers() {
    let stack = Stack::start().await;
    let app = &stack.app;
    let LiveCamera { admin, id, mut publisher, .. } = stack.live_camera(camera("E2E-ADOPT")).await;
    let first = stack.nginx.pid().expect("nginx pid");

    // What a kill -9 leaves behind: nginx still running, with nobody to stop it. The restarted
    // Argus starts its data plane again.
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_argus"));
    let again = argus::up::start_nginx(&app.state, bin, stack.relay_port).await.expect("start again");
    assert_eq!(again.pid(), Some(first), "a second nginx was started instead of adopting the first");
    assert!(
        matches!(again, argus::dataplane::nginx_process::NginxProcess::Adopted { .. }),
        "the running nginx is adopted"
    );
    assert!(publisher.is_running(), "the publisher was dropped");
    // nginx's /stat still lists the stream, so reconciliation keeps the camera online.
    argus::jobs::run(&app.state, argus::jobs::JobKind::ReconcileStreams, &StallWatch::default()).await;
    let (_, cam) = app.get(&format!("/api/v1/cameras/{id}"), &admin).await;
    assert_eq!(cam["stream_status"], "online", "{cam}");
    assert!(publisher.wait_exit(Duration::from_secs(2)).await.is_none(), "the publisher was dropped");
    publisher.stop().await;
}
