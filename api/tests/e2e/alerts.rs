//! camera.offline on the real data plane: a publisher killed with SIGKILL raises no alert before
//! the debounce and exactly one after it; publishing again resolves it. Reconciliation (which
//! runs the evaluator) is driven here as the scheduler would, every half second.

use std::time::{Duration, Instant};

use argus::{
    db::{self, schema::stream_sessions},
    jobs::{self, JobKind},
    services::stream_state::StallWatch,
};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::{
    helpers::{next_event, poll_until, status_event},
    receiver::{self, wait_mails, Received, Receiver},
    stack::{LiveCamera, Publisher, Stack},
};

const DEBOUNCE_SECS: i64 = 8;

async fn offline_alerts(stack: &Stack, admin: &str, camera: &str) -> Vec<Value> {
    let (_, page) =
        stack.app.get(&format!("/api/v1/alerts?type=camera.offline&camera_id={camera}"), admin).await;
    page["items"].as_array().cloned().unwrap_or_default()
}

/// When the camera's last session ended, once it has.
async fn offline_since(stack: &Stack, camera: &str) -> Option<NaiveDateTime> {
    let camera = camera.to_string();
    stack
        .app
        .state
        .db
        .run(move |c| {
            let open: i64 = stream_sessions::table
                .filter(stream_sessions::camera_id.eq(&camera))
                .filter(stream_sessions::ended_at.is_null())
                .count()
                .get_result(c)?;
            let last: Option<NaiveDateTime> = stream_sessions::table
                .filter(stream_sessions::camera_id.eq(&camera))
                .select(diesel::dsl::max(stream_sessions::ended_at))
                .first(c)?;
            Ok(last.filter(|_| open == 0))
        })
        .await
        .expect("sessions")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_publisher_raises_camera_offline_after_the_debounce_and_recovers() {
    let mut env = vec![
        ("ARGUS_OFFLINE_ALERT_SECS", DEBOUNCE_SECS.to_string()),
        ("ARGUS_ALERT_RECOVERY_SECS", "3".into()),
    ];
    let smtp = receiver::smtp_server();
    if let Some((port, _)) = &smtp {
        env.extend([
            ("ARGUS_SMTP_HOST", "127.0.0.1".to_string()),
            ("ARGUS_SMTP_PORT", port.clone()),
            ("ARGUS_SMTP_SECURITY", "none".into()),
        ]);
    }
    let stack = Stack::start_with(env).await;
    let LiveCamera { admin, id, mut ws, mut publisher, rtmp_url } =
        stack.live_camera(json!({"name": "alerting", "serial_number": "E2E-ALERT"})).await;
    // Where the alert goes: a signed webhook (a receiver that checks the signature) and e-mail.
    let hook = Receiver::start(vec![]).await;
    let (_, channel) = stack
        .app
        .post("/api/v1/alert-channels", &admin, json!({"name": "hook", "kind": "webhook", "url": hook.url}))
        .await;
    hook.set_secret(channel["secret"].as_str().expect("the webhook secret, once"));
    if smtp.is_some() {
        let to = json!({"name": "mail", "kind": "email", "to": ["oncall@example.test"]});
        let (status, body) = stack.app.post("/api/v1/alert-channels", &admin, to).await;
        assert!(status.is_success(), "{body}");
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    publisher.kill();
    let stalls = StallWatch::default();

    // Until the session has ended (nginx's publish_done, or reconciliation).
    let started = Instant::now();
    let since = loop {
        jobs::run(&stack.app.state, JobKind::ReconcileStreams, &stalls).await;
        if let Some(t) = offline_since(&stack, &id).await {
            break t;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the session never ended");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let due = since + chrono::TimeDelta::seconds(DEBOUNCE_SECS);
    // Reconciliation passes until the alert opens: none before the debounce, one after it.
    let started = Instant::now();
    let opened_at = loop {
        let before = db::now();
        jobs::run(&stack.app.state, JobKind::ReconcileStreams, &stalls).await;
        let found = offline_alerts(&stack, &admin, &id).await;
        if !found.is_empty() {
            // The pass that opened it judged at `last_seen`: after the debounce, never before.
            let judged =
                chrono::DateTime::parse_from_rfc3339(found[0]["last_seen"].as_str().unwrap()).unwrap();
            assert!(judged.naive_utc() > due, "alert judged at {judged} before the debounce ended at {due}");
            assert_eq!(found.len(), 1);
            assert_eq!((found[0]["state"].as_str(), found[0]["count"].as_i64()), (Some("open"), Some(1)));
            break before;
        }
        assert!(
            started.elapsed() < Duration::from_secs(DEBOUNCE_SECS as u64 + 20),
            "no alert after the debounce"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    println!("offline since {since}, alert raised by the pass at {opened_at} (due {due})");
    let alert_id = offline_alerts(&stack, &admin, &id).await[0]["id"].as_str().unwrap().to_string();
    let opened = webhook_events(&hook, "opened").await;
    assert_eq!(opened.len(), 1, "one signed notice per opening: {opened:?}");
    assert!(opened[0].signature_ok && opened[0].body["id"] == alert_id.as_str(), "{opened:?}");
    assert_eq!(opened[0].body["type"], "camera.offline");
    if let Some((_, dir)) = &smtp {
        let mails = wait_mails(dir, &alert_id, 1).await;
        assert!(mails[0].contains("alerting"), "the camera is named: {}", mails[0]);
    }

    // Publish again: online, then resolved once it stayed up for the recovery time.
    let mut again = Publisher::start(&rtmp_url);
    next_event(&mut ws, status_event(&id, "online")).await;
    let started = Instant::now();
    loop {
        jobs::run(&stack.app.state, JobKind::ReconcileStreams, &stalls).await;
        let found = offline_alerts(&stack, &admin, &id).await;
        assert_eq!(found.len(), 1, "{found:?}");
        if found[0]["state"] == "resolved" {
            assert_eq!(found[0]["resolved_by"], "system");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "not resolved: {found:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let resolved = webhook_events(&hook, "resolved").await;
    assert_eq!((resolved.len(), resolved[0].body["id"].as_str()), (1, Some(alert_id.as_str())));
    assert_eq!(webhook_events(&hook, "opened").await.len(), 1, "no second opening");
    again.stop().await;
}

/// The webhook deliveries of `event` received so far, waiting until there is at least one.
async fn webhook_events(hook: &Receiver, event: &str) -> Vec<Received> {
    poll_until(&format!("a {event} webhook"), Duration::from_secs(30), || async {
        let got: Vec<Received> = hook.received().into_iter().filter(|r| r.event == event).collect();
        if got.is_empty() {
            Err(format!("{:?}", hook.received()))
        } else {
            Ok(got)
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_disconnects_in_a_minute_are_one_alert_with_count_ten() {
    // A long debounce: only the flapping rule can open it here.
    let stack = Stack::start_with(vec![("ARGUS_OFFLINE_ALERT_SECS", "600".into())]).await;
    let LiveCamera { admin, id, mut ws, mut publisher, rtmp_url } =
        stack.live_camera(json!({"name": "flapping", "serial_number": "E2E-FLAP"})).await;
    let (stalls, started) = (StallWatch::default(), Instant::now());
    for n in 1..=10 {
        publisher.kill();
        next_event(&mut ws, status_event(&id, "offline")).await;
        jobs::run(&stack.app.state, JobKind::ReconcileStreams, &stalls).await;
        if n < 10 {
            publisher = Publisher::start(&rtmp_url);
            next_event(&mut ws, status_event(&id, "online")).await;
        }
        let found = offline_alerts(&stack, &admin, &id).await;
        let flap_count = stack.app.state.settings.alerts.flap_count as usize;
        assert_eq!(found.len(), usize::from(n >= flap_count), "after {n} disconnects: {found:?}");
    }
    assert!(started.elapsed() < Duration::from_secs(60), "ten disconnects took {:?}", started.elapsed());
    let found = offline_alerts(&stack, &admin, &id).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0]["state"].as_str(), found[0]["count"].as_i64()), (Some("open"), Some(10)));
}
