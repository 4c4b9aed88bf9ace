//! The dry run (`GET /api/v1/storage/plan`) lists what the next storage run does, and the run
//! then does exactly that. Local tiers; ages set by editing `ended_at`.

use std::collections::BTreeSet;

use argus::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::TestApp,
    retention::{camera, recording, run, with_lifecycle},
};

crate::matrix!(the_plan_lists_exactly_what_the_run_then_does);

/// (recording, action, from, to, reason) of every planned action, through pages of `limit`.
pub(crate) async fn plan(
    app: &TestApp,
    token: &str,
    limit: usize,
) -> (i64, Vec<(String, String, String, String, String)>) {
    let (mut items, mut page) = (vec![], 1);
    let total = loop {
        let (status, body) = app.get(&format!("/api/v1/storage/plan?page={page}&limit={limit}"), token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let total = body["total"].as_i64().expect("total");
        let got = body["items"].as_array().expect("items").clone();
        assert!(got.len() <= limit);
        let text = |v: &Value| v.as_str().unwrap_or("-").to_string();
        for i in &got {
            assert!(i["camera_id"].is_string() && i["ended_at"].is_string(), "{i}");
            items.push((
                text(&i["recording_id"]),
                text(&i["action"]),
                text(&i["from"]),
                text(&i["to"]),
                text(&i["reason"]),
            ));
        }
        if got.is_empty() || page >= body["total_pages"].as_i64().expect("pages") {
            break total;
        }
        page += 1;
    };
    assert_eq!(items.len() as i64, total, "the pages add up to the total");
    (total, items)
}

async fn the_plan_lists_exactly_what_the_run_then_does(app: TestApp) {
    let (admin, viewer) = (app.admin().await, app.token_for(Role::Viewer).await);
    let plain = camera(&app, &admin, "PLAN-PLAIN", Value::Null).await;
    let long = camera(&app, &admin, "PLAN-LONG", json!(90)).await;
    let held = camera(&app, &admin, "PLAN-HELD", Value::Null).await;
    let path = format!("/api/v1/cameras/{held}");
    let (status, _) = app.call(Method::PATCH, &path, Some(&admin), Some(json!({"legal_hold": true}))).await;
    assert_eq!(status, StatusCode::OK);
    let expire_plain = recording(&app, &plain, "expire-plain", 40).await;
    let to_warm = recording(&app, &plain, "to-warm", 10).await;
    recording(&app, &plain, "fresh", 2).await;
    let to_cold = recording(&app, &long, "to-cold", 40).await;
    let expire_long = recording(&app, &long, "expire-long", 100).await;
    recording(&app, &held, "held", 100).await;

    let (configured, _tiers) = with_lifecycle(&app).await;
    assert_eq!(configured.get("/api/v1/storage/plan", &viewer).await.0, StatusCode::FORBIDDEN);

    let (total, planned) = plan(&configured, &admin, 2).await;
    let row = |id: &String, action: &str, from: &str, to: &str, reason: &str| {
        (id.clone(), action.to_string(), from.to_string(), to.to_string(), reason.to_string())
    };
    // In the run's order: expiries first, then the moves.
    let deletes: BTreeSet<_> = planned[..2].iter().cloned().collect();
    let moves: BTreeSet<_> = planned[2..].iter().cloned().collect();
    assert_eq!(total, 4);
    assert_eq!(
        deletes,
        BTreeSet::from([
            row(&expire_plain, "delete", "hot", "-", "retention"),
            row(&expire_long, "delete", "hot", "-", "retention")
        ])
    );
    assert_eq!(
        moves,
        BTreeSet::from([
            row(&to_warm, "move", "hot", "warm", "age"),
            row(&to_cold, "move", "hot", "cold", "age")
        ])
    );
    assert_eq!(plan(&configured, &admin, 100).await, (total, planned.clone()), "the plan changes nothing");

    let report = run(&configured).await;
    assert_eq!((report.expired, report.moved, report.failed), (2, 2, 0), "{report:?}");
    let mut done = BTreeSet::new();
    for e in app.audit(&admin, "recording.expired").await {
        done.insert(row(
            &e["entity_id"].as_str().unwrap().to_string(),
            "delete",
            e["before"]["tier"].as_str().unwrap(),
            "-",
            "retention",
        ));
    }
    for m in app.audit(&admin, "recording.tier_changed").await {
        let (from, to) = (m["before"]["tier"].as_str().unwrap(), m["after"]["tier"].as_str().unwrap());
        done.insert(row(&m["entity_id"].as_str().unwrap().to_string(), "move", from, to, "age"));
    }
    assert_eq!(done, planned.into_iter().collect::<BTreeSet<_>>(), "the run did what the plan said");
    assert_eq!(plan(&configured, &admin, 100).await.0, 0, "nothing left to do");
}
