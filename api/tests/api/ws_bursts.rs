//! Bursts on the WebSocket feed: a reconnect storm's status changes arrive coalesced (and
//! filtered per client), and a client that falls behind is told to resync instead of missing
//! events silently.

use std::collections::HashSet;

use argus::{
    db::stream_sessions,
    realtime::hub::Event,
    services::{queues::StreamEvent, stream_writer},
};
use serde_json::json;

use crate::helpers::{connect_ws, next_event, Ws};

crate::matrix!(
    a_storm_of_publishes_leaves_every_camera_online_and_tells_each_client_its_share,
    a_client_that_falls_behind_is_told_to_resync,
);

/// Camera ids whose `online` status the client hears (single or coalesced events) until it has
/// heard `n` of them.
async fn online_cameras(ws: &mut Ws, n: usize) -> (HashSet<String>, usize) {
    let (mut seen, mut coalesced) = (HashSet::new(), 0);
    while seen.len() < n {
        let event = next_event(ws, |v| v["type"] == "camera.status" || v["type"] == "camera.statuses").await;
        let changes = match event["type"].as_str() {
            Some("camera.statuses") => {
                coalesced += 1;
                event["data"]["changes"].as_array().unwrap().clone()
            }
            _ => vec![event["data"].clone()],
        };
        for change in changes.iter().filter(|c| c["stream_status"] == "online") {
            seen.insert(change["camera_id"].as_str().unwrap().to_string());
        }
    }
    (seen, coalesced)
}

async fn a_storm_of_publishes_leaves_every_camera_online_and_tells_each_client_its_share(
    app: crate::helpers::TestApp,
) {
    const N: usize = 40;
    let admin = app.admin().await;
    let mut ids = Vec::new();
    for i in 0..N {
        ids.push(app.create_camera(&admin, &format!("STORM-{i}")).await["id"].as_str().unwrap().to_string());
    }
    let (_, token) = app
        .post(
            "/api/v1/api-tokens",
            &admin,
            json!({"remark": "one camera", "permissions": ["camera.read"], "camera_ids": [ids[7]]}),
        )
        .await;
    let mut everything = connect_ws(&app, &admin).await;
    let mut scoped = connect_ws(&app, token["secret"].as_str().unwrap()).await;
    // One batch, as the writer takes a storm from its queue.
    let client_ids: Vec<String> = (0..N).map(|i| (9000 + i).to_string()).collect();
    let events = ids
        .iter()
        .zip(&client_ids)
        .map(|(id, client)| StreamEvent::Published {
            camera_id: id.clone(),
            client_id: client.clone(),
            addr: Some("10.0.0.9".into()),
        })
        .collect();
    stream_writer::apply(&app.state, events).await.unwrap();

    let (seen, coalesced) = online_cameras(&mut everything, N).await;
    assert_eq!(seen, ids.iter().cloned().collect::<HashSet<_>>());
    assert!(coalesced >= 1, "{N} changes in one batch go out coalesced");
    let (_, page) = app.get("/api/v1/cameras?stream_status=online&limit=1", &admin).await;
    assert_eq!(page["total"], N);
    let (node, clients) = (app.state.settings.media.node_id.clone(), client_ids.clone());
    let open =
        app.state.db.run(move |c| stream_sessions::find_open_by_clients(c, &node, &clients)).await.unwrap();
    assert_eq!(open.len(), N, "one open session per publisher");
    assert_eq!(app.audit(&admin, "stream.published").await.len(), N);

    // The scoped token hears its own camera only, although the batch held all 40.
    let mine =
        next_event(&mut scoped, |v| v["type"] == "camera.status" || v["type"] == "camera.statuses").await;
    let changes = mine["data"]["changes"].as_array().cloned().unwrap_or_else(|| vec![mine["data"].clone()]);
    assert_eq!(changes.len(), 1, "{mine}");
    assert_eq!(changes[0]["camera_id"], ids[7].as_str());
}

async fn a_client_that_falls_behind_is_told_to_resync(app: crate::helpers::TestApp) {
    let admin = app.admin().await;
    let mut ws = connect_ws(&app, &admin).await;
    // The client stops reading: large events fill the socket and the session's queue, so the
    // session waits on the client while the hub runs more than its backlog ahead of it.
    let big = "x".repeat(256 * 1024);
    for _ in 0..128 {
        app.state.hub.deliver_local(Event::new("test.filler", None, json!({ "pad": big })));
    }
    for i in 0..5000 {
        app.state.hub.deliver_local(Event::new("test.burst", None, json!({ "n": i })));
    }
    let resync = next_event(&mut ws, |v| v["type"] == "resync").await;
    assert!(resync["data"]["missed"].as_u64().unwrap() > 0, "{resync}");
    // Still connected, and delivering what comes next.
    app.state.hub.deliver_local(Event::new("test.after", None, json!({})));
    next_event(&mut ws, |v| v["type"] == "test.after").await;
}
