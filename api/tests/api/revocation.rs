//! Revocation bites at once: a deleted camera's key, a forged relay update, and — for logout,
//! password change, deactivation, role change and token revocation — the cached principal and
//! open WebSockets, on one instance and across two replicas sharing Redis.

use argus::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::{
    helpers::{connect_ws, next_close, next_event, Backend, TestApp, PASSWORD},
    streaming::{hook, publish_form},
};

crate::matrix!(
    deleting_a_camera_refuses_its_key_in_both_hooks,
    a_forged_relay_flashver_does_not_skip_the_update_check,
    logout_closes_the_socket_and_the_cached_session,
    a_password_change_closes_the_other_sessions_sockets,
    deactivation_closes_sockets_and_stops_the_users_tokens,
    revoking_a_token_closes_its_socket_and_refuses_it_at_once,
    a_role_change_reaches_an_open_socket,
);

fn update_form<'a>(key: &'a str, client: &'a str, flashver: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("app", "live"),
        ("flashver", flashver),
        ("call", "update_publish"),
        ("name", key),
        ("clientid", client),
        ("time", "10"),
    ]
}

/// A new user of `role`, logged in: (user id, access token).
async fn session(app: &TestApp, role: Role) -> (String, String) {
    let name = format!("rv-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let id = app.create_user(&name, role).await;
    let body: Value = app.login(&name, PASSWORD).await.json().await.expect("login json");
    (id, body["access_token"].as_str().expect("access token").to_string())
}

async fn cameras_status(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/cameras?limit=5", token).await.0
}

async fn new_token(app: &TestApp, owner: &str) -> (String, String) {
    let body = json!({"remark": "revocation test", "permissions": ["camera.read"]});
    let (status, created) = app.post("/api/v1/api-tokens", owner, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (created["token"]["id"].as_str().unwrap().into(), created["secret"].as_str().unwrap().into())
}

fn assert_revoked(frame: &tokio_tungstenite::tungstenite::protocol::CloseFrame, why: &str) {
    assert_eq!(frame.code, CloseCode::Policy, "{frame:?}");
    assert!(frame.reason.contains(why), "close reason {:?} should mention {why:?}", frame.reason);
}

async fn deleting_a_camera_refuses_its_key_in_both_hooks(app: TestApp) {
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "REVOKE-DEL-1").await;
    let (id, key) = (cam["id"].as_str().unwrap(), cam["stream_key"].as_str().unwrap());
    assert_eq!(hook(&app, "auth", &publish_form(key, "41")).await.status(), StatusCode::FOUND);
    // The key is now in the hook cache, as it is for every live camera.
    let update = update_form(key, "41", "FMLE/3.0");
    assert_eq!(hook(&app, "update", &update).await.status(), StatusCode::OK);

    let (status, _) = app.call(Method::DELETE, &format!("/api/v1/cameras/{id}"), Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(hook(&app, "update", &update).await.status(), StatusCode::FORBIDDEN, "live publisher dropped");
    let again = publish_form(key, "42");
    assert_eq!(hook(&app, "auth", &again).await.status(), StatusCode::FORBIDDEN, "key refused");
}

async fn a_forged_relay_flashver_does_not_skip_the_update_check(app: TestApp) {
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "REVOKE-RELAY-1").await;
    let (id, key) = (cam["id"].as_str().unwrap(), cam["stream_key"].as_str().unwrap());
    assert_eq!(hook(&app, "auth", &publish_form(key, "51")).await.status(), StatusCode::FOUND);
    app.post(&format!("/api/v1/cameras/{id}/rotate-key"), &admin, json!({})).await;
    // `ffmpeg -rtmp_flashver ngx-local-relay` publishing to live with the old key.
    let forged = update_form(key, "51", "ngx-local-relay");
    assert_eq!(hook(&app, "update", &forged).await.status(), StatusCode::FORBIDDEN);
    // The real relay (as nginx sends it: a player update with an empty app) is still accepted.
    let relay = [("app", ""), ("flashver", "ngx-local-relay"), ("call", "update_play"), ("name", id)];
    assert_eq!(hook(&app, "update", &relay).await.status(), StatusCode::OK);
}

async fn logout_closes_the_socket_and_the_cached_session(app: TestApp) {
    let (_, token) = session(&app, Role::Viewer).await;
    assert_eq!(cameras_status(&app, &token).await, StatusCode::OK, "cached now");
    let mut ws = connect_ws(&app, &token).await;
    let (status, _) = app.post("/api/v1/auth/logout", &token, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(cameras_status(&app, &token).await, StatusCode::UNAUTHORIZED);
    assert_revoked(&next_close(&mut ws).await, "revoked");
}

async fn a_password_change_closes_the_other_sessions_sockets(app: TestApp) {
    let name = format!("rv-pw-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    app.create_user(&name, Role::Viewer).await;
    let mut tokens = vec![];
    for _ in 0..2 {
        let body: Value = app.login(&name, PASSWORD).await.json().await.unwrap();
        tokens.push(body["access_token"].as_str().unwrap().to_string());
    }
    let (current, other) = (&tokens[0], &tokens[1]);
    assert_eq!(cameras_status(&app, other).await, StatusCode::OK);
    let mut kept = connect_ws(&app, current).await;
    let mut ended = connect_ws(&app, other).await;
    let body = json!({"current_password": PASSWORD, "new_password": "another long pass 77"});
    let (status, body) = app.post("/api/v1/auth/change-password", current, body).await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(cameras_status(&app, other).await, StatusCode::UNAUTHORIZED);
    assert_revoked(&next_close(&mut ended).await, "revoked");
    // The session that changed the password goes on, socket included.
    assert_eq!(cameras_status(&app, current).await, StatusCode::OK);
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "REVOKE-PW-1").await;
    next_event(&mut kept, |v| v["type"] == "camera.created" && v["camera_id"] == cam["id"]).await;
}

async fn deactivation_closes_sockets_and_stops_the_users_tokens(app: TestApp) {
    let admin = app.admin().await;
    let (owner_id, owner) = session(&app, Role::Admin).await;
    let (_, secret) = new_token(&app, &owner).await;
    assert_eq!(cameras_status(&app, &secret).await, StatusCode::OK);
    assert_eq!(cameras_status(&app, &owner).await, StatusCode::OK);
    let mut user_ws = connect_ws(&app, &owner).await;
    let mut token_ws = connect_ws(&app, &secret).await;

    let (status, _) = app.post(&format!("/api/v1/users/{owner_id}/deactivate"), &admin, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cameras_status(&app, &owner).await, StatusCode::UNAUTHORIZED);
    let (status, body) = app.get("/api/v1/cameras", &secret).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a deactivated user's token stops: {body}");
    assert_revoked(&next_close(&mut user_ws).await, "revoked");
    assert_revoked(&next_close(&mut token_ws).await, "deactivated");
}

async fn revoking_a_token_closes_its_socket_and_refuses_it_at_once(app: TestApp) {
    let admin = app.admin().await;
    let (id, secret) = new_token(&app, &admin).await;
    assert_eq!(cameras_status(&app, &secret).await, StatusCode::OK, "cached now");
    let mut ws = connect_ws(&app, &secret).await;
    let path = format!("/api/v1/api-tokens/{id}");
    let (status, _) = app.call(Method::DELETE, &path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(cameras_status(&app, &secret).await, StatusCode::UNAUTHORIZED);
    assert_revoked(&next_close(&mut ws).await, "revoked");
}

async fn a_role_change_reaches_an_open_socket(app: TestApp) {
    let admin = app.admin().await;
    let (id, token) = session(&app, Role::Viewer).await;
    let mut ws = connect_ws(&app, &token).await;
    let path = format!("/api/v1/users/{id}");
    let (status, _) = app.call(Method::PATCH, &path, Some(&admin), Some(json!({"role": "operator"}))).await;
    assert_eq!(status, StatusCode::OK);
    let updated = next_event(&mut ws, |v| v["type"] == "session.updated").await;
    let perms = updated["data"]["permissions"].as_array().unwrap();
    assert!(perms.iter().any(|p| p == "camera.write"), "operator permissions: {updated}");
    // An API-only account cannot hold a dashboard session: the socket closes.
    let (status, _) = app.call(Method::PATCH, &path, Some(&admin), Some(json!({"role": "api"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_revoked(&next_close(&mut ws).await, "disabled");
    assert_eq!(cameras_status(&app, &token).await, StatusCode::UNAUTHORIZED);
}

/// Logout and token revocation on replica A: replica B, which had just served (and cached) the
/// same credentials and holds their sockets, refuses them on the very next request.
async fn revocation_on_one_replica_bites_on_another(a: TestApp) {
    let b = a.replica().await;
    let (_, token) = session(&a, Role::Viewer).await;
    assert_eq!(cameras_status(&b, &token).await, StatusCode::OK);
    let mut ws = connect_ws(&b, &token).await;
    let (status, _) = a.post("/api/v1/auth/logout", &token, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(cameras_status(&b, &token).await, StatusCode::UNAUTHORIZED);
    assert_revoked(&next_close(&mut ws).await, "revoked");

    let admin = a.admin().await;
    let (id, secret) = new_token(&a, &admin).await;
    assert_eq!(cameras_status(&b, &secret).await, StatusCode::OK);
    let mut ws = connect_ws(&b, &secret).await;
    let path = format!("/api/v1/api-tokens/{id}");
    assert_eq!(a.call(Method::DELETE, &path, Some(&admin), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(cameras_status(&b, &secret).await, StatusCode::UNAUTHORIZED);
    assert_revoked(&next_close(&mut ws).await, "revoked");
}

mod two_replicas {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_redis() {
        revocation_on_one_replica_bites_on_another(TestApp::spawn(Backend::Sqlite, true).await).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql_redis() {
        revocation_on_one_replica_bites_on_another(TestApp::spawn(Backend::Mysql, true).await).await
    }
}
