//! Health, readiness, metrics, OpenAPI and the error shape of unmatched routes.

use reqwest::{Method, StatusCode};

use crate::helpers::{error_code, Backend, TestApp};

#[tokio::test]
async fn health_and_readiness_report_dependencies() {
    let app = TestApp::spawn(Backend::Mysql, true).await;
    let (status, body) = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (status, body) = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["redis"], "ok");
    let sqlite = TestApp::spawn(Backend::Sqlite, false).await;
    let (_, body) = sqlite.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(body["redis"], "not configured");
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = TestApp::spawn(Backend::Sqlite, false).await;
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "M-1").await;
    app.get(&format!("/api/v1/cameras/{}", cam["id"].as_str().unwrap()), &admin).await;
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/api/v1/cameras/{id}",status_code="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"http_requests_total{method="POST",route="/api/v1/cameras",status_code="201"} 1"#)
    );
    assert!(text.contains("http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn openapi_document_describes_auth_and_docs_ui_is_served() {
    let app = TestApp::spawn(Backend::Sqlite, false).await;
    let (status, doc) = app.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
    assert!(doc["paths"]["/api/v1/cameras"]["post"]["requestBody"].is_object());
    assert!(doc["components"]["schemas"]["CameraView"].is_object());
    let resp = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn unknown_api_route_and_missing_credentials_use_the_error_shape() {
    let app = TestApp::spawn(Backend::Sqlite, false).await;
    let (status, body) = app.call(Method::GET, "/api/v1/nothing-here", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "not_found");
    let (status, body) = app.call(Method::GET, "/api/v1/cameras", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "unauthorized");
    let (status, _) = app.call(Method::GET, "/api/v1/cameras", Some("not-a-jwt"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn first_start_bootstraps_one_admin_only() {
    let app = TestApp::spawn(Backend::Sqlite, false).await;
    let (user, password) =
        argus::services::users::bootstrap_admin(&app.state).await.unwrap().expect("created on empty db");
    assert_eq!(user, "admin");
    assert_eq!(app.login("admin", &password).await.status(), StatusCode::OK);
    assert!(argus::services::users::bootstrap_admin(&app.state).await.unwrap().is_none(), "never twice");
}
