use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp};

crate::matrix!(
    token_secret_is_shown_once_and_works_as_bearer_or_api_key,
    token_sees_only_cameras_in_its_scope,
    token_ip_allowlist_expiry_and_revocation,
    token_rate_limit_answers_429_with_headers,
    token_permissions_are_validated,
);

async fn create_token(app: &TestApp, admin: &str, body: Value) -> (String, Value) {
    let (status, created) = app.post("/api/v1/api-tokens", admin, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (created["secret"].as_str().unwrap().to_string(), created["token"].clone())
}

async fn with_api_key(app: &TestApp, path: &str, secret: &str) -> reqwest::Response {
    app.client.get(app.url(path)).header("X-API-Key", secret).send().await.unwrap()
}

async fn token_secret_is_shown_once_and_works_as_bearer_or_api_key(app: TestApp) {
    let admin = app.admin().await;
    let (secret, token) =
        create_token(&app, &admin, json!({"remark": "VMS", "permissions": ["camera.read", "camera.write"]}))
            .await;
    assert!(secret.starts_with("argus_"));
    assert!(secret.starts_with(token["prefix"].as_str().unwrap()));
    assert_eq!(token["camera_ids"], Value::Null);
    assert_eq!(token["rate_limit_per_hour"], 1000);
    let (_, list) = app.get("/api/v1/api-tokens", &admin).await;
    assert_eq!(list["total"], 1);
    assert!(!list.to_string().contains(&secret), "secret must never be listed");

    let (status, cam) =
        app.post("/api/v1/cameras", &secret, json!({"name": "from api", "serial_number": "API-1"})).await;
    assert_eq!(status, StatusCode::CREATED, "{cam}");
    assert_eq!(cam["created_via"], "api");
    assert!(cam.get("stream_key").is_none(), "camera.key.read not granted");
    let resp = with_api_key(&app, "/api/v1/cameras", &secret).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["x-ratelimit-limit"], "1000");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["total"], 1);
    let (_, stats) = app.get("/api/v1/dashboard/stats", &admin).await;
    assert_eq!(stats["api_created"], 1);
    // Permission outside the grant.
    let (status, _) = app.get("/api/v1/dashboard/stats", &secret).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, got) = app.get(&format!("/api/v1/api-tokens/{}", token["id"].as_str().unwrap()), &admin).await;
    assert!(got["last_used_at"].is_string() || got["last_used_at"].is_null());
}

async fn token_sees_only_cameras_in_its_scope(app: TestApp) {
    let admin = app.admin().await;
    let a = app.create_camera(&admin, "SCOPE-A").await;
    let b = app.create_camera(&admin, "SCOPE-B").await;
    let (secret, token) = create_token(&app, &admin, json!({"remark": "one cam", "permissions": ["camera.read", "stats.read", "camera.write"], "camera_ids": [a["id"]]})).await;
    assert_eq!(token["camera_ids"], json!([a["id"]]));
    let (_, list) = app.get("/api/v1/cameras", &secret).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], a["id"]);
    let b_path = format!("/api/v1/cameras/{}", b["id"].as_str().unwrap());
    assert_eq!(app.get(&b_path, &secret).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.call(Method::PATCH, &b_path, Some(&secret), Some(json!({"name": "hijack"}))).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/cameras/{}", a["id"].as_str().unwrap()), &secret).await.0,
        StatusCode::OK
    );
    let (_, stats) = app.get("/api/v1/dashboard/stats", &secret).await;
    assert_eq!(stats["total"], 1);
    let (status, body) = app
        .post(
            "/api/v1/api-tokens",
            &admin,
            json!({"remark": "bad", "permissions": ["camera.read"], "camera_ids": ["nope"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

async fn token_ip_allowlist_expiry_and_revocation(app: TestApp) {
    let admin = app.admin().await;
    let (blocked, _) = create_token(
        &app,
        &admin,
        json!({"remark": "lan only", "permissions": ["camera.read"], "ip_allowlist": ["10.0.0.0/8"]}),
    )
    .await;
    let resp = with_api_key(&app, "/api/v1/cameras", &blocked).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let (local, _) = create_token(&app, &admin, json!({"remark": "loopback", "permissions": ["camera.read"], "ip_allowlist": ["127.0.0.1", "::1/128"]})).await;
    assert_eq!(with_api_key(&app, "/api/v1/cameras", &local).await.status(), StatusCode::OK);

    let (status, body) = app
        .post(
            "/api/v1/api-tokens",
            &admin,
            json!({"remark": "bad", "permissions": ["camera.read"], "ip_allowlist": ["not-an-ip"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["details"]["ip_allowlist"].is_array());
    let (status, _) = app
        .post(
            "/api/v1/api-tokens",
            &admin,
            json!({"remark": "bad", "permissions": ["camera.read"], "expires_at": "2001-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let (expiring, _) = create_token(
        &app,
        &admin,
        json!({"remark": "short lived", "permissions": ["camera.read"], "expires_at": soon}),
    )
    .await;
    assert_eq!(app.get("/api/v1/cameras", &expiring).await.0, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let (status, body) = app.get("/api/v1/cameras", &expiring).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["error"]["message"].as_str().unwrap().contains("expired"));

    let (secret, token) =
        create_token(&app, &admin, json!({"remark": "to revoke", "permissions": ["camera.read"]})).await;
    assert_eq!(app.get("/api/v1/cameras", &secret).await.0, StatusCode::OK);
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/api-tokens/{}", token["id"].as_str().unwrap()),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.get("/api/v1/cameras", &secret).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "revocation applies to the very next request");
    assert!(body["error"]["message"].as_str().unwrap().contains("revoked"));
    assert_eq!(app.audit(&admin, "api_token.revoked").await.len(), 1);
    assert_eq!(app.get("/api/v1/cameras", "argus_made_up").await.0, StatusCode::UNAUTHORIZED);
}

async fn token_rate_limit_answers_429_with_headers(app: TestApp) {
    let admin = app.admin().await;
    let (secret, _) = create_token(
        &app,
        &admin,
        json!({"remark": "tiny", "permissions": ["camera.read"], "rate_limit_per_hour": 3}),
    )
    .await;
    for remaining in ["2", "1", "0"] {
        let resp = with_api_key(&app, "/api/v1/cameras", &secret).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["x-ratelimit-remaining"], remaining);
    }
    let resp = with_api_key(&app, "/api/v1/cameras", &secret).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry));
    assert_eq!(resp.headers()["x-ratelimit-limit"], "3");
    assert_eq!(resp.headers()["x-ratelimit-remaining"], "0");
    assert_eq!(error_code(&resp.json().await.unwrap()), "rate_limited");
    // Other tokens have their own budget.
    let (other, _) =
        create_token(&app, &admin, json!({"remark": "other", "permissions": ["camera.read"]})).await;
    assert_eq!(with_api_key(&app, "/api/v1/cameras", &other).await.status(), StatusCode::OK);
}

async fn token_permissions_are_validated(app: TestApp) {
    let admin = app.admin().await;
    for (body, field) in [
        (json!({"remark": "x", "permissions": ["user.manage"]}), "permissions"),
        (json!({"remark": "x", "permissions": []}), "permissions"),
        (json!({"remark": "", "permissions": ["camera.read"]}), "remark"),
        (
            json!({"remark": "x", "permissions": ["camera.read"], "rate_limit_per_hour": 0}),
            "rate_limit_per_hour",
        ),
    ] {
        let (status, resp) = app.post("/api/v1/api-tokens", &admin, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {resp}");
        assert!(resp["error"]["details"][field].is_array(), "{resp}");
    }
    let (status, resp) =
        app.post("/api/v1/api-tokens", &admin, json!({"remark": "x", "permissions": ["camera.fly"]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{resp}");
    let (_, list) = app.get("/api/v1/api-tokens", &admin).await;
    assert_eq!(list["total"], 0, "nothing created by bad input");
}
