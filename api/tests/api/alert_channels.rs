//! Alert channels against real servers: a local HTTP receiver that checks the signature and
//! fails the first deliveries (retries, the same delivery id, one success), Argus killed
//! mid-retry and restarted on the same database, an SMTP server (aiosmtpd, started by
//! scripts/test.sh) receiving one e-mail per alert and a grouped one, and the API's refusals.

mod receiver;

use std::time::Duration;

use argus::{
    domain::{AlertKind, AlertSeverity, AlertState},
    services::alert_channels::{self, AlertEvent, AlertView},
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{error_code, poll_until, Backend, Options, TestApp},
    storage::on_both_backends,
};
use receiver::{wait_mails, Receiver};

async fn app(backend: Backend, extra: Vec<(&'static str, String)>) -> TestApp {
    let mut env = vec![("ARGUS_ALERT_RETRY_BASE_SECS", "1".to_string())];
    env.extend(extra);
    TestApp::spawn_with(Options { backend, redis: false, env }).await
}

fn alert(kind: &str, message: &str) -> AlertView {
    let now = chrono::Utc::now();
    AlertView {
        id: uuid::Uuid::now_v7().to_string(),
        kind: AlertKind::parse(kind).expect("a known alert type"),
        severity: AlertSeverity::Critical,
        state: AlertState::Open,
        camera_id: None,
        camera_name: None,
        count: 1,
        first_seen: now,
        last_seen: now,
        message: message.into(),
        acknowledged_at: None,
        acknowledged_by: None,
        resolved_at: None,
        resolved_by: None,
    }
}

/// Enqueues `alerts` in one transaction (as the alert service does) and wakes the worker.
async fn enqueue(app: &TestApp, alerts: Vec<AlertView>) {
    app.state
        .db
        .transaction(move |c| {
            alerts.iter().try_for_each(|a| alert_channels::enqueue(c, a, AlertEvent::Opened))
        })
        .await
        .expect("enqueue");
    alert_channels::wake(&app.state);
}

async fn create(app: &TestApp, admin: &str, body: Value) -> Value {
    let (status, created) = app.post("/api/v1/alert-channels", admin, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

async fn deliveries(app: &TestApp, admin: &str, channel: &str) -> Vec<Value> {
    let (status, log) = app.get(&format!("/api/v1/alert-channels/{channel}/deliveries"), admin).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    log["items"].as_array().cloned().unwrap_or_default()
}

/// Polls the channel's delivery log until `done` holds (fails after 30 s).
async fn wait_log(app: &TestApp, admin: &str, channel: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    poll_until("the delivery log's state", Duration::from_secs(30), || async {
        let log = deliveries(app, admin, channel).await;
        if done(&log) {
            Ok(log)
        } else {
            Err(format!("{log:?}"))
        }
    })
    .await
}

on_both_backends!(
    a_failing_webhook_is_retried_until_delivered_once,
    channels_are_validated_audited_and_managed,
    two_replicas_send_each_delivery_once
);

async fn a_failing_webhook_is_retried_until_delivered_once(backend: Backend) {
    let app = app(backend, vec![]).await;
    let admin = app.admin().await;
    let rx = Receiver::start(vec![500, 500]).await;
    let created = create(&app, &admin, json!({"name": "hook", "kind": "webhook", "url": rx.url})).await;
    let secret = created["secret"].as_str().expect("the secret, once");
    assert_eq!(secret.len(), 64, "32 random bytes, hex");
    rx.set_secret(secret);
    let id = created["id"].as_str().unwrap().to_string();
    // A channel filtered to another type gets nothing.
    let other = create(
        &app,
        &admin,
        json!({"name": "storage only", "kind": "webhook", "url": rx.url, "alert_types": ["storage.low"]}),
    )
    .await;

    enqueue(&app, vec![alert("camera.offline", "Lobby camera offline")]).await;
    let log = wait_log(&app, &admin, &id, |l| l.first().is_some_and(|d| d["state"] == "delivered")).await;
    assert_eq!(log.len(), 1);
    let d = &log[0];
    assert_eq!((d["attempts"].as_i64(), d["last_status"].as_i64()), (Some(3), Some(200)), "{d}");
    assert_eq!(d["event"], "opened");

    let got = rx.received();
    assert_eq!(got.iter().map(|r| r.status).collect::<Vec<_>>(), vec![500, 500, 200]);
    for r in &got {
        assert_eq!(r.delivery, d["id"].as_str().unwrap(), "X-Argus-Delivery is stable across retries");
        assert!(r.signature_ok, "X-Argus-Signature verifies with the channel's secret");
        assert_eq!(r.event, "opened");
        assert_eq!(r.body["type"], "camera.offline");
        assert_eq!(r.body["event"], "opened");
        assert_eq!(r.body["message"], "Lobby camera offline");
    }
    assert!(deliveries(&app, &admin, other["id"].as_str().unwrap()).await.is_empty());
    let counter =
        |outcome: &str| app.state.metrics.alert_deliveries.with_label_values(&["webhook", outcome]).get();
    assert_eq!((counter("retry"), counter("delivered")), (2, 1));
    let (_, channel) = app.get(&format!("/api/v1/alert-channels/{id}"), &admin).await;
    assert!(channel["failing_since"].is_null(), "a success clears failing_since: {channel}");
    assert!(channel.get("secret").is_none(), "the secret is shown only at creation");
}

/// Two Argus on one database, both delivery workers polling: every delivery is sent once.
async fn two_replicas_send_each_delivery_once(backend: Backend) {
    let a = app(backend, vec![]).await;
    let b = a.sibling(false, vec![("ARGUS_ALERT_RETRY_BASE_SECS", "1".into())]).await;
    let admin = a.admin().await;
    let rx = Receiver::start(vec![]).await;
    let created = create(&a, &admin, json!({"name": "hook", "kind": "webhook", "url": rx.url})).await;
    rx.set_secret(created["secret"].as_str().unwrap());
    let id = created["id"].as_str().unwrap().to_string();
    let alerts = (0..20).map(|i| alert("stream.degraded", &format!("camera {i} degraded"))).collect();
    enqueue(&a, alerts).await;
    alert_channels::wake(&b.state);
    let log =
        wait_log(&b, &admin, &id, |l| l.len() == 20 && l.iter().all(|d| d["state"] == "delivered")).await;
    assert!(log.iter().all(|d| d["attempts"] == 1), "{log:?}");
    let got = rx.received();
    let ids: std::collections::BTreeSet<&str> = got.iter().map(|r| r.delivery.as_str()).collect();
    assert_eq!((got.len(), ids.len()), (20, 20), "each delivery sent exactly once");
    assert!(got.iter().all(|r| r.signature_ok));
}

/// Argus dies while a delivery waits for its retry; a new Argus on the same database sends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_retry_still_delivers_once() {
    let rx = Receiver::start(vec![500]).await;
    // The first Argus runs on its own runtime, so shutting that runtime down stops its worker
    // as a crash would.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let first =
        runtime.spawn(app(Backend::Sqlite, vec![("ARGUS_ALERT_RETRY_BASE_SECS", "3".into())])).await.unwrap();
    let admin = first.admin().await;
    let created = create(&first, &admin, json!({"name": "hook", "kind": "webhook", "url": rx.url})).await;
    rx.set_secret(created["secret"].as_str().unwrap());
    let id = created["id"].as_str().unwrap().to_string();
    enqueue(&first, vec![alert("recording.failed", "recorder did not start")]).await;
    let log = wait_log(&first, &admin, &id, |l| l.first().is_some_and(|d| d["attempts"] == 1)).await;
    assert_eq!(log[0]["state"], "pending", "waiting for its retry: {log:?}");
    runtime.shutdown_background();

    let restarted = first.sibling(false, vec![("ARGUS_ALERT_RETRY_BASE_SECS", "3".into())]).await;
    let log =
        wait_log(&restarted, &admin, &id, |l| l.first().is_some_and(|d| d["state"] == "delivered")).await;
    assert_eq!(log[0]["attempts"], 2, "{log:?}");
    let got = rx.received();
    assert_eq!(got.iter().map(|r| r.status).collect::<Vec<_>>(), vec![500, 200], "delivered exactly once");
    assert!(got.iter().all(|r| r.signature_ok && r.delivery == log[0]["id"].as_str().unwrap()));
}

/// A worker that died holding a lease: once the lease has expired the row is claimed again and
/// sent (by the same delivery id).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_lease_is_claimed_again() {
    let app = app(Backend::Sqlite, vec![]).await;
    let admin = app.admin().await;
    let rx = Receiver::start(vec![]).await;
    let created = create(&app, &admin, json!({"name": "hook", "kind": "webhook", "url": rx.url})).await;
    rx.set_secret(created["secret"].as_str().unwrap());
    let id = created["id"].as_str().unwrap().to_string();
    let (cid, did) = (id.clone(), argus::db::new_id());
    let row_id = did.clone();
    app.state
        .db
        .run(move |c| {
            use argus::db::alert_deliveries::{insert, DeliveryRow, PENDING};
            let now = argus::db::now();
            insert(
                c,
                &DeliveryRow {
                    id: row_id,
                    channel_id: cid,
                    alert_id: None,
                    event: "opened".into(),
                    payload: json!({"type": "job.failed", "event": "opened"}).to_string(),
                    state: PENDING.into(),
                    attempts: 0,
                    next_attempt_at: now,
                    claimed_by: Some("crashed-node:0".into()),
                    claimed_until: Some(now - chrono::TimeDelta::seconds(1)),
                    last_attempt_at: None,
                    last_status: None,
                    last_error: None,
                    created_at: now,
                    delivered_at: None,
                },
            )
        })
        .await
        .unwrap();
    alert_channels::wake(&app.state);
    let log = wait_log(&app, &admin, &id, |l| l.first().is_some_and(|d| d["state"] == "delivered")).await;
    assert_eq!(log[0]["attempts"], 1);
    let got = rx.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].delivery, did);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_channels_send_one_message_per_alert_and_group_several() {
    let Some((port, dir)) = receiver::smtp_server() else { return };
    let smtp = vec![
        ("ARGUS_SMTP_HOST", "127.0.0.1".to_string()),
        ("ARGUS_SMTP_PORT", port),
        ("ARGUS_SMTP_SECURITY", "none".into()),
        ("ARGUS_SMTP_FROM", "argus@example.test".into()),
    ];
    let app = app(Backend::Sqlite, smtp).await;
    let admin = app.admin().await;
    let created = create(
        &app,
        &admin,
        json!({"name": "on call", "kind": "email", "to": ["oncall@example.test", "boss@example.test"]}),
    )
    .await;
    assert!(created["secret"].is_null(), "e-mail channels have no secret");
    let id = created["id"].as_str().unwrap().to_string();

    let one = format!("single{}", uuid::Uuid::new_v4().simple());
    enqueue(&app, vec![alert("camera.offline", &format!("Gate camera offline {one}"))]).await;
    let mails = wait_mails(&dir, &one, 1).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("camera.offline") && mails[0].contains("oncall@example.test"), "{}", mails[0]);
    wait_log(&app, &admin, &id, |l| l.len() == 1 && l[0]["state"] == "delivered").await;

    let group = format!("grouped{}", uuid::Uuid::new_v4().simple());
    let alerts = (1..=3).map(|i| alert("storage.low", &format!("disk {i} low {group}"))).collect();
    enqueue(&app, alerts).await;
    let mails = wait_mails(&dir, &group, 1).await;
    assert_eq!(mails.len(), 1, "three alerts due at once make one message");
    assert!(mails[0].contains("Subject: [Argus] 3 alerts"), "{}", mails[0]);
    for i in 1..=3 {
        assert!(mails[0].contains(&format!("disk {i} low {group}")), "{}", mails[0]);
    }
    let log =
        wait_log(&app, &admin, &id, |l| l.len() == 4 && l.iter().all(|d| d["state"] == "delivered")).await;
    assert!(log.iter().all(|d| d["attempts"] == 1), "{log:?}");
}

async fn channels_are_validated_audited_and_managed(backend: Backend) {
    let app = app(backend, vec![]).await;
    let admin = app.admin().await;
    let refused = |body: Value| {
        let (app, admin) = (&app, &admin);
        async move { app.post("/api/v1/alert-channels", admin, body).await }
    };
    // Not the shape at all: 400.
    let (status, body) = refused(json!({"name": "x", "kind": "pager"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // The right shape, wrong values: 422 naming the field.
    for (body, field) in [
        (json!({"name": "x", "kind": "webhook", "url": "ftp://example.com"}), "url"),
        (json!({"name": "x", "kind": "webhook"}), "url"),
        (json!({"name": "x", "kind": "email", "to": ["not an address"]}), "to"),
        (json!({"name": "x", "kind": "email", "to": []}), "to"),
        (
            json!({"name": "x", "kind": "email", "to": ["a@example.test"], "alert_types": ["camera.exploded"]}),
            "alert_types",
        ),
        (
            json!({"name": "x", "kind": "email", "to": ["a@example.test"], "camera_ids": ["no-such-camera"]}),
            "camera_ids",
        ),
        (json!({"name": " ", "kind": "email", "to": ["a@example.test"]}), "name"),
    ] {
        let (status, resp) = refused(body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {resp}");
        assert_eq!(error_code(&resp), "validation_failed");
        assert!(resp["error"]["details"][field].is_array(), "{body} → {resp}");
    }

    let camera = app.create_camera(&admin, "ALERT-1").await;
    let created = create(
        &app,
        &admin,
        json!({"name": "hook", "kind": "webhook", "url": "http://127.0.0.1:9/hook",
               "alert_types": ["camera.offline"], "camera_ids": [camera["id"]]}),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["camera_ids"], json!([camera["id"]]));
    let (status, list) = app.get("/api/v1/alert-channels", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert!(list[0].get("secret").is_none());

    let path = format!("/api/v1/alert-channels/{id}");
    let (status, resp) =
        app.call(Method::PATCH, &path, Some(&admin), Some(json!({"to": ["a@example.test"]}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a webhook has no recipients: {resp}");
    let (status, updated) = app
        .call(Method::PATCH, &path, Some(&admin), Some(json!({"name": "renamed", "enabled": false})))
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!((updated["name"].as_str(), updated["enabled"].as_bool()), (Some("renamed"), Some(false)));
    let (status, updated) =
        app.call(Method::PATCH, &path, Some(&admin), Some(json!({"enabled": true}))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(updated["enabled"] == true && updated["disabled_reason"].is_null(), "{updated}");

    let (status, test) = app.post(&format!("{path}/test"), &admin, json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{test}");
    assert_eq!((test["event"].as_str(), test["state"].as_str()), (Some("test"), Some("pending")));
    // Nothing listens on port 9: the attempt fails and is logged for a retry.
    let log =
        wait_log(&app, &admin, &id, |l| l.first().is_some_and(|d| d["attempts"].as_i64() >= Some(1))).await;
    assert!(log[0]["last_error"].is_string(), "{log:?}");

    let (status, _) = app.call(Method::DELETE, &path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path, &admin).await.0, StatusCode::NOT_FOUND);
    for action in
        ["alert_channel.created", "alert_channel.updated", "alert_channel.tested", "alert_channel.deleted"]
    {
        let entries = app.audit(&admin, action).await;
        assert!(!entries.is_empty(), "{action} audited");
        assert!(
            !entries[0].to_string().contains(created["secret"].as_str().unwrap()),
            "no secret in the audit"
        );
    }
}

/// A channel failing for longer than ARGUS_CHANNEL_DISABLE_AFTER_HOURS is disabled at its next
/// failure and its pending deliveries are given up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_failing_for_a_day_is_disabled() {
    let app = app(Backend::Sqlite, vec![]).await;
    let admin = app.admin().await;
    let rx = Receiver::start(vec![]).await;
    rx.answer(503);
    let created = create(&app, &admin, json!({"name": "dead", "kind": "webhook", "url": rx.url})).await;
    let id = created["id"].as_str().unwrap().to_string();
    let cid = id.clone();
    app.state
        .db
        .run(move |c| {
            use argus::db::alert_channels::{update, ChannelChanges};
            let since = argus::db::now() - chrono::TimeDelta::hours(25);
            update(c, &cid, &ChannelChanges { failing_since: Some(Some(since)), ..Default::default() })
        })
        .await
        .unwrap();
    enqueue(&app, vec![alert("job.failed", "nightly backup failed")]).await;
    let log = wait_log(&app, &admin, &id, |l| l.first().is_some_and(|d| d["state"] == "failed")).await;
    assert_eq!(log[0]["attempts"], 1);
    let (_, channel) = app.get(&format!("/api/v1/alert-channels/{id}"), &admin).await;
    assert_eq!(channel["enabled"], false, "{channel}");
    assert!(channel["disabled_reason"].is_string());
    // …and somebody is told: a job.failed alert naming the channel.
    poll_until("a job.failed alert naming the channel", Duration::from_secs(10), || async {
        let (_, page) = app.get("/api/v1/alerts?type=job.failed", &admin).await;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        let named =
            items.iter().any(|a| a["message"].as_str().is_some_and(|m| m.contains("\"dead\" disabled")));
        if named {
            Ok(())
        } else {
            Err(page.to_string())
        }
    })
    .await;
    // A disabled channel gets no new deliveries.
    enqueue(&app, vec![alert("job.failed", "again")]).await;
    assert_eq!(deliveries(&app, &admin, &id).await.len(), 1);
}
