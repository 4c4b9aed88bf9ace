//! Stream status, storage tier and audit action are closed vocabularies: a stored value outside
//! them is a clean error (never a panic, never a silent default), a filter outside them a 400.

use argus::{
    db::{
        self,
        schema::{audit_logs, cameras, recordings},
    },
    error::{AppError, ErrorCode},
};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::helpers::{error_code, TestApp};

crate::matrix!(unknown_stored_values_are_clean_errors, unknown_filter_values_are_bad_requests);

/// A database error that names the value no variant spells.
fn assert_unknown(err: AppError, what: &str) {
    assert_eq!(err.code, ErrorCode::Internal, "{}", err.message);
    assert!(err.message.contains(what), "{}", err.message);
}

async fn unknown_stored_values_are_clean_errors(app: TestApp) {
    let admin = app.admin().await;
    let camera = app.create_camera(&admin, "ENUM-1").await;
    let id = camera["id"].as_str().unwrap().to_string();
    let rid = crate::streaming::insert_recording(&app).await;
    let (cid, recording) = (id.clone(), rid.clone());
    // Values no version of Argus writes, put there behind its back.
    app.state
        .db
        .run(move |c| {
            diesel::update(cameras::table.find(&cid))
                .set(cameras::stream_status.eq("sleeping"))
                .execute(c)?;
            diesel::update(recordings::table.find(&recording))
                .set(recordings::tier.eq("lukewarm"))
                .execute(c)?;
            diesel::update(audit_logs::table.filter(audit_logs::action.eq("camera.created")))
                .set(audit_logs::action.eq("camera.teleported"))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();

    let cid = id.clone();
    assert_unknown(
        app.state.db.run(move |c| db::cameras::find(c, &cid)).await.unwrap_err(),
        "'sleeping' is not a known stream status",
    );
    assert_unknown(
        app.state.db.run(move |c| db::recordings::find(c, &rid)).await.unwrap_err(),
        "'lukewarm' is not a known storage tier",
    );
    assert_unknown(
        app.state.db.run(db::audit_chain::verify).await.unwrap_err(),
        "'camera.teleported' is not a known audit action",
    );
    // Over HTTP: the usual error body, with the cause kept out of it.
    for path in [format!("/api/v1/cameras/{id}"), "/api/v1/recordings".into(), "/api/v1/audit-logs".into()] {
        let (status, body) = app.get(&path, &admin).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{path}: {body}");
        assert_eq!(error_code(&body), "internal", "{path}");
    }
}

async fn unknown_filter_values_are_bad_requests(app: TestApp) {
    let admin = app.admin().await;
    for path in [
        "/api/v1/audit-logs?action=camera.teleported",
        "/api/v1/audit-logs/export?format=csv&action=camera.teleported",
        "/api/v1/cameras?stream_status=sleeping",
    ] {
        let (status, body) = app.get(path, &admin).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(error_code(&body), "bad_request", "{path}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("unknown variant"), "{path}: {message}");
    }
    // A known action that matched nothing is an empty page, not an error.
    let (status, page) = app.get("/api/v1/audit-logs?action=recording.played", &admin).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 0);
}
