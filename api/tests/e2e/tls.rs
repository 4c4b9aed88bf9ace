//! HTTPS and RTMPS through nginx (`ARGUS_TLS_CERT` / `ARGUS_TLS_KEY`), with a self-signed
//! certificate the test makes. The test client has no TLS stack, so HTTPS goes through curl,
//! which verifies the certificate against that same file.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    helpers::{connect_ws, next_event, status_event},
    stack::{free_port, Publisher, Stack},
};

/// `openssl req -x509 …` for 127.0.0.1 (IP SAN: verifiers ignore the CN). Returns (cert, key).
fn self_signed(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(out.status.success(), "openssl: {}", String::from_utf8_lossy(&out.stderr));
    (cert, key)
}

/// `curl --cacert <cert> <args>`: everything it printed.
fn curl_raw(cert: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("curl")
        .args(["-sS", "--max-time", "5", "--cacert"])
        .arg(cert)
        .args(args)
        .output()
        .expect("curl runs");
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// `curl --cacert <cert> <args>` → (HTTP status, body). Status 0 when the request failed.
fn curl(cert: &Path, args: &[&str]) -> (u16, String) {
    let args: Vec<&str> = ["-w", "\n%{http_code}"].into_iter().chain(args.iter().copied()).collect();
    let text = curl_raw(cert, &args);
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", &text));
    (code.trim().parse().unwrap_or(0), body.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtmps_publish_goes_online_and_dashboard_api_websocket_and_hls_answer_over_https() {
    let certs = tempfile::tempdir().expect("tempdir");
    let (cert, key) = self_signed(certs.path());
    let (https_port, rtmps_port, rtmps_internal) = (free_port(), free_port(), free_port());
    let stack = Stack::start_with(vec![
        ("ARGUS_TLS_CERT", cert.display().to_string()),
        ("ARGUS_TLS_KEY", key.display().to_string()),
        ("ARGUS_NGINX_HTTPS_PORT", https_port.to_string()),
        ("ARGUS_RTMPS_PORT", rtmps_port.to_string()),
        ("ARGUS_RTMPS_INTERNAL_PORT", rtmps_internal.to_string()),
        // The stack names a plain RTMP URL; TLS's default would be this one on port 1937.
        ("ARGUS_PUBLIC_RTMP_URL", format!("rtmps://127.0.0.1:{rtmps_port}/live")),
    ])
    .await;
    let app = &stack.app;
    let admin = app.admin().await;
    let https = format!("https://127.0.0.1:{https_port}");

    // The publish hook runs for RTMPS too: a wrong key is refused and FFmpeg gives up.
    let wrong = format!("rtmps://127.0.0.1:{rtmps_port}/live/definitely-not-a-key");
    let code =
        Publisher::start(&wrong).wait_exit(Duration::from_secs(10)).await.expect("refused publisher exits");
    assert!(!code.success(), "an RTMPS publish with a wrong key was accepted");

    // Publish over RTMPS with the URL the API hands out → the camera goes online.
    let cam = app.create_camera(&admin, "TLS-1").await;
    let id = cam["id"].as_str().unwrap().to_string();
    let rtmp_url = cam["rtmp_url"].as_str().unwrap().to_string();
    assert!(rtmp_url.starts_with(&format!("rtmps://127.0.0.1:{rtmps_port}/live/")), "{rtmp_url}");
    let mut ws = connect_ws(app, &admin).await;
    let _publisher = Publisher::start(&rtmp_url);
    next_event(&mut ws, status_event(&id, "online")).await;

    // The signed master playlist (HLS base defaults to the HTTPS port) lists every rendition.
    let (_, pb) = app.get(&format!("/api/v1/cameras/{id}/playback"), &admin).await;
    let master_url = pb["master_url"].as_str().expect("master url").to_string();
    assert!(master_url.starts_with(&format!("{https}/hls/")), "{master_url}");
    let rungs = app.state.profiles["default"].rungs.len();
    let started = Instant::now();
    let master = loop {
        let (status, body) = curl(&cert, &[&master_url]);
        if status == 200 && body.lines().filter(|l| l.ends_with(".m3u8")).count() >= rungs {
            break body;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no master playlist over https: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(master.lines().filter(|l| l.starts_with("#EXT-X-STREAM-INF")).count(), rungs, "{master}");
    // A tampered token is refused on the HTTPS listener too.
    assert_eq!(curl(&cert, &[&master_url.replacen("/hls/", "/hls/x", 1)]).0, 403);
    // Plain HTTP keeps working beside HTTPS unless ARGUS_TLS_ONLY.
    let plain =
        master_url.replace(&https, &format!("http://127.0.0.1:{}", app.state.settings.media.nginx_http_port));
    assert_eq!(stack.http.get(&plain).send().await.expect("plain http").status(), StatusCode::OK);

    // The API and the dashboard through nginx's HTTPS listener.
    let auth = format!("Authorization: Bearer {admin}");
    let (status, body) = curl(&cert, &["-H", &auth, &format!("{https}/api/v1/cameras/{id}")]);
    assert_eq!(status, 200, "{body}");
    let camera: serde_json::Value = serde_json::from_str(&body).expect("camera json");
    assert_eq!(camera["id"], json!(id));
    // The dashboard: whatever Argus answers for `/` (404 in a build without the frontend).
    let direct = stack.http.get(format!("{}/", app.address)).send().await.expect("dashboard").status();
    assert_eq!(curl(&cert, &[&format!("{https}/")]).0, direct.as_u16());

    // The WebSocket upgrade passes through HTTPS (wss://): nginx answers 101 from Argus.
    let ws_url = format!("{https}/api/v1/ws?access_token={admin}");
    let head = curl_raw(
        &cert,
        &[
            "--http1.1",
            "-i",
            "--max-time",
            "2",
            "-H",
            "Connection: Upgrade",
            "-H",
            "Upgrade: websocket",
            "-H",
            "Sec-WebSocket-Version: 13",
            "-H",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            &ws_url,
        ],
    );
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert!(head.contains("\"hello\""), "the socket's first event arrives over TLS: {head}");
}
