//! Per-camera storage rules — tier thresholds, a size quota — and the HOT disk floor: what each
//! takes, that held footage is never touched, and that the plan lists exactly what the run does.
//! Local tiers; ages set by editing `ended_at`; the floor's tests give the storage a fake disk.

use std::{collections::BTreeSet, path::Path, sync::Arc};

use argus::{
    auth::{
        principal::{Principal, UserPrincipal},
        Role,
    },
    db::{self, PageRequest},
    infra::disk::DiskSpace,
    services::storage::{Storage, StorageReport},
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{error_code, TestApp},
    retention::{camera, hot_file, kept, moved_file, recording, run},
    storage_plan::plan,
};

crate::matrix!(
    a_cameras_own_thresholds_move_only_its_footage,
    a_quota_deletes_the_oldest_unheld_footage_until_it_fits,
    the_disk_floor_takes_the_oldest_hot_footage_down_a_tier_or_deletes_it,
);

type Planned = (String, String, String, String, String);

fn row(id: &str, action: &str, from: &str, to: &str, reason: &str) -> Planned {
    (id.into(), action.into(), from.into(), to.into(), reason.into())
}

async fn patch(app: &TestApp, admin: &str, camera: &str, body: Value) -> (StatusCode, Value) {
    app.call(Method::PATCH, &format!("/api/v1/cameras/{camera}"), Some(admin), Some(body)).await
}

async fn hold(app: &TestApp, admin: &str, recording: &str) {
    let path = format!("/api/v1/recordings/{recording}/hold");
    assert_eq!(app.call(Method::PUT, &path, Some(admin), None).await.0, StatusCode::OK);
}

fn field(err: &Value) -> String {
    err["error"]["details"].as_object().and_then(|d| d.keys().next().cloned()).unwrap_or_default()
}

/// The same database and data with WARM and COLD tiers in a temporary directory.
async fn with_tiers(app: &TestApp, env: Vec<(&'static str, String)>) -> (TestApp, tempfile::TempDir) {
    let tiers = tempfile::tempdir().expect("tempdir");
    let dir = |name: &str| format!("file://{}", tiers.path().join(name).display());
    let mut env = env;
    env.extend([("ARGUS_TIER_WARM_URL", dir("warm")), ("ARGUS_TIER_COLD_URL", dir("cold"))]);
    (app.sibling(false, env).await, tiers)
}

async fn a_cameras_own_thresholds_move_only_its_footage(app: TestApp) {
    let admin = app.admin().await;
    for (body, bad) in [
        (json!({"warm_after_days": 40}), "warm_after_days"), // past the global COLD (30)
        (json!({"warm_after_days": 5, "cold_after_days": 5}), "cold_after_days"),
        (json!({"archive_after_days": 20}), "archive_after_days"),
        (json!({"cold_after_days": 0}), "cold_after_days"),
        (json!({"warm_after_days": 3651}), "warm_after_days"),
    ] {
        let mut body = body;
        body["name"] = json!("bad");
        body["serial_number"] = json!("TH-BAD");
        let (status, err) = app.post("/api/v1/cameras", &admin, body.clone()).await;
        assert_eq!(
            (status, error_code(&err), field(&err)),
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", bad.into()),
            "{body} {err}"
        );
    }
    let fast = camera(&app, &admin, "TH-FAST", Value::Null).await;
    let plain = camera(&app, &admin, "TH-PLAIN", Value::Null).await;
    let (status, cam) =
        patch(&app, &admin, &fast, json!({"warm_after_days": 2.0, "cold_after_days": 5})).await;
    assert_eq!(
        (status, &cam["warm_after_days"], &cam["cold_after_days"]),
        (StatusCode::OK, &json!(2), &json!(5)),
        "{cam}"
    );
    assert_eq!(cam["archive_after_days"], Value::Null, "the global one");
    let (status, err) = patch(&app, &admin, &fast, json!({"warm_after_days": 2.5})).await;
    assert_eq!((status, error_code(&err)), (StatusCode::BAD_REQUEST, "bad_request"), "{err}");
    // Merged with its own WARM (2), not the global one.
    let (status, err) = patch(&app, &admin, &fast, json!({"cold_after_days": 2})).await;
    assert_eq!((status, field(&err)), (StatusCode::UNPROCESSABLE_ENTITY, "cold_after_days".into()), "{err}");
    assert!(err.to_string().contains("warm_after_days (2)"), "{err}");

    let fast_3 = recording(&app, &fast, "fast-3", 3).await;
    let fast_6 = recording(&app, &fast, "fast-6", 6).await;
    let fast_1 = recording(&app, &fast, "fast-1", 1).await;
    let plain_3 = recording(&app, &plain, "plain-3", 3).await;
    let plain_8 = recording(&app, &plain, "plain-8", 8).await;
    let plain_40 = recording(&app, &plain, "plain-40", 40).await;
    let plain_file = hot_file(&app, &plain_3).await;

    let (configured, tiers) = with_tiers(&app, vec![]).await;
    let (total, planned) = plan(&configured, &admin, 100).await;
    let want = BTreeSet::from([
        row(&fast_3, "move", "hot", "warm", "age"),
        row(&fast_6, "move", "hot", "cold", "age"),
        row(&plain_8, "move", "hot", "warm", "age"),
        row(&plain_40, "move", "hot", "cold", "age"),
    ]);
    assert_eq!((total, planned.iter().cloned().collect::<BTreeSet<_>>()), (4, want));
    let report = run(&configured).await;
    assert_eq!((report.moved, report.expired, report.failed), (4, 0, 0), "{report:?}");
    for (id, tier) in [(&fast_3, "warm"), (&fast_6, "cold"), (&plain_8, "warm"), (&plain_40, "cold")] {
        let file = moved_file(&app, &tiers, id, tier).await;
        assert!(kept(&app, id, &file).await);
    }
    assert!(kept(&app, &plain_3, &plain_file).await, "the global 7 days still hold for the other camera");
    assert_eq!(
        configured.state.storage.placement(&fast_1).await.expect("read").expect("row").tier.as_str(),
        "hot"
    );
    let moves = app.audit(&admin, "recording.tier_changed").await;
    assert!(moves.iter().all(|m| m["after"]["reason"] == "age"), "{moves:?}");

    let (status, cam) =
        patch(&app, &admin, &fast, json!({"warm_after_days": null, "cold_after_days": null})).await;
    assert_eq!(
        (status, &cam["warm_after_days"], &cam["cold_after_days"]),
        (StatusCode::OK, &Value::Null, &Value::Null)
    );
    assert_eq!(plan(&configured, &admin, 100).await.0, 0, "nothing left to do");
}

async fn a_quota_deletes_the_oldest_unheld_footage_until_it_fits(app: TestApp) {
    let admin = app.admin().await;
    let cam = camera(&app, &admin, "QUOTA", Value::Null).await;
    let other = camera(&app, &admin, "NO-QUOTA", Value::Null).await;
    for bad in [json!(0), json!(-5)] {
        let (status, err) = patch(&app, &admin, &cam, json!({"quota_bytes": bad})).await;
        assert_eq!((status, field(&err)), (StatusCode::UNPROCESSABLE_ENTITY, "quota_bytes".into()), "{err}");
    }
    let (status, err) = patch(&app, &admin, &cam, json!({"quota_bytes": 1.5})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    let (status, c) = patch(&app, &admin, &cam, json!({"quota_bytes": 5_000_000_000.0})).await;
    assert_eq!((status, &c["quota_bytes"]), (StatusCode::OK, &json!(5_000_000_000i64)), "{c}");
    let (_, c) = patch(&app, &admin, &cam, json!({"quota_bytes": 1000})).await;
    assert_eq!(c["quota_bytes"], 1000);

    // 300 bytes each: 1800 in all, the oldest held.
    let q1 = recording(&app, &cam, "q-1", 20).await;
    hold(&app, &admin, &q1).await;
    let q2 = recording(&app, &cam, "q-2", 10).await;
    let q3 = recording(&app, &cam, "q-3", 9).await;
    let q4 = recording(&app, &cam, "q-4", 8).await;
    let q5 = recording(&app, &cam, "q-5", 5).await;
    let q6 = recording(&app, &cam, "q-6", 2).await;
    let others = recording(&app, &other, "o-1", 30).await;
    let mut files = std::collections::HashMap::new();
    for id in [&q1, &q2, &q3, &q4, &q5, &q6, &others] {
        files.insert(id.clone(), hot_file(&app, id).await);
    }

    // 800 over: q-2, q-3, q-4 go (900 freed); held q-1 counts and stays.
    let (_, planned) = plan(&app, &admin, 2).await;
    let quota = |id: &String| row(id, "delete", "hot", "-", "quota");
    assert_eq!(planned, vec![quota(&q2), quota(&q3), quota(&q4)], "oldest first");
    let report = run(&app).await;
    assert_eq!((report.expired, report.over_quota, report.failed), (3, 3, 0), "{report:?}");
    for id in [&q2, &q3, &q4] {
        assert!(!kept(&app, id, &files[id]).await);
    }
    for id in [&q1, &q5, &q6, &others] {
        assert!(kept(&app, id, &files[id]).await);
    }
    let audited = app.audit(&admin, "recording.expired").await;
    assert_eq!(audited.len(), 3);
    assert!(
        audited.iter().all(|e| e["after"] == json!({"reason": "quota", "quota_bytes": 1000})),
        "{audited:?}"
    );

    // Footage retention expires first counts as gone: 1200 with q-7, q-5 past 4 days leaves
    // 900, and a 600 quota then takes q-6 only (held q-1 and q-7 make 600).
    let q7 = recording(&app, &cam, "q-7", 1).await;
    files.insert(q7.clone(), hot_file(&app, &q7).await);
    let (status, _) = patch(&app, &admin, &cam, json!({"quota_bytes": 600, "retention_days": 4})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, planned) = plan(&app, &admin, 100).await;
    assert_eq!(planned, vec![row(&q5, "delete", "hot", "-", "retention"), quota(&q6)]);
    let report = run(&app).await;
    assert_eq!((report.expired, report.over_quota, report.failed), (2, 1, 0), "{report:?}");
    assert!(!kept(&app, &q5, &files[&q5]).await && !kept(&app, &q6, &files[&q6]).await);
    assert!(kept(&app, &q1, &files[&q1]).await && kept(&app, &q7, &files[&q7]).await);
    assert_eq!(plan(&app, &admin, 100).await.0, 0, "it fits");
}

/// `app`'s storage with the floor at 10 % and a 10,000-byte HOT disk with `available` free.
fn on_fake_disk(app: &TestApp, available: u64) -> Storage {
    let mut storage = app.state.storage.clone();
    storage.settings.hot_min_free_percent = 10;
    storage.disk = Arc::new(move |_: &Path| Ok(DiskSpace { total: 10_000, available }));
    storage
}

/// The plan of `storage` (the service's dry run, as an admin sees it).
async fn planned(storage: &Storage) -> Vec<Planned> {
    let admin = Principal::User(UserPrincipal {
        id: "admin".into(),
        username: "admin".into(),
        role: Role::Admin,
        session_id: "s".into(),
    });
    let page = storage.plan(db::now(), &admin, PageRequest { page: 1, limit: 100 }).await.expect("plan");
    let text = |v: &Value| v.as_str().unwrap_or("-").to_string();
    let items = serde_json::to_value(page.items).expect("json");
    let items = items.as_array().expect("items");
    items
        .iter()
        .map(|i| {
            (
                text(&i["recording_id"]),
                text(&i["action"]),
                text(&i["from"]),
                text(&i["to"]),
                text(&i["reason"]),
            )
        })
        .collect()
}

async fn floor_run(storage: &Storage) -> StorageReport {
    storage.run(db::now()).await.expect("storage run")
}

async fn the_disk_floor_takes_the_oldest_hot_footage_down_a_tier_or_deletes_it(app: TestApp) {
    let admin = app.admin().await;
    let a = camera(&app, &admin, "FLOOR-A", json!(15)).await;
    let b = camera(&app, &admin, "FLOOR-B", Value::Null).await;
    // 300 bytes each; b-1 held.
    let a1 = recording(&app, &a, "a-1", 20).await;
    let b1 = recording(&app, &b, "b-1", 16).await;
    hold(&app, &admin, &b1).await;
    let a2 = recording(&app, &a, "a-2", 10).await;
    let b2 = recording(&app, &b, "b-2", 5).await;
    let a3 = recording(&app, &a, "a-3", 1).await;
    let b3 = recording(&app, &b, "b-3", 0).await;
    let mut files = std::collections::HashMap::new();
    for id in [&a1, &b1, &a2, &b2, &a3, &b3] {
        files.insert(id.clone(), hot_file(&app, id).await);
    }

    // Plenty free: nothing to do. Short by 600 bytes with no lower tier: a-1 expires (300 off
    // HOT count), then the oldest unheld HOT footage is deleted: a-2.
    assert_eq!(planned(&on_fake_disk(&app, 5_000)).await, vec![row(&a1, "delete", "hot", "-", "retention")]);
    let storage = on_fake_disk(&app, 400);
    let plan = planned(&storage).await;
    assert_eq!(
        plan,
        vec![row(&a1, "delete", "hot", "-", "retention"), row(&a2, "delete", "hot", "-", "disk_floor")]
    );
    let report = floor_run(&storage).await;
    assert_eq!((report.expired, report.disk_floor, report.failed), (2, 1, 0), "{report:?}");
    assert!(!kept(&app, &a1, &files[&a1]).await && !kept(&app, &a2, &files[&a2]).await);
    let audited = app.audit(&admin, "recording.expired").await;
    let floor = audited.iter().find(|e| e["entity_id"] == a2.as_str()).expect("audited");
    assert_eq!(floor["after"], json!({"reason": "disk_floor", "hot_min_free_percent": 10}));

    // With WARM: the oldest (a-4, also due by age) and then b-2 move down; the held b-1 and
    // each camera's newest stay on HOT, even though the floor is still short.
    let a4 = recording(&app, &a, "a-4", 9).await;
    let (configured, tiers) = with_tiers(&app, vec![]).await;
    let storage = on_fake_disk(&configured, 400);
    let plan = planned(&storage).await;
    assert_eq!(
        plan,
        vec![row(&a4, "move", "hot", "warm", "disk_floor"), row(&b2, "move", "hot", "warm", "disk_floor")]
    );
    let report = floor_run(&storage).await;
    assert_eq!((report.moved, report.disk_floor, report.failed), (2, 2, 0), "{report:?}");
    for id in [&a4, &b2] {
        let file = moved_file(&app, &tiers, id, "warm").await;
        assert!(kept(&app, id, &file).await);
    }
    for id in [&b1, &a3, &b3] {
        assert!(kept(&app, id, &files[id]).await, "held or newest: still on HOT");
        assert_eq!(storage.placement(id).await.expect("read").expect("row").tier.as_str(), "hot");
    }
    let moves = app.audit(&admin, "recording.tier_changed").await;
    assert!(moves.iter().all(|m| m["after"]["reason"] == "disk_floor"), "{moves:?}");
    assert_eq!(planned(&storage).await, vec![], "the newest stay, whatever the floor says");
}
