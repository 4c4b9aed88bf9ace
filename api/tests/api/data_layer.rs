//! The data layer called directly, on both backends: what the HTTP tests cannot see.

use argus::{
    db::{self, cameras::CameraRow, recordings::RecordingRow, sessions::SessionRow, users::UserRow},
    error::ErrorCode,
};

use crate::helpers::TestApp;

crate::matrix!(
    timestamps_round_trip_at_microsecond_precision,
    session_rotation_is_compare_and_swap,
    recordings_are_unique_per_source_and_sum_sizes,
    search_treats_like_wildcards_literally,
    conflicting_transactions_all_commit,
);

fn camera(serial: &str, name: &str) -> CameraRow {
    let now = db::now();
    CameraRow {
        id: db::new_id(),
        name: name.into(),
        company: None,
        model: None,
        serial_number: serial.into(),
        location: None,
        place: None,
        stream_key: db::new_id(),
        recording_enabled: true,
        transcode_profile: "default".into(),
        is_active: true,
        stream_status: argus::domain::StreamStatus::Offline,
        last_seen_at: None,
        created_via: "api".into(),
        created_by: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        retention_days: None,
        legal_hold: false,
        warm_after_days: None,
        cold_after_days: None,
        archive_after_days: None,
        quota_bytes: None,
    }
}

async fn timestamps_round_trip_at_microsecond_precision(app: TestApp) {
    let row = camera("TS-1", "ts");
    let (id, created) = (row.id.clone(), row.created_at);
    app.state.db.run(move |c| db::cameras::insert(c, &row)).await.unwrap();
    let back = app.state.db.run(move |c| db::cameras::find(c, &id)).await.unwrap().unwrap();
    assert_eq!(back.created_at, created);
    assert!(back.is_active);
}

async fn session_rotation_is_compare_and_swap(app: TestApp) {
    let now = db::now();
    let user = UserRow {
        id: db::new_id(),
        username: "u".into(),
        email: None,
        password_hash: "x".into(),
        role: "viewer".into(),
        is_active: true,
        created_at: now,
        updated_at: now,
        last_login_at: None,
    };
    let session = SessionRow {
        id: db::new_id(),
        user_id: user.id.clone(),
        refresh_hash: "h1".into(),
        created_at: now,
        last_used_at: now,
        revoked_at: None,
        revoked_reason: None,
        ip: None,
        user_agent: None,
    };
    let sid = session.id.clone();
    let (won, lost) = app
        .state
        .db
        .run(move |c| {
            db::users::insert(c, &user)?;
            db::sessions::insert(c, &session)?;
            let won = db::sessions::rotate(c, &sid, "h1", "h2", db::now())?;
            let lost = db::sessions::rotate(c, &sid, "h1", "h3", db::now())?;
            Ok((won, lost))
        })
        .await
        .unwrap();
    assert!(won);
    assert!(!lost, "a second rotation from the same old hash must fail");
}

async fn recordings_are_unique_per_source_and_sum_sizes(app: TestApp) {
    use argus::domain::StorageTier::{Archive, Cold, Hot, Warm};
    let cam = camera("REC-1", "rec");
    let cam_id = cam.id.clone();
    app.state.db.run(move |c| db::cameras::insert(c, &cam)).await.unwrap();
    let now = db::now();
    let rec = |size: i64, source: &str| RecordingRow {
        id: db::new_id(),
        camera_id: cam_id.clone(),
        started_at: now,
        ended_at: now,
        duration_ms: 1000,
        size_bytes: size,
        file_path: format!("/r/{source}.mp4"),
        source_path: source.into(),
        tier: Hot,
        checksum_sha256: "0".repeat(64),
        video_codec: Some("h264".into()),
        audio_codec: None,
        width: Some(1280),
        height: Some(720),
        bitrate_kbps: Some(900),
        created_at: now,
        legal_hold: false,
    };
    let (a, b, dup) = (rec(5_000_000_000, "/in/a.flv"), rec(7, "/in/b.flv"), rec(1, "/in/a.flv"));
    app.state
        .db
        .run(move |c| {
            db::recordings::insert(c, &a)?;
            db::recordings::insert(c, &b)
        })
        .await
        .unwrap();
    let err = app.state.db.run(move |c| db::recordings::insert(c, &dup)).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    let ids = vec![cam_id.clone()];
    let by_tier = app.state.db.run(move |c| db::storage_usage::by_tier(c, &ids)).await.unwrap();
    assert_eq!(by_tier, [(Hot, 2, 5_000_000_007)], "sizes past 32 bits sum correctly");
    assert_eq!(totals(&app).await, [(Hot, 2, 5_000_000_007), (Warm, 0, 0), (Cold, 0, 0), (Archive, 0, 0)]);
    let found = app.state.db.run(|c| db::recordings::find_by_source(c, "/in/b.flv")).await.unwrap();
    assert_eq!(found.as_ref().map(|r| r.size_bytes), Some(7));

    // The per-tier totals follow a move and a deletion.
    let (small, big) = (found.unwrap().id, by_source(&app, "/in/a.flv").await);
    let moved = app
        .state
        .db
        .run(move |c| db::recording_tiers::commit_move(c, &small, Hot, Cold, "cold/b.mp4", db::now()))
        .await
        .unwrap();
    assert!(moved);
    app.state.db.run(move |c| db::recordings::delete_unheld(c, &big, "test")).await.unwrap();
    assert_eq!(totals(&app).await, [(Hot, 0, 0), (Warm, 0, 0), (Cold, 1, 7), (Archive, 0, 0)]);
}

/// `(tier, recordings, bytes)` of every tier, in tier order.
async fn totals(app: &TestApp) -> Vec<(argus::domain::StorageTier, i64, i64)> {
    let mut rows = app.state.db.run(db::recording_totals::all).await.unwrap();
    rows.sort_by_key(|(tier, _, _)| argus::domain::StorageTier::ALL.iter().position(|t| t == tier));
    rows
}

async fn by_source(app: &TestApp, source: &'static str) -> String {
    app.state.db.run(move |c| db::recordings::find_by_source(c, source)).await.unwrap().unwrap().id
}

async fn search_treats_like_wildcards_literally(app: TestApp) {
    let (a, b) = (camera("W-1", "100% outdoor"), camera("W-2", "1000 outdoor"));
    app.state
        .db
        .run(move |c| {
            db::cameras::insert(c, &a)?;
            db::cameras::insert(c, &b)
        })
        .await
        .unwrap();
    let filter = db::cameras::CameraFilter { q: Some("100%".into()), ..Default::default() };
    let (rows, total) = app
        .state
        .db
        .run(move |c| db::cameras::list(c, &filter, db::PageRequest::new(None, None)))
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(rows[0].name, "100% outdoor");
}

/// Transactions that lock the same two rows in opposite orders deadlock on MariaDB (one is
/// aborted) and collide on SQLite's write lock; every one must still commit.
async fn conflicting_transactions_all_commit(app: TestApp) {
    let (a, b) = (camera("TX-A", "a"), camera("TX-B", "b"));
    let ids = (a.id.clone(), b.id.clone());
    app.state
        .db
        .transaction(move |c| {
            db::cameras::insert(c, &a)?;
            db::cameras::insert(c, &b)
        })
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (first, second) = if i % 2 == 0 { ids.clone() } else { (ids.1.clone(), ids.0.clone()) };
        let state = app.state.clone();
        tasks.push(tokio::spawn(async move {
            state
                .db
                .transaction(move |c| {
                    for id in [&first, &second] {
                        let changes = db::cameras::CameraChanges {
                            name: Some(format!("writer {i}")),
                            ..Default::default()
                        };
                        db::cameras::update(c, id, &changes)?;
                        std::thread::sleep(std::time::Duration::from_millis(5));
                    }
                    Ok(())
                })
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().expect("every conflicting transaction commits");
    }
}
