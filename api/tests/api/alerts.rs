//! Alerts: one alert per (type, subject) with a count, acknowledge / resolve (409 once resolved),
//! paging, filters and camera scope, and the sources: camera.offline (debounce, flapping,
//! recovery) driven through its evaluator at chosen times, job.failed through a job run, and
//! auth.brute_force through real failed logins.

use argus::{
    auth::{Permission, Role},
    db::{self, schema::stream_sessions},
    domain::{AlertKind, AlertSeverity},
    error::AppError,
    services::{
        alerts::{self, offline, sources, Signal},
        job_runs::{self, Job, Keep},
        retention::{prune_logs, PrunePolicy},
    },
};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{connect_ws, error_code, next_event, TestApp};

crate::matrix!(
    a_repeated_condition_is_one_alert_with_a_count,
    concurrent_raises_of_one_condition_open_one_alert,
    acknowledge_then_resolve_and_409_once_resolved,
    lists_page_and_filter,
    camera_scoped_callers_see_only_their_cameras_alerts,
    alert_events_reach_only_those_who_may_read_them,
    camera_offline_waits_for_the_debounce_and_recovers,
    a_flapping_camera_is_one_alert_counting_every_disconnect,
    a_failing_job_raises_job_failed_until_it_succeeds,
    failed_logins_over_the_threshold_raise_brute_force,
    resolved_alerts_and_finished_deliveries_age_out
);

fn signal(kind: AlertKind, subject: &str, camera_id: Option<&str>) -> Signal {
    Signal {
        kind,
        severity: AlertSeverity::Warning,
        camera_id: camera_id.map(str::to_string),
        subject: subject.to_string(),
        message: format!("{kind} on {subject}"),
    }
}

async fn alerts_of(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, body) = app.get(&format!("/api/v1/alerts{query}"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn a_repeated_condition_is_one_alert_with_a_count(app: TestApp) {
    let admin = app.admin().await;
    let mut ws = connect_ws(&app, &admin).await;
    let first = alerts::raise(&app.state, signal(AlertKind::JobFailed, "storage", None)).await.unwrap();
    let opened = next_event(&mut ws, |v| v["type"] == "alert.opened").await;
    assert_eq!(opened["data"]["alert"]["id"], first.id.as_str());
    assert_eq!(opened["data"]["open_count"], 1);
    for _ in 0..2 {
        alerts::raise(&app.state, signal(AlertKind::JobFailed, "storage", None)).await.unwrap();
    }
    let bumped = next_event(&mut ws, |v| v["type"] == "alert.updated").await;
    assert_eq!(bumped["data"]["alert"]["id"], first.id.as_str());
    alerts::raise(&app.state, signal(AlertKind::JobFailed, "prune-logs", None)).await.unwrap();

    let page = alerts_of(&app, &admin, "?state=open").await;
    assert_eq!(page["total"], 2, "{page}");
    let storage = page["items"].as_array().unwrap().iter().find(|a| a["id"] == first.id.as_str()).unwrap();
    assert_eq!(storage["count"], 3);
    assert_eq!(storage["type"], "job.failed");
    assert_eq!(storage["state"], "open");
    assert!(storage["last_seen"].as_str() >= storage["first_seen"].as_str());
    let (_, summary) = app.get("/api/v1/alerts/summary", &admin).await;
    assert_eq!(summary, json!({"open": 2, "acknowledged": 0, "by_type": {"job.failed": 2}}));
    let metrics = app.state.metrics.render();
    assert!(metrics.contains("alerts_open{type=\"job.failed\"} 2"), "{metrics}");
    assert!(metrics.contains("alerts_open{type=\"camera.offline\"} 0"));
    assert_eq!(app.audit(&admin, "alert.opened").await.len(), 2, "system opens are audited");
}

async fn concurrent_raises_of_one_condition_open_one_alert(app: TestApp) {
    let admin = app.admin().await;
    let raises = (0..8).map(|_| {
        let state = app.state.clone();
        tokio::spawn(async move { alerts::raise(&state, signal(AlertKind::StorageLow, "hot", None)).await })
    });
    for done in futures_util::future::join_all(raises).await {
        done.expect("task").expect("raise");
    }
    let page = alerts_of(&app, &admin, "?type=storage.low").await;
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["items"][0]["count"], 8);
}

async fn acknowledge_then_resolve_and_409_once_resolved(app: TestApp) {
    let (admin, operator) = (app.admin().await, app.token_for(Role::Operator).await);
    let alert = alerts::raise(&app.state, signal(AlertKind::StorageLow, "hot", None)).await.unwrap();
    let path = |action: &str| format!("/api/v1/alerts/{}/{action}", alert.id);

    let (status, acked) = app.post(&path("acknowledge"), &operator, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{acked}");
    assert_eq!(acked["state"], "acknowledged");
    assert!(acked["acknowledged_by"].as_str().unwrap().starts_with("operator-"), "{acked}");
    assert!(acked["acknowledged_at"].is_string());
    // Still the active alert of its subject: a repeat bumps it.
    let again = alerts::raise(&app.state, signal(AlertKind::StorageLow, "hot", None)).await.unwrap();
    assert_eq!((again.id.as_str(), again.count), (alert.id.as_str(), 2));
    let (_, summary) = app.get("/api/v1/alerts/summary", &admin).await;
    assert_eq!((summary["open"].as_i64(), summary["acknowledged"].as_i64()), (Some(0), Some(1)));

    let (status, resolved) = app.post(&path("resolve"), &operator, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert_eq!(resolved["state"], "resolved");
    assert_eq!(resolved["resolved_by"], acked["acknowledged_by"]);
    for action in ["resolve", "acknowledge"] {
        let (status, body) = app.post(&path(action), &operator, json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{action}: {body}");
        assert_eq!(error_code(&body), "conflict");
    }
    let (status, body) = app.post("/api/v1/alerts/nope/resolve", &operator, json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    let acks = app.audit(&admin, "alert.acknowledged").await;
    let resolves = app.audit(&admin, "alert.resolved").await;
    assert_eq!((acks.len(), resolves.len()), (1, 1));
    assert_eq!(resolves[0]["entity_id"], alert.id.as_str());
    assert_eq!(resolves[0]["actor_type"], "user");
    // The condition again after a resolve: a new episode.
    let next = alerts::raise(&app.state, signal(AlertKind::StorageLow, "hot", None)).await.unwrap();
    assert_ne!(next.id, alert.id);
    assert_eq!(next.count, 1);
    // Clearing by the system resolves it as "system".
    let cleared = alerts::clear(&app.state, AlertKind::StorageLow, "hot", alerts::SYSTEM).await.unwrap();
    assert_eq!(cleared.and_then(|v| v.resolved_by).as_deref(), Some("system"));
    assert!(alerts::clear(&app.state, AlertKind::StorageLow, "hot", alerts::SYSTEM).await.unwrap().is_none());
}

async fn lists_page_and_filter(app: TestApp) {
    let admin = app.admin().await;
    let camera = app.create_camera(&admin, "ALERT-PAGE").await;
    let cid = camera["id"].as_str().unwrap();
    for n in 0..5 {
        alerts::raise(&app.state, signal(AlertKind::JobFailed, &format!("job-{n}"), None)).await.unwrap();
    }
    let mut critical = signal(AlertKind::RecordingFailed, cid, Some(cid));
    critical.severity = AlertSeverity::Critical;
    let rec = alerts::raise(&app.state, critical).await.unwrap();
    alerts::clear(&app.state, AlertKind::JobFailed, "job-0", alerts::SYSTEM).await.unwrap();

    let page = alerts_of(&app, &admin, "?limit=2&page=2").await;
    assert_eq!((page["total"].as_i64(), page["total_pages"].as_i64()), (Some(6), Some(3)));
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(alerts_of(&app, &admin, "?type=job.failed").await["total"], 5);
    assert_eq!(alerts_of(&app, &admin, "?type=job.failed&state=active").await["total"], 4);
    assert_eq!(alerts_of(&app, &admin, "?state=resolved").await["total"], 1);
    let by_camera = alerts_of(&app, &admin, &format!("?camera_id={cid}")).await;
    assert_eq!(by_camera["total"], 1);
    assert_eq!(by_camera["items"][0]["id"], rec.id.as_str());
    assert_eq!(by_camera["items"][0]["camera_name"], "Camera ALERT-PAGE");
    assert_eq!(alerts_of(&app, &admin, "?severity=critical").await["total"], 1);
    let (status, body) = app.get("/api/v1/alerts?type=camera.melted", &admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, one) = app.get(&format!("/api/v1/alerts/{}", rec.id), &admin).await;
    assert_eq!((status, one["severity"].as_str()), (StatusCode::OK, Some("critical")));
}

async fn camera_scoped_callers_see_only_their_cameras_alerts(app: TestApp) {
    let admin = app.admin().await;
    let mine = app.create_camera(&admin, "ALERT-MINE").await["id"].as_str().unwrap().to_string();
    let other = app.create_camera(&admin, "ALERT-OTHER").await["id"].as_str().unwrap().to_string();
    let seen =
        alerts::raise(&app.state, signal(AlertKind::RecordingFailed, &mine, Some(&mine))).await.unwrap();
    let hidden =
        alerts::raise(&app.state, signal(AlertKind::RecordingFailed, &other, Some(&other))).await.unwrap();
    alerts::raise(&app.state, signal(AlertKind::StorageLow, "hot", None)).await.unwrap();
    let token =
        token(&app, &admin, &[Permission::AlertRead.as_str(), "alert.manage"], Some(&[mine.as_str()])).await;

    let page = alerts_of(&app, &token, "").await;
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["items"][0]["id"], seen.id.as_str());
    assert_eq!(alerts_of(&app, &token, &format!("?camera_id={other}")).await["total"], 0);
    let (_, summary) = app.get("/api/v1/alerts/summary", &token).await;
    assert_eq!(summary["open"], 1, "{summary}");
    let (status, _) = app.get(&format!("/api/v1/alerts/{}", hidden.id), &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.post(&format!("/api/v1/alerts/{}/resolve", hidden.id), &token, json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(alerts_of(&app, &admin, "").await["total"], 3, "unscoped callers see everything");
}

async fn token(app: &TestApp, admin: &str, permissions: &[&str], cameras: Option<&[&str]>) -> String {
    let body = json!({"remark": "ws", "permissions": permissions, "camera_ids": cameras});
    let (status, created) = app.post("/api/v1/api-tokens", admin, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["secret"].as_str().unwrap().to_string()
}

async fn alert_events_reach_only_those_who_may_read_them(app: TestApp) {
    let admin = app.admin().await;
    let mine = app.create_camera(&admin, "ALERT-WS-MINE").await["id"].as_str().unwrap().to_string();
    let other = app.create_camera(&admin, "ALERT-WS-OTHER").await["id"].as_str().unwrap().to_string();
    let no_alerts = token(&app, &admin, &["camera.read"], None).await;
    let scoped = token(&app, &admin, &["camera.read", "alert.read"], Some(&[mine.as_str()])).await;
    let (mut blind, mut narrow) = (connect_ws(&app, &no_alerts).await, connect_ws(&app, &scoped).await);
    alerts::raise(&app.state, signal(AlertKind::StorageLow, "hot", None)).await.unwrap();
    alerts::raise(&app.state, signal(AlertKind::RecordingFailed, &other, Some(&other))).await.unwrap();
    let seen =
        alerts::raise(&app.state, signal(AlertKind::RecordingFailed, &mine, Some(&mine))).await.unwrap();
    // The scoped token's first alert event is its own camera's: no camera-less or foreign one.
    let first =
        next_event(&mut narrow, |v| v["type"].as_str().is_some_and(|t| t.starts_with("alert."))).await;
    assert_eq!(first["data"]["alert"]["id"], seen.id.as_str(), "{first}");
    // Without alert.read, none at all: the next event it gets is the camera created afterwards.
    app.create_camera(&admin, "ALERT-WS-LATER").await;
    let next = next_event(&mut blind, |v| {
        v["type"].as_str().is_some_and(|t| t.starts_with("alert.")) || v["type"] == "camera.created"
    })
    .await;
    assert_eq!(next["type"], "camera.created", "{next}");
}

/// A stream session of `camera` from `started` to `ended` (open when `None`).
async fn session(app: &TestApp, camera: &str, started: NaiveDateTime, ended: Option<NaiveDateTime>) {
    let camera = camera.to_string();
    app.state
        .db
        .run(move |c| {
            diesel::insert_into(stream_sessions::table)
                .values((
                    stream_sessions::id.eq(db::new_id()),
                    stream_sessions::camera_id.eq(camera),
                    stream_sessions::client_id.eq("1"),
                    stream_sessions::started_at.eq(started),
                    stream_sessions::last_update_at.eq(ended.unwrap_or(started)),
                    stream_sessions::ended_at.eq(ended),
                    stream_sessions::end_reason.eq(ended.map(|_| "publish_done")),
                    stream_sessions::node.eq("test"),
                ))
                .execute(c)
                .map_err(AppError::from)
        })
        .await
        .expect("insert session");
}

async fn offline_alerts(app: &TestApp, admin: &str, camera: &str) -> Vec<Value> {
    let page = alerts_of(app, admin, &format!("?type=camera.offline&camera_id={camera}")).await;
    page["items"].as_array().cloned().unwrap_or_default()
}

fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

async fn camera_offline_waits_for_the_debounce_and_recovers(app: TestApp) {
    let admin = app.admin().await;
    let cid = app.create_camera(&admin, "ALERT-OFF").await["id"].as_str().unwrap().to_string();
    let t0 = db::now();
    session(&app, &cid, t0 - secs(600), Some(t0)).await;
    let debounce = secs(app.state.settings.alerts.offline_alert_secs as i64);

    offline::evaluate(&app.state, t0 + secs(5)).await.unwrap();
    offline::evaluate(&app.state, t0 + debounce).await.unwrap();
    assert!(offline_alerts(&app, &admin, &cid).await.is_empty(), "nothing within the debounce");
    offline::evaluate(&app.state, t0 + debounce + secs(1)).await.unwrap();
    let open = offline_alerts(&app, &admin, &cid).await;
    assert_eq!(open.len(), 1);
    assert_eq!((open[0]["state"].as_str(), open[0]["count"].as_i64()), (Some("open"), Some(1)));
    assert_eq!(open[0]["severity"], "critical");
    assert_eq!(open[0]["camera_name"], "Camera ALERT-OFF");
    // Later passes change nothing.
    offline::evaluate(&app.state, t0 + debounce + secs(30)).await.unwrap();
    assert_eq!(offline_alerts(&app, &admin, &cid).await[0]["count"], 1);

    // Back, but not for the recovery time yet.
    let back = t0 + debounce + secs(40);
    session(&app, &cid, back, None).await;
    let recovery = secs(app.state.settings.alerts.recovery_secs as i64);
    offline::evaluate(&app.state, back + recovery - secs(1)).await.unwrap();
    assert_eq!(offline_alerts(&app, &admin, &cid).await[0]["state"], "open");
    offline::evaluate(&app.state, back + recovery).await.unwrap();
    let done = offline_alerts(&app, &admin, &cid).await;
    assert_eq!(done.len(), 1);
    assert_eq!(
        (done[0]["state"].as_str(), done[0]["resolved_by"].as_str()),
        (Some("resolved"), Some("system"))
    );
}

async fn a_flapping_camera_is_one_alert_counting_every_disconnect(app: TestApp) {
    let admin = app.admin().await;
    let cid = app.create_camera(&admin, "ALERT-FLAP").await["id"].as_str().unwrap().to_string();
    let t0 = db::now();
    // Ten disconnects within a minute, each back after a second.
    for n in 0..10 {
        let start = t0 + secs(6 * n);
        session(&app, &cid, start, Some(start + secs(5))).await;
        if n == 4 {
            offline::evaluate(&app.state, start + secs(5)).await.unwrap();
            let open = offline_alerts(&app, &admin, &cid).await;
            assert_eq!(open.len(), 1, "the fifth disconnect in the window opens it");
            assert_eq!(open[0]["count"], 5);
        }
    }
    session(&app, &cid, t0 + secs(60), None).await;
    offline::evaluate(&app.state, t0 + secs(61)).await.unwrap();
    let open = offline_alerts(&app, &admin, &cid).await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["count"], 10);
    assert_eq!(open[0]["state"], "open");
    // Deactivated: nothing to wait for any more.
    let (status, _) = app.post(&format!("/api/v1/cameras/{cid}/deactivate"), &admin, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    offline::evaluate(&app.state, t0 + secs(62)).await.unwrap();
    assert_eq!(offline_alerts(&app, &admin, &cid).await[0]["state"], "resolved");
}

async fn a_failing_job_raises_job_failed_until_it_succeeds(app: TestApp) {
    let admin = app.admin().await;
    let job = || Job {
        name: "flaky",
        lock: "flaky".into(),
        lock_ttl: std::time::Duration::from_secs(30),
        keep: Keep::Every,
    };
    for _ in 0..2 {
        let run =
            job_runs::run(&app.state, &job(), || async { Err(AppError::internal("disk on fire")) }).await;
        assert_eq!(run.outcome, argus::domain::JobOutcome::Failed);
    }
    let page = alerts_of(&app, &admin, "?type=job.failed&state=open").await;
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["items"][0]["count"], 2);
    assert!(page["items"][0]["message"].as_str().unwrap().contains("disk on fire"));
    job_runs::run(&app.state, &job(), || async { Ok(1) }).await;
    assert_eq!(alerts_of(&app, &admin, "?type=job.failed&state=active").await["total"], 0);
    assert_eq!(alerts_of(&app, &admin, "?type=job.failed&state=resolved").await["total"], 1);
}

async fn failed_logins_over_the_threshold_raise_brute_force(app: TestApp) {
    let admin = app.admin().await;
    let threshold = app.state.settings.alerts.brute_force_threshold;
    for n in 0..threshold {
        if n == threshold - 1 {
            let quiet = alerts_of(&app, &admin, "?type=auth.brute_force").await;
            assert_eq!(quiet["total"], 0, "below the threshold: {quiet}");
        }
        // A different name each time: the per-user login limit never cuts in.
        let resp = app.login(&format!("nobody-{n}"), "wrong password").await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
    let page = alerts_of(&app, &admin, "?type=auth.brute_force&state=open").await;
    assert_eq!(page["total"], 1, "{page}");
    assert!(page["items"][0]["message"].as_str().unwrap().contains("from 127.0.0.1"), "{page}");
    // A window later without another failure, the health check clears it.
    let later = db::now() + secs(app.state.settings.alerts.brute_force_window_secs as i64 + 1);
    sources::check(&app.state, later).await.unwrap();
    assert_eq!(alerts_of(&app, &admin, "?type=auth.brute_force&state=active").await["total"], 0);
}

/// Log retention: resolved alerts and finished deliveries older than the stream-session
/// retention go; open alerts and pending deliveries stay, however old.
async fn resolved_alerts_and_finished_deliveries_age_out(app: TestApp) {
    use argus::db::alert_deliveries::{self as outbox, DeliveryRow};
    let admin = app.admin().await;
    let sink = json!({"name": "sink", "kind": "webhook", "url": "http://127.0.0.1:9/"});
    let (status, channel) = app.post("/api/v1/alert-channels", &admin, sink).await;
    assert_eq!(status, StatusCode::CREATED, "{channel}");
    let old = alerts::raise(&app.state, signal(AlertKind::StorageLow, "hot", None)).await.unwrap();
    alerts::clear(&app.state, AlertKind::StorageLow, "hot", alerts::SYSTEM).await.unwrap();
    let open = alerts::raise(&app.state, signal(AlertKind::JobFailed, "storage", None)).await.unwrap();
    let channel_id = channel["id"].as_str().unwrap().to_string();
    let pending = app
        .state
        .db
        .run(move |c| {
            let now = db::now();
            let delivered = DeliveryRow {
                id: db::new_id(),
                channel_id,
                alert_id: None,
                event: "test".into(),
                payload: "{}".into(),
                state: outbox::DELIVERED.into(),
                attempts: 1,
                next_attempt_at: now,
                claimed_by: None,
                claimed_until: None,
                last_attempt_at: Some(now),
                last_status: Some(200),
                last_error: None,
                created_at: now,
                delivered_at: Some(now),
            };
            outbox::insert(c, &delivered)?;
            use argus::db::schema::alert_deliveries::dsl as d;
            Ok(d::alert_deliveries.filter(d::state.eq(outbox::PENDING)).count().get_result::<i64>(c)?)
        })
        .await
        .unwrap();
    assert_eq!(pending, 3, "opened, resolved, opened: still being tried");

    let policy = PrunePolicy {
        audit_days: 3650,
        session_days: 3650,
        stream_session_days: 30,
        job_run_days: 3650,
        session_idle_secs: 86_400,
    };
    let report = prune_logs(&app.state.db, db::now() + TimeDelta::days(31), &policy).await.unwrap();
    assert_eq!((report.alerts, report.alert_deliveries), (1, 1), "{report:?}");
    let (old_id, open_id) = (old.id.clone(), open.id.clone());
    let (old_left, open_left, pending_left) = app
        .state
        .db
        .run(move |c| {
            use argus::db::schema::alert_deliveries::dsl as d;
            let pending =
                d::alert_deliveries.filter(d::state.eq(outbox::PENDING)).count().get_result::<i64>(c)?;
            Ok((db::alerts::find(c, &old_id)?, db::alerts::find(c, &open_id)?, pending))
        })
        .await
        .unwrap();
    assert!(old_left.is_none() && open_left.is_some() && pending_left == 3);
}
