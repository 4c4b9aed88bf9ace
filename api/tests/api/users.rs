use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{error_code, TestApp, PASSWORD};

crate::matrix!(admin_manages_users, user_input_is_validated);

async fn admin_manages_users(app: TestApp) {
    let admin = app.admin().await;
    let (status, user) = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "ivy", "password": PASSWORD, "role": "operator", "email": "ivy@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["role"], "operator");
    assert!(user.get("password_hash").is_none());
    let id = user["id"].as_str().unwrap();
    let (status, dup) = app
        .post("/api/v1/users", &admin, json!({"username": "ivy", "password": PASSWORD, "role": "viewer"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&dup), "conflict");
    let (_, list) = app.get("/api/v1/users?role=operator", &admin).await;
    assert_eq!(list["total"], 1);
    let (status, updated) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            Some(&admin),
            Some(json!({"role": "viewer", "email": null})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["role"], "viewer");
    assert_eq!(updated["email"], serde_json::Value::Null);
    // The role change applies to the user's existing session immediately.
    let ivy: serde_json::Value = app.login("ivy", PASSWORD).await.json().await.unwrap();
    let ivy_token = ivy["access_token"].as_str().unwrap();
    let (status, _) =
        app.post("/api/v1/cameras", ivy_token, json!({"name": "x", "serial_number": "IVY"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let log = app.audit(&admin, "user.updated").await;
    assert_eq!(log[0]["before"]["role"], "operator");
    assert_eq!(log[0]["after"]["role"], "viewer");
    let (_, inactive) = app.post(&format!("/api/v1/users/{id}/deactivate"), &admin, json!({})).await;
    assert_eq!(inactive["is_active"], false);
    assert_eq!(app.get("/api/v1/auth/me", ivy_token).await.0, StatusCode::UNAUTHORIZED);
    // An admin cannot lock themselves out.
    let (_, me) = app.get("/api/v1/auth/me", &admin).await;
    let (status, _) = app
        .post(&format!("/api/v1/users/{}/deactivate", me["id"].as_str().unwrap()), &admin, json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.get("/api/v1/users/nope", &admin).await.0, StatusCode::NOT_FOUND);
}

async fn user_input_is_validated(app: TestApp) {
    let admin = app.admin().await;
    for (body, field) in [
        (json!({"username": "ab", "password": PASSWORD, "role": "viewer"}), "username"),
        (json!({"username": "has space", "password": PASSWORD, "role": "viewer"}), "username"),
        (json!({"username": "jack", "password": "short", "role": "viewer"}), "password"),
        (json!({"username": "jack", "password": PASSWORD, "role": "viewer", "email": "not-mail"}), "email"),
    ] {
        let (status, resp) = app.post("/api/v1/users", &admin, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {resp}");
        assert!(resp["error"]["details"][field].is_array(), "{resp}");
    }
    let (status, _) = app
        .post("/api/v1/users", &admin, json!({"username": "jack", "password": PASSWORD, "role": "superuser"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, list) = app.get("/api/v1/users", &admin).await;
    assert_eq!(list["total"], 1, "only the admin exists");
}
