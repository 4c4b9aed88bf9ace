//! Every route × every kind of caller → the exact expected status. The route table is checked
//! against the generated OpenAPI document, so a new route without a row here fails the test.

use std::collections::BTreeSet;

use argus::auth::{Permission, RequestMeta, Role};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{Backend, TestApp, PASSWORD};

#[derive(Clone, Copy, Debug)]
enum Access {
    Public,
    /// Any signed-in dashboard user; API tokens get 400 (they have no session or password).
    Session,
    /// Any authenticated caller.
    Authenticated,
    Needs(Permission),
    /// nginx hooks and the transcoder: only the hook secret opens them (nobody here has it).
    Hook,
    /// Only a signed link opens it (recorded playback): 403 for any caller without one.
    Signed,
}

struct Route {
    method: &'static str,
    path: &'static str,
    access: Access,
    /// Status when the caller is allowed, given the sample body.
    success: u16,
}

const fn r(method: &'static str, path: &'static str, access: Access, success: u16) -> Route {
    Route { method, path, access, success }
}

use Access::*;
use Permission::*;

const ROUTES: &[Route] = &[
    r("POST", "/api/v1/auth/login", Public, 200),
    r("POST", "/api/v1/auth/refresh", Public, 200),
    r("POST", "/api/v1/auth/logout", Session, 204),
    r("GET", "/api/v1/auth/me", Session, 200),
    r("POST", "/api/v1/auth/change-password", Session, 422),
    r("GET", "/api/v1/permissions", Authenticated, 200),
    r("GET", "/api/v1/users", Needs(UserManage), 200),
    r("POST", "/api/v1/users", Needs(UserManage), 201),
    r("GET", "/api/v1/users/{id}", Needs(UserManage), 200),
    r("PATCH", "/api/v1/users/{id}", Needs(UserManage), 200),
    r("POST", "/api/v1/users/{id}/deactivate", Needs(UserManage), 200),
    r("GET", "/api/v1/cameras", Needs(CameraRead), 200),
    r("POST", "/api/v1/cameras", Needs(CameraWrite), 201),
    r("GET", "/api/v1/cameras/{id}", Needs(CameraRead), 200),
    r("PATCH", "/api/v1/cameras/{id}", Needs(CameraWrite), 200),
    r("DELETE", "/api/v1/cameras/{id}", Needs(CameraWrite), 204),
    r("POST", "/api/v1/cameras/{id}/activate", Needs(CameraWrite), 200),
    r("POST", "/api/v1/cameras/{id}/deactivate", Needs(CameraWrite), 200),
    r("POST", "/api/v1/cameras/{id}/rotate-key", Needs(CameraWrite), 200),
    r("GET", "/api/v1/api-tokens", Needs(TokenManage), 200),
    r("POST", "/api/v1/api-tokens", Needs(TokenManage), 201),
    r("GET", "/api/v1/api-tokens/{id}", Needs(TokenManage), 200),
    r("DELETE", "/api/v1/api-tokens/{id}", Needs(TokenManage), 204),
    r("GET", "/api/v1/audit-logs", Needs(AuditRead), 200),
    r("GET", "/api/v1/audit-logs/export", Needs(AuditRead), 200),
    r("GET", "/api/v1/jobs", Needs(JobRead), 200),
    r("GET", "/api/v1/jobs/{name}/runs", Needs(JobRead), 200),
    r("POST", "/api/v1/jobs/{name}/run", Needs(JobRun), 200),
    r("GET", "/api/v1/dashboard/stats", Needs(StatsRead), 200),
    r("GET", "/api/v1/profiles", Needs(CameraRead), 200),
    r("GET", "/api/v1/cameras/{id}/playback", Needs(CameraWatch), 200),
    r("GET", "/api/v1/cameras/{id}/timeline", Needs(RecordingRead), 200),
    r("GET", "/api/v1/cameras/{id}/sessions", Needs(CameraRead), 200),
    r("GET", "/api/v1/cameras/{id}/availability", Needs(CameraRead), 200),
    // A fresh camera has no footage: allowed callers get the handler's 422 `no_footage`.
    r("GET", "/api/v1/cameras/{id}/playback/recorded", Needs(RecordingRead), 422),
    r("POST", "/api/v1/cameras/{id}/exports", Needs(RecordingRead), 422),
    r("GET", "/api/v1/playback/recorded/{camera_id}/index.m3u8", Signed, 403),
    r("GET", "/api/v1/playback/recorded/{camera_id}/{recording_id}/{n}.ts", Signed, 403),
    r("GET", "/api/v1/exports", Needs(RecordingRead), 200),
    // No such export: allowed callers reach the handler, which answers 404.
    r("GET", "/api/v1/exports/{id}", Needs(RecordingRead), 404),
    r("DELETE", "/api/v1/exports/{id}", Needs(RecordingRead), 404),
    r("GET", "/api/v1/exports/{id}/download", Needs(RecordingRead), 404),
    r("GET", "/api/v1/alert-channels", Needs(AlertChannelManage), 200),
    r("POST", "/api/v1/alert-channels", Needs(AlertChannelManage), 201),
    r("GET", "/api/v1/alert-channels/{id}", Needs(AlertChannelManage), 200),
    r("PATCH", "/api/v1/alert-channels/{id}", Needs(AlertChannelManage), 200),
    r("DELETE", "/api/v1/alert-channels/{id}", Needs(AlertChannelManage), 204),
    r("POST", "/api/v1/alert-channels/{id}/test", Needs(AlertChannelManage), 202),
    r("GET", "/api/v1/alert-channels/{id}/deliveries", Needs(AlertChannelManage), 200),
    // Allowed callers reach the handshake, which refuses a plain GET without upgrade headers.
    r("GET", "/api/v1/ws", Needs(CameraRead), 400),
    r("GET", "/api/v1/recordings", Needs(RecordingRead), 200),
    r("GET", "/api/v1/recordings/{id}", Needs(RecordingRead), 200),
    r("GET", "/api/v1/recordings/{id}/links", Needs(RecordingRead), 200),
    r("GET", "/api/v1/recordings/{id}/download", Needs(RecordingRead), 200),
    r("GET", "/api/v1/recordings/{id}/stream", Needs(RecordingRead), 200),
    r("DELETE", "/api/v1/recordings/{id}", Needs(RecordingDelete), 204),
    r("PUT", "/api/v1/recordings/{id}/hold", Needs(RecordingHold), 200),
    r("DELETE", "/api/v1/recordings/{id}/hold", Needs(RecordingHold), 200),
    r("GET", "/api/v1/storage/plan", Needs(RecordingDelete), 200),
    r("GET", "/api/v1/storage", Needs(RecordingDelete), 200),
    r("POST", "/api/v1/streaming/auth", Hook, 302),
    r("POST", "/api/v1/streaming/update", Hook, 200),
    r("POST", "/api/v1/streaming/publish-done", Hook, 200),
    r("POST", "/api/v1/streaming/record-done", Hook, 200),
    r("GET", "/api/v1/streaming/transcode-config", Hook, 200),
    r("POST", "/api/v1/streaming/quality", Hook, 204),
    r("POST", "/api/v1/streaming/transcoder-restart", Hook, 204),
    r("GET", "/api/v1/alerts", Needs(AlertRead), 200),
    r("GET", "/api/v1/alerts/summary", Needs(AlertRead), 200),
    // No such alert: allowed callers reach the handler, which answers 404.
    r("GET", "/api/v1/alerts/{id}", Needs(AlertRead), 404),
    r("POST", "/api/v1/alerts/{id}/acknowledge", Needs(AlertManage), 404),
    r("POST", "/api/v1/alerts/{id}/resolve", Needs(AlertManage), 404),
];

enum Caller {
    Anonymous,
    User(Role),
    Token(&'static str, Vec<Permission>),
}

impl Caller {
    fn label(&self) -> String {
        match self {
            Caller::Anonymous => "anonymous".into(),
            Caller::User(r) => r.as_str().into(),
            Caller::Token(name, _) => format!("token:{name}"),
        }
    }

    fn expected(&self, route: &Route) -> u16 {
        match (self, route.access) {
            (_, Public) => route.success,
            (_, Hook | Signed) => 403,
            (Caller::Anonymous, _) => 401,
            (Caller::Token(..), Session) => 400,
            (_, Session | Authenticated) => route.success,
            (Caller::User(role), Needs(p)) => {
                if role.has(p) {
                    route.success
                } else {
                    403
                }
            }
            (Caller::Token(_, perms), Needs(p)) => {
                if perms.contains(&p) {
                    route.success
                } else {
                    403
                }
            }
        }
    }
}

/// Fresh resources per call, so destructive calls (delete, revoke, logout) never disturb others.
async fn prepare(app: &TestApp, route: &Route, n: usize) -> (String, Option<Value>) {
    let meta = RequestMeta::default();
    let system = argus::auth::Principal::User(argus::auth::principal::UserPrincipal {
        id: "system".into(),
        username: "system".into(),
        role: Role::Admin,
        session_id: String::new(),
    });
    let id = if route.path.starts_with("/api/v1/users/") {
        app.create_user(&format!("target{n}"), Role::Viewer).await
    } else if route.path.starts_with("/api/v1/cameras/") {
        let input: argus::services::cameras::NewCamera =
            serde_json::from_value(json!({"name": "t", "serial_number": format!("RBAC-{n}")})).unwrap();
        let system = argus::auth::Principal::Token(argus::auth::principal::TokenPrincipal {
            id: "system".into(),
            remark: "test".into(),
            permissions: vec![CameraWrite],
            camera_ids: None,
            owner: "system".into(),
        });
        argus::services::cameras::create(&app.state, &system, input, &meta).await.unwrap().id
    } else if route.path.starts_with("/api/v1/recordings/") {
        crate::streaming::insert_recording(app).await
    } else if route.path.starts_with("/api/v1/exports/") {
        "no-such-export".to_string()
    } else if route.path.starts_with("/api/v1/alerts/") {
        "no-such-alert".to_string()
    } else if route.path.starts_with("/api/v1/api-tokens/") {
        let input: argus::services::tokens::NewApiToken =
            serde_json::from_value(json!({"remark": "t", "permissions": ["camera.read"]})).unwrap();
        argus::services::tokens::create(&app.state, &system, input, &meta).await.unwrap().token.id
    } else if route.path.starts_with("/api/v1/alert-channels/") {
        let input: argus::services::alert_channels::NewChannel =
            serde_json::from_value(json!({"name": "t", "kind": "email", "to": ["ops@example.com"]})).unwrap();
        argus::services::alert_channels::create(&app.state, &system, input, &meta).await.unwrap().channel.id
    } else {
        String::new()
    };
    // A job whose run is harmless here (no nginx, no chunks).
    let mut path = route.path.replace("{id}", &id).replace("{name}", "rotate-chunks");
    if route.path.ends_with("/timeline") || route.path.contains("/playback/recorded") {
        path.push_str("?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z");
    }
    let path = path
        .replace("{camera_id}", "no-camera")
        .replace("{recording_id}", "no-recording")
        .replace("{n}", "0");
    let body = match (route.method, route.path) {
        ("POST", "/api/v1/auth/login") => Some(json!({"username": "rbac-admin", "password": PASSWORD})),
        ("POST", "/api/v1/auth/refresh") => {
            let login: Value = app.login("rbac-admin", PASSWORD).await.json().await.unwrap();
            Some(json!({"refresh_token": login["refresh_token"]}))
        }
        ("POST", "/api/v1/auth/change-password") => {
            Some(json!({"current_password": "not it 1", "new_password": "whatever 12345"}))
        }
        ("POST", "/api/v1/users") => {
            Some(json!({"username": format!("new{n}"), "password": PASSWORD, "role": "viewer"}))
        }
        ("PATCH", "/api/v1/users/{id}") => Some(json!({"email": "someone@example.com"})),
        ("POST", "/api/v1/cameras") => Some(json!({"name": "n", "serial_number": format!("NEW-{n}")})),
        ("PATCH", "/api/v1/cameras/{id}") => Some(json!({"name": "renamed"})),
        ("POST", "/api/v1/alert-channels") => {
            Some(json!({"name": format!("hook {n}"), "kind": "email", "to": ["ops@example.com"]}))
        }
        ("PATCH", "/api/v1/alert-channels/{id}") => Some(json!({"name": "renamed"})),
        ("POST", "/api/v1/api-tokens") => Some(json!({"remark": "r", "permissions": ["camera.read"]})),
        ("POST", "/api/v1/cameras/{id}/exports") => {
            Some(json!({"from": "2026-12-01T00:00:00Z", "to": "2026-12-01T01:00:00Z"}))
        }
        ("POST", _) => Some(json!({})),
        _ => None,
    };
    (path, body)
}

/// A credential for the caller; sessions are fresh for `logout` so it can end them safely.
async fn credential(
    app: &TestApp,
    caller: &Caller,
    tokens: &[(&str, String)],
    fresh_session: bool,
    sessions: &std::collections::HashMap<&'static str, String>,
) -> Option<String> {
    match caller {
        Caller::Anonymous => None,
        Caller::User(role) if fresh_session => {
            let login: Value =
                app.login(&format!("rbac-{}", role.as_str()), PASSWORD).await.json().await.unwrap();
            login["access_token"].as_str().map(str::to_string)
        }
        Caller::User(role) => sessions.get(role.as_str()).cloned(),
        Caller::Token(name, _) => tokens.iter().find(|(n, _)| n == name).map(|(_, s)| s.clone()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_caller_as_the_permission_table_says() {
    let app = TestApp::spawn(Backend::Sqlite, false).await;
    let mut sessions = std::collections::HashMap::new();
    for role in [Role::Admin, Role::Operator, Role::Viewer] {
        app.create_user(&format!("rbac-{}", role.as_str()), role).await;
        let login: Value =
            app.login(&format!("rbac-{}", role.as_str()), PASSWORD).await.json().await.unwrap();
        sessions.insert(role.as_str(), login["access_token"].as_str().unwrap().to_string());
    }
    let admin = sessions["admin"].clone();
    let all_grantable: Vec<Permission> =
        Permission::ALL.iter().copied().filter(|p| argus::auth::permissions::token_grantable(*p)).collect();
    let callers = vec![
        Caller::Anonymous,
        Caller::User(Role::Admin),
        Caller::User(Role::Operator),
        Caller::User(Role::Viewer),
        Caller::Token("full", all_grantable.clone()),
        Caller::Token("read-only", vec![CameraRead]),
    ];
    let mut tokens = vec![];
    for (name, perms) in [("full", &all_grantable), ("read-only", &vec![CameraRead])] {
        let names: Vec<&str> = perms.iter().map(|p| p.as_str()).collect();
        let (_, created) = app
            .post(
                "/api/v1/api-tokens",
                &admin,
                json!({"remark": name, "permissions": names, "rate_limit_per_hour": 100000}),
            )
            .await;
        tokens.push((name, created["secret"].as_str().unwrap().to_string()));
    }

    // The table covers exactly the documented routes.
    let (_, doc) = app.call(Method::GET, "/api/openapi.json", None, None).await;
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object().unwrap().keys().map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let tabled: BTreeSet<(String, String)> =
        ROUTES.iter().map(|r| (r.method.to_string(), r.path.to_string())).collect();
    assert_eq!(documented, tabled, "route table and OpenAPI document differ");

    let mut failures = vec![];
    let mut n = 0;
    for route in ROUTES {
        for caller in &callers {
            n += 1;
            let (path, body) = prepare(&app, route, n).await;
            let fresh = route.path == "/api/v1/auth/logout";
            let cred = credential(&app, caller, &tokens, fresh, &sessions).await;
            let (status, resp) = app.call(route.method.parse().unwrap(), &path, cred.as_deref(), body).await;
            let expected = caller.expected(route);
            if status.as_u16() != expected {
                failures.push(format!(
                    "{} {} as {}: expected {expected}, got {status} {resp}",
                    route.method,
                    route.path,
                    caller.label()
                ));
            }
            if !status.is_success() {
                assert!(
                    resp["error"]["code"].is_string(),
                    "{} {}: error body {resp}",
                    route.method,
                    route.path
                );
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));

    // Permission denials are audited (in the background); hook refusals are not user denials.
    let expected_denials = ROUTES
        .iter()
        .flat_map(|r| callers.iter().map(move |c| (r, c)))
        .filter(|(r, c)| c.expected(r) == 403 && !matches!(r.access, Hook | Signed))
        .count() as i64;
    let mut denied = 0;
    for _ in 0..100 {
        let (_, log) = app.get("/api/v1/audit-logs?action=access.denied&limit=1", &admin).await;
        denied = log["total"].as_i64().unwrap_or(0);
        if denied >= expected_denials {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(denied, expected_denials);
}
