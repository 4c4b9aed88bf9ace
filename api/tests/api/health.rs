//! A camera's health history: `GET /api/v1/cameras/{id}/sessions` (with the bytes the stream
//! reconciliation reads from nginx's `/stat`) and `GET /api/v1/cameras/{id}/availability`
//! (uptime and recording continuity over 24 hours and 7 days), from sessions and recordings
//! set up directly.

use argus::{
    dataplane::stat::{LiveStream, Snapshot},
    db::{self, schema::cameras},
    services::{
        queues::StreamEvent,
        stream_state::{self, StallWatch},
        stream_writer,
    },
};
use chrono::{DateTime, Duration, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::{error_code, TestApp},
    timeline::{chunk, session},
};

crate::matrix!(
    sessions_are_listed_newest_first_with_their_bytes,
    availability_is_measured_over_24_hours_and_7_days
);

fn rfc(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn at(v: &Value) -> NaiveDateTime {
    v.as_str().expect("timestamp").parse::<DateTime<Utc>>().expect("RFC 3339").naive_utc()
}

/// nginx's `/stat` of this node says `camera` is published by client `client` with `bytes`.
async fn reconcile(app: &TestApp, camera: &str, client: &str, bytes: u64) {
    let stream = LiveStream {
        app: "live".into(),
        name: camera.to_string(),
        bytes_in: bytes,
        time_ms: 5000,
        publisher: Some(client.to_string()),
        publisher_addr: None,
    };
    let snapshot = Snapshot { node: app.state.settings.media.node_id.clone(), streams: vec![stream] };
    stream_state::reconcile(&app.state, &StallWatch::default(), snapshot).await.expect("reconciled");
}

async fn set_created_at(app: &TestApp, camera: &str, created_at: NaiveDateTime) {
    let id = camera.to_string();
    let set = move |c: &mut db::DbConn| {
        diesel::update(cameras::table.find(&id)).set(cameras::created_at.eq(created_at)).execute(c)?;
        Ok(())
    };
    app.state.db.run(set).await.expect("set created_at");
}

fn started(page: &Value) -> Vec<NaiveDateTime> {
    page["items"].as_array().expect("items").iter().map(|s| at(&s["started_at"])).collect()
}

async fn sessions_are_listed_newest_first_with_their_bytes(app: TestApp) {
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "HS-1").await["id"].as_str().expect("id").to_string();
    let base = (db::now() - Duration::hours(10)).trunc_subsecs(0);
    let h = |n: i64| base + Duration::hours(n);
    session(&app, &cam, h(0), Some(h(1))).await;
    session(&app, &cam, h(2), Some(h(3))).await;
    // A live session, opened by the publish hook; the reconciliation gives it nginx's bytes.
    let publish = StreamEvent::Published {
        camera_id: cam.clone(),
        client_id: "7".into(),
        addr: Some("10.0.0.9".into()),
    };
    stream_writer::apply(&app.state, vec![publish]).await.expect("published");
    reconcile(&app, &cam, "7", 123_456).await;

    let path = format!("/api/v1/cameras/{cam}/sessions");
    let (status, page) = app.get(&path, &admin).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 3, "{page}");
    let live = &page["items"][0];
    assert_eq!(
        (&live["ended_at"], &live["end_reason"], &live["bytes_in"], &live["client_addr"], &live["node"]),
        (&Value::Null, &Value::Null, &json!(123_456), &json!("10.0.0.9"), &json!("local")),
        "{page}"
    );
    let done = &page["items"][1];
    assert_eq!((at(&done["started_at"]), at(&done["ended_at"])), (h(2), h(3)), "{page}");
    assert_eq!(
        (&done["duration_secs"], &done["end_reason"], &done["bytes_in"]),
        (&json!(3600), &json!("done"), &Value::Null)
    );
    assert_eq!(started(&page)[1..].to_vec(), vec![h(2), h(0)]);

    // The next pass updates the live session's count.
    reconcile(&app, &cam, "7", 200_000).await;
    let (_, page) = app.get(&path, &admin).await;
    assert_eq!(page["items"][0]["bytes_in"], 200_000, "{page}");

    // Sessions overlapping the range only.
    let (_, page) = app
        .get(
            &format!(
                "{path}?from={}&to={}",
                rfc(h(0) + Duration::minutes(30)),
                rfc(h(2) + Duration::minutes(30))
            ),
            &admin,
        )
        .await;
    assert_eq!((page["total"].as_i64(), started(&page)), (Some(2), vec![h(2), h(0)]), "{page}");
    let (_, page) = app.get(&format!("{path}?from={}", rfc(h(1) + Duration::minutes(30))), &admin).await;
    assert_eq!(page["total"], 2, "the live one and the one after: {page}");
    // Paged.
    let (_, page) = app.get(&format!("{path}?limit=1&page=3"), &admin).await;
    assert_eq!((page["total"].as_i64(), started(&page)), (Some(3), vec![h(0)]), "{page}");

    let (status, body) = app.get(&format!("{path}?from={}&to={}", rfc(h(2)), rfc(h(1))), &admin).await;
    assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "{body}");
    let (status, body) = app.get("/api/v1/cameras/no-such-camera/sessions", &admin).await;
    assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{body}");
}

/// `(window, online_secs, uptime_percent, recorded_secs, recording_percent)` of each window.
fn figures(body: &Value) -> Vec<(String, i64, f64, i64, Option<f64>)> {
    let windows = body["windows"].as_array().expect("windows");
    windows
        .iter()
        .map(|w| {
            (
                w["window"].as_str().expect("window").to_string(),
                w["online_secs"].as_i64().expect("online_secs"),
                w["uptime_percent"].as_f64().expect("uptime_percent"),
                w["recorded_secs"].as_i64().expect("recorded_secs"),
                w["recording_percent"].as_f64(),
            )
        })
        .collect()
}

fn row(
    window: &str,
    online: i64,
    uptime: f64,
    recorded: i64,
    recording: Option<f64>,
) -> (String, i64, f64, i64, Option<f64>) {
    (window.to_string(), online, uptime, recorded, recording)
}

async fn availability_is_measured_over_24_hours_and_7_days(app: TestApp) {
    let admin = app.admin().await;
    let now = db::now().trunc_subsecs(0);
    let ago = |hours: i64| now - Duration::hours(hours);
    let availability = |cam: String| {
        let (app, admin) = (&app, &admin);
        async move {
            let (status, body) = app.get(&format!("/api/v1/cameras/{cam}/availability"), admin).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["camera_id"], json!(cam));
            body
        }
    };

    // Online 6 h of the last 24 (3 h of it recorded), and 24 h more two days ago (12 h of it
    // recorded). Footage outside any session does not count.
    let a = app.create_camera(&admin, "AV-1").await["id"].as_str().expect("id").to_string();
    set_created_at(&app, &a, now - Duration::days(30)).await;
    session(&app, &a, ago(20), Some(ago(14))).await;
    session(&app, &a, ago(72), Some(ago(48))).await;
    chunk(&app, &a, ago(19), ago(16)).await;
    chunk(&app, &a, ago(60), ago(48)).await;
    chunk(&app, &a, ago(10), ago(9)).await;
    let body = availability(a.clone()).await;
    assert_eq!(
        figures(&body),
        vec![
            row("24h", 6 * 3600, 25.0, 3 * 3600, Some(50.0)),
            row("7d", 30 * 3600, 17.86, 15 * 3600, Some(50.0))
        ],
        "{body}"
    );
    assert!(at(&body["windows"][1]["from"]) <= now - Duration::days(7) + Duration::minutes(1), "{body}");

    // Created two days ago, not recording: the 7-day window starts at its creation; a session
    // straddling the 24-hour window's start counts for its part inside.
    let b = app.create_camera(&admin, "AV-2").await["id"].as_str().expect("id").to_string();
    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/cameras/{b}"),
            Some(&admin),
            Some(json!({"recording_enabled": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    set_created_at(&app, &b, ago(48)).await;
    session(&app, &b, ago(30), Some(ago(18))).await;
    let body = availability(b).await;
    // The 24-hour window started a moment after `now - 24 h`: its part of the session is a
    // fraction of a second under 6 h.
    let mut got = figures(&body);
    assert!((6 * 3600 - 2..=6 * 3600).contains(&got[0].1), "{body}");
    got[0].1 = 6 * 3600;
    assert_eq!(got, vec![row("24h", 6 * 3600, 25.0, 0, None), row("7d", 12 * 3600, 25.0, 0, None)], "{body}");
    assert_eq!(at(&body["windows"][1]["from"]), ago(48), "clipped to the camera's creation: {body}");

    // Never online: no uptime, and no continuity to speak of.
    let c = app.create_camera(&admin, "AV-3").await["id"].as_str().expect("id").to_string();
    set_created_at(&app, &c, now - Duration::days(30)).await;
    let body = availability(c).await;
    assert_eq!(figures(&body), vec![row("24h", 0, 0.0, 0, None), row("7d", 0, 0.0, 0, None)], "{body}");

    let (status, body) = app.get("/api/v1/cameras/no-such-camera/availability", &admin).await;
    assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{body}");
}
