//! `services::stream_state` with several ingest nodes on one database, and the `cameras_online`
//! gauge across a restart.

use argus::{
    dataplane::stat::{LiveStream, Snapshot},
    services::{
        queues::StreamEvent,
        stream_state::{self, StallWatch},
        stream_writer,
    },
};

use crate::helpers::TestApp;

crate::matrix!(
    reconciling_one_node_leaves_another_nodes_cameras_alone,
    reconciliation_corrects_missed_publishes_and_stale_statuses,
    cameras_online_is_right_after_a_restart
);

/// `stream_status` as stored.
async fn status(app: &TestApp, camera_id: &str) -> String {
    let id = camera_id.to_string();
    let row = app.state.db.run(move |c| argus::db::cameras::find(c, &id)).await.expect("database");
    row.expect("camera exists").stream_status.to_string()
}

/// A hook event of `app`'s node, applied before returning.
async fn apply(app: &TestApp, event: StreamEvent) {
    stream_writer::apply(&app.state, vec![event]).await.expect("event applied");
}

async fn publish(app: &TestApp, camera_id: &str, client_id: &str) {
    let (camera_id, client_id) = (camera_id.to_string(), client_id.to_string());
    apply(app, StreamEvent::Published { camera_id, client_id, addr: None }).await;
}

async fn reconcile(app: &TestApp, live: &[(&str, &str)]) {
    let streams = live
        .iter()
        .map(|(camera_id, client_id)| LiveStream {
            app: "live".into(),
            name: camera_id.to_string(),
            bytes_in: 1000,
            time_ms: 5000,
            publisher: Some(client_id.to_string()),
            publisher_addr: None,
        })
        .collect();
    let snapshot = Snapshot { node: app.state.settings.media.node_id.clone(), streams };
    stream_state::reconcile(&app.state, &StallWatch::default(), snapshot).await.expect("reconciled");
}

/// Two ingest nodes on one database: each node's snapshot decides about its own publishers
/// only, and nginx client ids (numbered per nginx) identify a session only with its node.
async fn reconciling_one_node_leaves_another_nodes_cameras_alone(a: TestApp) {
    let b = a.sibling(false, vec![("ARGUS_NODE_ID", "edge-b".into())]).await;
    assert_eq!(a.state.settings.media.node_id, "local", "the default node");
    let admin = a.admin().await;
    let mut ids = Vec::new();
    for serial in ["NODE-A-LIVE", "NODE-A-GONE", "NODE-B-LIVE"] {
        ids.push(a.create_camera(&admin, serial).await["id"].as_str().unwrap().to_string());
    }
    let (a_live, a_gone, b_live) = (&ids[0], &ids[1], &ids[2]);
    publish(&a, a_live, "1").await;
    publish(&a, a_gone, "2").await;
    // The same client id on the other node's nginx is another publisher.
    publish(&b, b_live, "1").await;
    for id in &ids {
        assert_eq!(status(&a, id).await, "online", "{id}");
    }

    // Node A's nginx has only one of its two publishers left.
    reconcile(&a, &[(a_live, "1")]).await;
    assert_eq!(status(&a, a_live).await, "online");
    assert_eq!(status(&a, a_gone).await, "offline");
    assert_eq!(status(&a, b_live).await, "online", "node A's snapshot ended node B's camera");

    // Node B's nginx has lost its publisher; node A's camera stays.
    reconcile(&b, &[]).await;
    assert_eq!(status(&a, b_live).await, "offline");
    assert_eq!(status(&a, a_live).await, "online", "node B's snapshot ended node A's camera");

    // publish_done of client 1 on node A ends node A's session.
    apply(&a, StreamEvent::Done { client_id: "1".into() }).await;
    assert_eq!(status(&a, a_live).await, "offline");
}

/// Reconciliation reads only the cameras that can change (not offline, or named by nginx or by
/// a session it ends), and still corrects both kinds of drift: a publish whose hook was lost
/// (offline in the database, live in nginx) and a status left `online` with no session behind
/// it; an offline camera nginx does not have stays as it is.
async fn reconciliation_corrects_missed_publishes_and_stale_statuses(app: TestApp) {
    let admin = app.admin().await;
    let mut ids = Vec::new();
    for serial in ["DRIFT-MISSED", "DRIFT-STALE", "DRIFT-QUIET", "DRIFT-DELETED"] {
        ids.push(app.create_camera(&admin, serial).await["id"].as_str().unwrap().to_string());
    }
    let (missed, stale, quiet, deleted) = (&ids[0], &ids[1], &ids[2], &ids[3]);
    let stale_ids = vec![stale.clone()];
    app.state
        .db
        .run(move |c| {
            argus::db::cameras::set_status_all(c, &stale_ids, argus::domain::StreamStatus::Online, None)
        })
        .await
        .expect("status set");
    let resp =
        app.client.delete(app.url(&format!("/api/v1/cameras/{deleted}"))).bearer_auth(&admin).send().await;
    assert_eq!(resp.expect("delete").status(), 204);

    reconcile(&app, &[(missed, "41"), (deleted, "42")]).await;
    assert_eq!(status(&app, missed).await, "online", "a publish nginx has but Argus missed");
    assert_eq!(status(&app, stale).await, "offline", "online with no session and no publisher");
    assert_eq!(status(&app, quiet).await, "offline");
    assert_eq!(open_sessions(&app, missed).await, 1, "the missed publish got its session");
    assert_eq!(open_sessions(&app, deleted).await, 0, "a deleted camera's stream opens no session");
}

async fn open_sessions(app: &TestApp, camera_id: &str) -> usize {
    let id = camera_id.to_string();
    let open = app.state.db.run(move |c| argus::db::stream_sessions::open_for_camera(c, &id)).await;
    open.expect("sessions").len()
}

/// A restarted Argus reports the cameras that are online from its first scrape on, not 0 until
/// the next status change.
async fn cameras_online_is_right_after_a_restart(app: TestApp) {
    let admin = app.admin().await;
    let id = app.create_camera(&admin, "GAUGE-1").await["id"].as_str().unwrap().to_string();
    publish(&app, &id, "7").await;
    let gauge = |app: &TestApp| {
        let url = app.url("/metrics");
        let client = app.client.clone();
        async move {
            let text = client.get(url).send().await.expect("metrics").text().await.expect("body");
            text.lines().find(|l| l.starts_with("cameras_online ")).map(str::to_string)
        }
    };
    assert_eq!(gauge(&app).await.as_deref(), Some("cameras_online 1"));
    let restarted = app.sibling(false, vec![]).await;
    assert_eq!(gauge(&restarted).await.as_deref(), Some("cameras_online 1"));
}
