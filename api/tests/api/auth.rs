use argus::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_code, Backend, Options, TestApp, PASSWORD};

crate::matrix!(
    login_returns_tokens_and_me_works,
    wrong_password_is_401_and_audited,
    refresh_rotates_and_reuse_revokes_the_family,
    logout_kills_the_access_token,
    change_password_revokes_other_sessions,
    api_only_and_deactivated_accounts_cannot_log_in,
);

async fn login_returns_tokens_and_me_works(app: TestApp) {
    app.create_user("alice", Role::Operator).await;
    let resp = app.login("alice", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["user"]["username"], "alice");
    assert!(body["expires_in"].as_i64().unwrap() > 0);
    assert!(body["user"].get("password_hash").is_none());
    let token = body["access_token"].as_str().unwrap();
    let (status, me) = app.get("/api/v1/auth/me", token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["role"], "operator");
    assert!(me["last_login_at"].is_string());
    let perms: Vec<&str> =
        me["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(perms.contains(&"camera.write") && !perms.contains(&"user.manage"), "{perms:?}");
}

async fn wrong_password_is_401_and_audited(app: TestApp) {
    let admin = app.admin().await;
    app.create_user("bob", Role::Viewer).await;
    let resp = app.login("bob", "not the password 1").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&resp.json().await.unwrap()), "unauthorized");
    let resp = app.login("nobody", "not the password 1").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // Failed logins are audited in the background.
    let mut failed = vec![];
    for _ in 0..50 {
        failed = app.audit(&admin, "auth.login.failed").await;
        if failed.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let names: Vec<&str> = failed.iter().map(|e| e["actor_name"].as_str().unwrap()).collect();
    assert!(names.contains(&"bob") && names.contains(&"nobody"), "{failed:?}");
    assert_eq!(failed[0]["ip"], "127.0.0.1");
}

async fn refresh_rotates_and_reuse_revokes_the_family(app: TestApp) {
    app.create_user("carol", Role::Viewer).await;
    let first: Value = app.login("carol", PASSWORD).await.json().await.unwrap();
    let r1 = first["refresh_token"].as_str().unwrap();
    let (status, second) =
        app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": r1}))).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let r2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    let new_access = second["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/auth/me", new_access).await.0, StatusCode::OK);

    // Replaying the spent token is theft: the whole session dies, including the newest tokens.
    let (status, body) =
        app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": r1}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["error"]["message"].as_str().unwrap().contains("reuse"), "{body}");
    let (status, _) =
        app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": r2}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/auth/me", new_access).await.0, StatusCode::UNAUTHORIZED);

    let (status, body) =
        app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": "garbage"}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "unauthorized");
}

async fn logout_kills_the_access_token(app: TestApp) {
    let token = app.token_for(Role::Viewer).await;
    assert_eq!(app.get("/api/v1/auth/me", &token).await.0, StatusCode::OK);
    let (status, _) = app.post("/api/v1/auth/logout", &token, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/auth/me", &token).await.0, StatusCode::UNAUTHORIZED);
}

async fn change_password_revokes_other_sessions(app: TestApp) {
    app.create_user("dave", Role::Operator).await;
    let a: Value = app.login("dave", PASSWORD).await.json().await.unwrap();
    let b: Value = app.login("dave", PASSWORD).await.json().await.unwrap();
    let (ta, tb) = (a["access_token"].as_str().unwrap(), b["access_token"].as_str().unwrap());

    let (status, body) = app
        .post(
            "/api/v1/auth/change-password",
            ta,
            json!({"current_password": "wrong one 1", "new_password": "brand new pass 9"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["details"]["current_password"].is_array(), "{body}");
    let (status, body) = app
        .post(
            "/api/v1/auth/change-password",
            ta,
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["details"]["new_password"].is_array(), "{body}");

    let (status, _) = app
        .post(
            "/api/v1/auth/change-password",
            ta,
            json!({"current_password": PASSWORD, "new_password": "brand new pass 9"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/auth/me", ta).await.0, StatusCode::OK, "the caller's own session stays");
    assert_eq!(app.get("/api/v1/auth/me", tb).await.0, StatusCode::UNAUTHORIZED, "other sessions end");
    let (status, _) = app
        .call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": b["refresh_token"]})))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("dave", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("dave", "brand new pass 9").await.status(), StatusCode::OK);
}

async fn api_only_and_deactivated_accounts_cannot_log_in(app: TestApp) {
    let admin = app.admin().await;
    app.create_user("robot", Role::Api).await;
    let resp = app.login("robot", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    let id = app.create_user("erin", Role::Viewer).await;
    let erin: Value = app.login("erin", PASSWORD).await.json().await.unwrap();
    let (status, _) = app.post(&format!("/api/v1/users/{id}/deactivate"), &admin, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/auth/me", erin["access_token"].as_str().unwrap()).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.login("erin", PASSWORD).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn login_is_rate_limited_per_username_with_retry_after() {
    let app = TestApp::spawn_with(Options {
        backend: Backend::Sqlite,
        redis: false,
        env: vec![("ARGUS_LOGIN_RATE_PER_USER", "3".into())],
    })
    .await;
    app.create_user("frank", Role::Viewer).await;
    for _ in 0..3 {
        assert_eq!(app.login("frank", "bad password 1").await.status(), StatusCode::UNAUTHORIZED);
    }
    // Locked now, even with the right password.
    let resp = app.login("frank", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    assert_eq!(error_code(&resp.json().await.unwrap()), "rate_limited");
    // Another username is not affected.
    app.create_user("grace", Role::Viewer).await;
    assert_eq!(app.login("grace", PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn login_is_rate_limited_per_ip_across_replicas_with_redis() {
    // Two replicas sharing one MariaDB database and one Redis: the limit is global.
    let env = vec![("ARGUS_LOGIN_RATE_PER_IP", "4".into())];
    let a = TestApp::spawn_with(Options { backend: Backend::Mysql, redis: true, env: env.clone() }).await;
    let mut settings = (*a.state.settings).clone();
    settings.bind = "127.0.0.1:0".parse().unwrap();
    let b_state = argus::startup::build_state(settings).await.unwrap();
    let b =
        argus::startup::Application::with_state(std::net::TcpListener::bind("127.0.0.1:0").unwrap(), b_state)
            .unwrap();
    let b_url = format!("http://127.0.0.1:{}/api/v1/auth/login", b.port());
    tokio::spawn(b.run_until_stopped());
    for _ in 0..2 {
        assert_eq!(a.login("x", "y").await.status(), StatusCode::UNAUTHORIZED);
        let r = a.client.post(&b_url).json(&json!({"username": "x", "password": "y"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(a.login("x", "y").await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn idle_session_cannot_refresh() {
    let app = TestApp::spawn_with(Options {
        backend: Backend::Sqlite,
        redis: false,
        env: vec![("ARGUS_SESSION_IDLE_SECS", "1".into())],
    })
    .await;
    app.create_user("henry", Role::Viewer).await;
    let body: Value = app.login("henry", PASSWORD).await.json().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": body["refresh_token"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get("/api/v1/auth/me", body["access_token"].as_str().unwrap()).await.0,
        StatusCode::UNAUTHORIZED
    );
}
