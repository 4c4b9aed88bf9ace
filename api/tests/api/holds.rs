//! Legal hold, on a recording (`PUT`/`DELETE /recordings/{id}/hold`) or a camera (`legal_hold`
//! in the camera update): held footage never moves tier, never expires and cannot be deleted;
//! setting and lifting are admin-only (`recording.hold`) and audited.

use argus::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{error_code, TestApp},
    retention::{camera, hot_file, kept, moved_file, recording, run, with_lifecycle},
};

crate::matrix!(held_footage_never_moves_expires_or_is_deleted);

async fn hold(app: &TestApp, token: &str, id: &str, method: Method) -> (StatusCode, Value) {
    app.call(method, &format!("/api/v1/recordings/{id}/hold"), Some(token), None).await
}

async fn patch_camera(app: &TestApp, token: &str, id: &str, body: Value) -> (StatusCode, Value) {
    app.call(Method::PATCH, &format!("/api/v1/cameras/{id}"), Some(token), Some(body)).await
}

async fn delete_recording(app: &TestApp, token: &str, id: &str) -> (StatusCode, Value) {
    app.call(Method::DELETE, &format!("/api/v1/recordings/{id}"), Some(token), None).await
}

async fn held_footage_never_moves_expires_or_is_deleted(app: TestApp) {
    let (admin, operator) = (app.admin().await, app.token_for(Role::Operator).await);
    let free_cam = camera(&app, &admin, "HOLD-FREE", Value::Null).await;
    let held_cam = camera(&app, &admin, "HOLD-CAM", Value::Null).await;
    let own_old = recording(&app, &free_cam, "own-old", 40).await;
    let own_mid = recording(&app, &free_cam, "own-mid", 10).await;
    let free_old = recording(&app, &free_cam, "free-old", 40).await;
    let free_mid = recording(&app, &free_cam, "free-mid", 10).await;
    let cam_old = recording(&app, &held_cam, "cam-old", 40).await;
    let cam_mid = recording(&app, &held_cam, "cam-mid", 10).await;

    // Only admins (recording.hold) set holds; an operator edits cameras but not their hold.
    assert_eq!(hold(&app, &operator, &own_old, Method::PUT).await.0, StatusCode::FORBIDDEN);
    let (status, err) = patch_camera(&app, &operator, &held_cam, json!({"legal_hold": true})).await;
    assert_eq!((status, error_code(&err)), (StatusCode::FORBIDDEN, "forbidden"), "{err}");
    for id in [&own_old, &own_mid] {
        let (status, rec) = hold(&app, &admin, id, Method::PUT).await;
        assert_eq!((status, &rec["legal_hold"]), (StatusCode::OK, &json!(true)), "{rec}");
    }
    let (status, cam) = patch_camera(&app, &admin, &held_cam, json!({"legal_hold": true})).await;
    assert_eq!((status, &cam["legal_hold"]), (StatusCode::OK, &json!(true)), "{cam}");
    assert_eq!(hold(&app, &admin, "no-such-recording", Method::PUT).await.0, StatusCode::NOT_FOUND);

    // Deleting held footage is refused, whoever asks.
    for id in [&own_old, &cam_old] {
        let (status, err) = delete_recording(&app, &admin, id).await;
        assert_eq!((status, error_code(&err)), (StatusCode::CONFLICT, "conflict"), "{err}");
    }

    // A run with a 30-day retention and lower tiers: only the free footage expires or moves.
    let mut files = std::collections::HashMap::new();
    for id in [&own_old, &own_mid, &free_old, &cam_old, &cam_mid] {
        files.insert(id.clone(), hot_file(&app, id).await);
    }
    let (configured, tiers) = with_lifecycle(&app).await;
    let report = run(&configured).await;
    assert_eq!((report.expired, report.moved, report.failed), (1, 1, 0), "{report:?}");
    assert!(!kept(&app, &free_old, &files[&free_old]).await);
    moved_file(&app, &tiers, &free_mid, "warm").await;
    for id in [&own_old, &own_mid, &cam_old, &cam_mid] {
        assert!(kept(&app, id, &files[id]).await, "held: still on HOT");
    }

    // Lifted (the camera's together with an edit): the next run catches up.
    let (status, rec) = hold(&app, &admin, &own_old, Method::DELETE).await;
    assert_eq!((status, &rec["legal_hold"]), (StatusCode::OK, &json!(false)), "{rec}");
    let (status, cam) =
        patch_camera(&app, &admin, &held_cam, json!({"legal_hold": false, "name": "Released"})).await;
    assert_eq!(
        (status, &cam["legal_hold"], &cam["name"]),
        (StatusCode::OK, &json!(false), &json!("Released"))
    );
    let report = run(&configured).await;
    assert_eq!((report.expired, report.moved, report.failed), (2, 1, 0), "{report:?}");
    assert!(!kept(&app, &own_old, &files[&own_old]).await);
    assert!(!kept(&app, &cam_old, &files[&cam_old]).await);
    moved_file(&app, &tiers, &cam_mid, "warm").await;
    assert!(kept(&app, &own_mid, &files[&own_mid]).await, "still held");

    for (action, entity, count) in [
        ("recording.hold_set", "recording", 2),
        ("recording.hold_lifted", "recording", 1),
        ("camera.hold_set", "camera", 1),
        ("camera.hold_lifted", "camera", 1),
        ("camera.updated", "camera", 1),
    ] {
        let entries = app.audit(&admin, action).await;
        assert_eq!(entries.len(), count, "{action}: {entries:?}");
        assert!(entries.iter().all(|e| e["actor_type"] == "user" && e["entity_type"] == entity), "{action}");
    }
    let lifted = &app.audit(&admin, "camera.hold_lifted").await[0];
    assert_eq!(
        (&lifted["before"]["legal_hold"], &lifted["after"]["legal_hold"]),
        (&json!(true), &json!(false))
    );
}
