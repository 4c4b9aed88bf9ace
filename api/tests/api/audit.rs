use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, PASSWORD};

crate::matrix!(
    audit_log_filters_and_exports,
    csv_export_neutralises_formula_cells,
    a_change_whose_audit_entry_fails_is_not_saved
);

async fn audit_log_filters_and_exports(app: TestApp) {
    let admin = app.admin().await;
    let (_, me) = app.get("/api/v1/auth/me", &admin).await;
    let cam = app.create_camera(&admin, "AUD-1").await;
    let cam_id = cam["id"].as_str().unwrap();
    app.create_camera(&admin, "AUD-2").await;

    let (_, by_entity) =
        app.get(&format!("/api/v1/audit-logs?entity_type=camera&entity_id={cam_id}"), &admin).await;
    assert_eq!(by_entity["total"], 1);
    let entry = &by_entity["items"][0];
    assert_eq!(entry["action"], "camera.created");
    assert_eq!(entry["actor_type"], "user");
    assert_eq!(entry["actor_id"], me["id"]);
    assert_eq!(entry["ip"], "127.0.0.1");
    assert!(entry["user_agent"].is_string() || entry["user_agent"].is_null());
    assert_eq!(entry["after"]["serial_number"], "AUD-1");

    let (_, by_user) = app
        .get(
            &format!("/api/v1/audit-logs?user_id={}&action=camera.created", me["id"].as_str().unwrap()),
            &admin,
        )
        .await;
    assert_eq!(by_user["total"], 2);
    let (_, by_ip) = app.get("/api/v1/audit-logs?ip=10.9.9.9", &admin).await;
    assert_eq!(by_ip["total"], 0);
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let (status, by_date) = app.get(&format!("/api/v1/audit-logs?from={}", urlencode(&future)), &admin).await;
    assert_eq!(status, StatusCode::OK, "{by_date}");
    assert_eq!(by_date["total"], 0);
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let (_, recent) = app
        .get(
            &format!(
                "/api/v1/audit-logs?from={}&to={}&action=camera.created",
                urlencode(&past),
                urlencode(&future)
            ),
            &admin,
        )
        .await;
    assert_eq!(recent["total"], 2);
    let (status, _) = app.get("/api/v1/audit-logs?from=yesterday", &admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let resp = app
        .client
        .get(app.url("/api/v1/audit-logs/export?format=csv&action=camera.created"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = resp.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,created_at,actor_type"), "{csv}");
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(csv.contains("AUD-1") && csv.contains("AUD-2"));

    let resp = app
        .client
        .get(app.url("/api/v1/audit-logs/export?format=json"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let all: Vec<Value> = resp.json().await.unwrap();
    let (_, listed) = app.get("/api/v1/audit-logs?limit=1", &admin).await;
    assert_eq!(all.len() as i64, listed["total"].as_i64().unwrap());
    let resp = app
        .client
        // A known action nothing in this test wrote.
        .get(app.url("/api/v1/audit-logs/export?format=json&action=recording.played"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let none: Vec<Value> = resp.json().await.unwrap();
    assert!(none.is_empty());
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn export_streams_more_rows_than_one_chunk() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite, false).await;
    let admin = app.admin().await;
    let actor = argus::services::audit::Actor::system();
    for i in 0..1203 {
        let change = argus::services::audit::Change::new(argus::domain::AuditAction::RecordingPlayed)
            .on("thing", &i.to_string());
        argus::services::audit::record(&app.state, &actor, &Default::default(), change).await.unwrap();
    }
    let resp = app
        .client
        .get(app.url("/api/v1/audit-logs/export?format=json&action=recording.played"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let rows: Vec<Value> = resp.json().await.unwrap();
    assert_eq!(rows.len(), 1203);
    let ids: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["entity_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1203, "no row repeated or skipped across chunks");
    let csv = app
        .client
        .get(app.url("/api/v1/audit-logs/export?action=recording.played"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 1204);
}

async fn csv_export_neutralises_formula_cells(app: TestApp) {
    let admin = app.admin().await;
    let agent = r#"=HYPERLINK("http://x.example/","x")"#;
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("User-Agent", agent)
        .json(&serde_json::json!({"username": "=2+3", "password": "wrong password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // The failed login is recorded in the background: wait for its row.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let csv = loop {
        let csv = app
            .client
            .get(app.url("/api/v1/audit-logs/export?format=csv&action=auth.login.failed"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if csv.lines().count() > 1 || std::time::Instant::now() > deadline {
            break csv;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 1, "{csv}");
    let cells: Vec<&str> = rows[0].iter().collect();
    assert!(cells.contains(&"'=2+3"), "{csv}");
    assert!(cells.contains(&format!("'{agent}").as_str()), "{csv}");
    assert!(cells.iter().all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r'])), "{csv}");
}

/// Makes every audit insert fail (or work again), as a full disk or a broken table would.
async fn refuse_audit_writes(app: &TestApp, refuse: bool) {
    use diesel::connection::SimpleConnection;
    let sql = match (app.state.db.backend(), refuse) {
        (_, false) => "DROP TRIGGER refuse_audit",
        (argus::db::Backend::Sqlite, true) => {
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_logs BEGIN SELECT RAISE(ABORT, 'audit refused'); END;"
        }
        (argus::db::Backend::Mysql, true) => {
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_logs FOR EACH ROW \
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit refused'"
        }
    };
    app.state.db.run(move |c| c.batch_execute(sql).map_err(Into::into)).await.expect("trigger");
}

/// The audit row commits with its change: when it cannot be written, the change is not saved
/// either (before, the change was saved and the caller got a 5xx for it).
async fn a_change_whose_audit_entry_fails_is_not_saved(app: TestApp) {
    use reqwest::Method;
    use serde_json::json;
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "AUD-TX-0").await;
    let cam_path = format!("/api/v1/cameras/{}", cam["id"].as_str().unwrap());
    let (_, user) = app
        .post("/api/v1/users", &admin, json!({"username": "tx-user", "password": PASSWORD, "role": "viewer"}))
        .await;
    let user_path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
    let (status, created) =
        app.post("/api/v1/api-tokens", &admin, json!({"remark": "tx", "permissions": ["camera.read"]})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token_path = format!("/api/v1/api-tokens/{}", created["token"]["id"].as_str().unwrap());

    refuse_audit_writes(&app, true).await;
    let attempts = [
        (
            Method::POST,
            "/api/v1/cameras".to_string(),
            Some(json!({"name": "new", "serial_number": "AUD-TX-NEW"})),
        ),
        (Method::PATCH, cam_path.clone(), Some(json!({"name": "renamed"}))),
        (Method::DELETE, cam_path.clone(), None),
        (
            Method::POST,
            "/api/v1/users".into(),
            Some(json!({"username": "tx-new", "password": PASSWORD, "role": "viewer"})),
        ),
        (Method::PATCH, user_path.clone(), Some(json!({"role": "operator"}))),
        (
            Method::POST,
            "/api/v1/api-tokens".into(),
            Some(json!({"remark": "tx-new", "permissions": ["camera.read"]})),
        ),
        (Method::DELETE, token_path.clone(), None),
    ];
    for (method, path, body) in attempts {
        let (status, answer) = app.call(method.clone(), &path, Some(&admin), body).await;
        assert!(status.is_server_error(), "{method} {path}: {status} {answer}");
    }
    // Nothing of it was saved.
    let (_, found) = app.get("/api/v1/cameras?q=AUD-TX-NEW", &admin).await;
    assert_eq!(found["total"], 0, "{found}");
    let (status, camera) = app.get(&cam_path, &admin).await;
    assert_eq!((status, camera["name"].as_str()), (StatusCode::OK, cam["name"].as_str()), "{camera}");
    let (_, users) = app.get("/api/v1/users?q=tx-new", &admin).await;
    assert!(users["items"].as_array().unwrap().iter().all(|u| u["username"] != "tx-new"), "{users}");
    let (_, user_now) = app.get(&user_path, &admin).await;
    assert_eq!(user_now["role"], "viewer");
    let (_, tokens) = app.get("/api/v1/api-tokens", &admin).await;
    assert_eq!(tokens["total"], 1, "{tokens}");
    let (_, token_now) = app.get(&token_path, &admin).await;
    assert!(token_now["revoked_at"].is_null(), "{token_now}");

    refuse_audit_writes(&app, false).await;
    let (status, _) =
        app.call(Method::PATCH, &cam_path, Some(&admin), Some(json!({"name": "renamed"}))).await;
    assert_eq!(status, StatusCode::OK);
    let entries = app.audit(&admin, "camera.updated").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["after"]["name"], "renamed");
}
