//! `GET /api/v1/storage`: what each tier holds and each camera records per day. Local tiers;
//! ages set by editing `ended_at`.

use argus::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::TestApp,
    retention::{camera, recording, with_lifecycle},
};

crate::matrix!(usage_sums_each_tier_and_camera_and_rates_the_last_week);

/// Days HOT's free space lasts at `rate`, as the API rounds it.
fn days_left(free: &Value, rate: i64) -> Value {
    json!((free.as_f64().expect("free known") / rate as f64 * 10.0).round() / 10.0)
}

async fn usage_sums_each_tier_and_camera_and_rates_the_last_week(app: TestApp) {
    let (admin, viewer) = (app.admin().await, app.token_for(Role::Viewer).await);
    // `recording` writes name × 100 bytes.
    let old = camera(&app, &admin, "USE-OLD", json!(365)).await;
    recording(&app, &old, "old-forty", 40).await; // 900 bytes, moves to COLD
    recording(&app, &old, "old-ten", 10).await; // 700, moves to WARM
    recording(&app, &old, "old-two", 2).await; // 700, in the window
    recording(&app, &old, "old-six", 6).await; // 700, in the window
    let young = camera(&app, &admin, "USE-YOUNG", Value::Null).await;
    recording(&app, &young, "young-2d", 2).await; // 800: a two-day-old camera
    camera(&app, &admin, "USE-EMPTY", Value::Null).await;

    let (lc, tiers) = with_lifecycle(&app).await;
    assert_eq!(lc.get("/api/v1/storage", &viewer).await.0, StatusCode::FORBIDDEN);
    let by_tier = |stats: &Value| stats["storage_by_tier"].clone();
    let (_, before) = lc.get("/api/v1/dashboard/stats", &admin).await;
    assert_eq!((&before["total_recordings"], &before["storage_used_bytes"]), (&json!(5), &json!(3800)));
    assert_eq!(by_tier(&before), json!({"hot": 3800, "warm": 0, "cold": 0, "archive": 0}));
    // Through the job (as the scheduler runs it), which invalidates the cached statistics.
    let (status, done) = lc.post("/api/v1/jobs/storage/run", &admin, json!({})).await;
    assert_eq!(
        (status, &done["outcome"], &done["items"]),
        (StatusCode::OK, &json!("ok"), &json!(2)),
        "{done}"
    );
    let (_, after) = lc.get("/api/v1/dashboard/stats", &admin).await;
    assert_eq!(by_tier(&after), json!({"hot": 2200, "warm": 700, "cold": 900, "archive": 0}));
    assert_eq!(after["storage_used_bytes"], 3800);

    let (status, body) = lc.get("/api/v1/storage", &admin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["window_days"], 7);
    let t = body["tiers"].as_array().expect("tiers");
    let names: Vec<&str> = t.iter().map(|v| v["tier"].as_str().unwrap()).collect();
    assert_eq!(names, ["hot", "warm", "cold", "archive"]);
    let hot_dir = lc.state.settings.media.storage_dir.display();
    assert_eq!(t[0]["location"], format!("file://{hot_dir}"));
    assert_eq!(t[1]["location"], format!("file://{}", tiers.path().join("warm").display()));
    assert_eq!((&t[3]["configured"], &t[3]["location"]), (&json!(false), &Value::Null));
    let counts: Vec<(i64, i64)> =
        t.iter().map(|v| (v["recordings"].as_i64().unwrap(), v["used_bytes"].as_i64().unwrap())).collect();
    assert_eq!(counts, [(3, 2200), (1, 700), (1, 900), (0, 0)]);
    for local in &t[..3] {
        let (total, free) =
            (local["disk_total_bytes"].as_i64().unwrap(), local["disk_free_bytes"].as_i64().unwrap());
        assert!(total > 0 && (0..=total).contains(&free), "{local}");
    }
    assert_eq!((&t[3]["disk_total_bytes"], &t[3]["disk_free_bytes"]), (&Value::Null, &Value::Null));

    // Cameras with footage, most bytes first; the empty camera has none.
    let cams = &body["cameras"];
    assert_eq!((cams["total"].as_i64(), cams["page"].as_i64()), (Some(2), Some(1)));
    let (o, y) = (&cams["items"][0], &cams["items"][1]);
    assert_eq!((o["camera_id"].as_str(), o["camera_name"].as_str()), (Some(old.as_str()), Some("USE-OLD")));
    assert_eq!((o["recordings"].as_i64(), o["bytes_total"].as_i64()), (Some(4), Some(3000)));
    assert_eq!(o["bytes_by_tier"], json!({"hot": 1400, "warm": 700, "cold": 900, "archive": 0}));
    assert_eq!(o["bytes_per_day"], 200, "1400 bytes in 7 days");
    assert_eq!(y["bytes_per_day"], 400, "800 bytes over its own two days");
    assert_eq!(body["bytes_per_day"], 600);
    let free = &t[0]["disk_free_bytes"];
    assert_eq!(body["hot_days_left"], days_left(free, 600));
    assert_eq!(o["hot_days_left"], days_left(free, 200));

    let (_, second) = lc.get("/api/v1/storage?page=2&limit=1", &admin).await;
    assert_eq!(second["cameras"]["items"].as_array().map(|i| i.len()), Some(1));
    assert_eq!(
        (second["cameras"]["items"][0]["camera_id"].as_str(), second["cameras"]["total_pages"].as_i64()),
        (Some(young.as_str()), Some(2))
    );

    // A token limited to one camera sees only its figures (the tiers' are the stores').
    let body = json!({"remark": "young only", "permissions": ["recording.delete", "stats.read"], "camera_ids": [young]});
    let (status, created) = lc.post("/api/v1/api-tokens", &admin, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, scoped) = lc.get("/api/v1/storage", created["secret"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{scoped}");
    assert_eq!(scoped["cameras"]["total"], 1);
    assert_eq!(scoped["cameras"]["items"][0]["camera_id"], json!(young));
    assert_eq!(scoped["bytes_per_day"], 400);
    assert_eq!(scoped["tiers"][0]["used_bytes"], 2200);
    let (_, stats) = lc.get("/api/v1/dashboard/stats", created["secret"].as_str().unwrap()).await;
    assert_eq!((&stats["total_recordings"], &by_tier(&stats)["hot"]), (&json!(1), &json!(800)), "{stats}");
}
