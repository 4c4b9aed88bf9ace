//! Hardening: login throttling, client addresses, browser headers, operational endpoints.

use std::time::{Duration, Instant};

use argus::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{Backend, Options, TestApp, PASSWORD};

crate::matrix!(parallel_wrong_passwords_are_throttled_without_locking_the_user_out);

async fn login_from(app: &TestApp, ip: &str, username: &str, password: &str) -> StatusCode {
    // The test client is on loopback, a trusted proxy by default: it speaks for `ip`.
    app.client
        .post(app.url("/api/v1/auth/login"))
        .header("X-Forwarded-For", ip)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("request")
        .status()
}

async fn parallel_wrong_passwords_are_throttled_without_locking_the_user_out(app: TestApp) {
    let admin = app.admin().await;
    app.create_user("ivy", Role::Viewer).await;
    let attempts = (0..20).map(|_| login_from(&app, "198.51.100.7", "ivy", "wrong password"));
    let statuses = futures_util::future::join_all(attempts).await;
    let count = |s: StatusCode| statuses.iter().filter(|x| **x == s).count();
    assert_eq!(count(StatusCode::UNAUTHORIZED), 5, "{statuses:?}");
    assert_eq!(count(StatusCode::TOO_MANY_REQUESTS), 15, "{statuses:?}");

    // More failures from other addresses: the user is slowed, not locked out.
    for _ in 0..5 {
        assert_eq!(login_from(&app, "198.51.100.8", "ivy", "wrong password").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login_from(&app, "203.0.113.9", "ivy", PASSWORD).await, StatusCode::OK);
    // The attacker's own address stays throttled.
    assert_eq!(login_from(&app, "198.51.100.7", "ivy", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);

    // 10 failures in all, one audit row for the throttled burst (not one per attempt). The rows
    // are written in the background: wait for the expected numbers, then check none is over.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let failed = app.audit(&admin, "auth.login.failed").await.len();
        let throttled = app.audit(&admin, "auth.login.throttled").await.len();
        if failed >= 10 && throttled >= 2 {
            assert_eq!(failed, 10);
            // One for user+address (the burst), one for the address (its 21st attempt, the last one).
            assert_eq!(throttled, 2, "one per throttled key and window");
            break;
        }
        assert!(Instant::now() < deadline, "audit rows: {failed} failed, {throttled} throttled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn cameras_with_forwarded(app: &TestApp, secret: &str, forwarded: &str) -> StatusCode {
    app.client
        .get(app.url("/api/v1/cameras"))
        .header("X-API-Key", secret)
        .header("X-Forwarded-For", forwarded)
        .send()
        .await
        .expect("request")
        .status()
}

async fn lan_token(app: &TestApp) -> String {
    let admin = app.admin().await;
    let (status, created): (_, Value) = app
        .post(
            "/api/v1/api-tokens",
            &admin,
            json!({"remark": "lan", "permissions": ["camera.read"], "ip_allowlist": ["10.0.0.0/8"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["secret"].as_str().expect("secret").to_string()
}

#[tokio::test]
async fn forged_forwarded_for_cannot_satisfy_an_ip_allowlist() {
    // Loopback is not a trusted proxy here: the header of this peer means nothing.
    let env = vec![("ARGUS_TRUSTED_PROXIES", "10.250.0.0/16".into())];
    let app = TestApp::spawn_with(Options { backend: Backend::Sqlite, redis: false, env }).await;
    let secret = lan_token(&app).await;
    assert_eq!(cameras_with_forwarded(&app, &secret, "10.9.9.9").await, StatusCode::FORBIDDEN);

    // Default (the bundled nginx on loopback is trusted): only the right-most hop counts.
    let app = TestApp::spawn(Backend::Sqlite, false).await;
    let secret = lan_token(&app).await;
    assert_eq!(cameras_with_forwarded(&app, &secret, "10.9.9.9, 203.0.113.5").await, StatusCode::FORBIDDEN);
    assert_eq!(cameras_with_forwarded(&app, &secret, "10.9.9.9").await, StatusCode::OK);
}

fn directive<'a>(csp: &'a str, name: &str) -> &'a str {
    csp.split(';').map(str::trim).find(|d| d.starts_with(&format!("{name} "))).unwrap_or("")
}

#[tokio::test]
async fn every_answer_carries_the_browser_headers() {
    let env = vec![("ARGUS_PUBLIC_HLS_URL", "https://media.example.test:8443/base".into())];
    let app = TestApp::spawn_with(Options { backend: Backend::Sqlite, redis: false, env }).await;
    for path in ["/healthz", "/api/v1/cameras", "/api/openapi.json", "/some/client/route", "/api/docs/"] {
        let resp = app.client.get(app.url(path)).send().await.expect("request");
        let h = resp.headers();
        let header = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        let csp = header("content-security-policy");
        assert!(csp.starts_with("default-src 'self'"), "{path}: {csp}");
        assert_eq!(directive(&csp, "frame-ancestors"), "frame-ancestors 'none'", "{path}");
        if path.starts_with("/api/docs") {
            // The Swagger UI gets its own policy, and it still loads.
            assert_eq!(resp.status(), StatusCode::OK);
            assert!(resp.text().await.unwrap().contains("swagger"), "{path}");
            continue;
        }
        assert!(!directive(&csp, "script-src").contains("unsafe-inline"), "{path}: {csp}");
        for d in ["media-src", "connect-src"] {
            assert!(directive(&csp, d).contains(" https://media.example.test:8443"), "{path}: {csp}");
        }
        assert!(directive(&csp, "media-src").contains("blob:"), "{csp}");
    }
}

#[tokio::test]
async fn metrics_need_the_metrics_token_when_one_is_set() {
    let env = vec![("ARGUS_METRICS_TOKEN", "metrics-secret-123".into())];
    let app = TestApp::spawn_with(Options { backend: Backend::Sqlite, redis: false, env }).await;
    let get = |token: Option<&'static str>| {
        let mut req = app.client.get(app.url("/metrics"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    assert_eq!(get(None).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(get(Some("wrong")).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let ok = get(Some("metrics-secret-123")).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.text().await.unwrap().contains("http_requests"));
    // Without the setting, the endpoint stays open (on the API port only; nginx does not proxy it).
    let open = TestApp::spawn(Backend::Sqlite, false).await;
    assert_eq!(open.client.get(open.url("/metrics")).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn data_dir_and_database_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn(Backend::Sqlite, false).await;
    app.admin().await;
    let data = app.state.settings.data_dir.clone();
    let mode = |p: &std::path::Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    let mut checked = 0;
    for entry in std::fs::read_dir(&data).expect("data dir").flatten() {
        if entry.path().is_file() {
            assert_eq!(mode(&entry.path()), 0o600, "{}", entry.path().display());
            checked += 1;
        }
    }
    // argus.db, its -wal and -shm, and the generated secrets.
    assert!(checked >= 5, "{checked} files checked");
}
