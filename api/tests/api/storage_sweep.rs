//! The orphan sweep deletes objects no recording references once they are older than the grace
//! period: in local tiers (ages set through the files' mtime) and in a bucket on moto (by
//! sweeping with a cutoff in the future). Referenced objects, fresh ones, a copy named by
//! `stale_tier`, and on HOT anything but a filed MP4, stay.

use std::{
    path::{Path, PathBuf},
    time::{Duration as StdDuration, SystemTime},
};

use argus::{
    db::{self, schema::recordings},
    domain::StorageTier,
};
use chrono::Duration;
use diesel::prelude::*;
use serde_json::Value;

use crate::{
    helpers::{Backend, TestApp},
    retention::{camera, hot_file, moved_file, recording, run, with_lifecycle},
    storage::{age, file_recording, on_both_backends, placement, setup},
};

crate::matrix!(orphans_in_local_tiers_are_swept_and_everything_referenced_stays);
on_both_backends!(orphans_in_a_bucket_are_swept);

/// Writes `path` (and its directories), last modified `hours` ago.
fn write_aged(path: &Path, hours: u64) -> PathBuf {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, b"orphan bytes").expect("write");
    set_age(path, hours);
    path.to_path_buf()
}

fn set_age(path: &Path, hours: u64) {
    let file = std::fs::File::options().write(true).open(path).expect("open");
    file.set_modified(SystemTime::now() - StdDuration::from_secs(hours * 3600)).expect("set mtime");
}

async fn orphans_in_local_tiers_are_swept_and_everything_referenced_stays(app: TestApp) {
    let admin = app.admin().await;
    let cam = camera(&app, &admin, "SWEEP", Value::Null).await;
    let to_warm = recording(&app, &cam, "sweep-warm", 10).await;
    let staying = recording(&app, &cam, "sweep-hot", 1).await;
    let in_flight = recording(&app, &cam, "sweep-flight", 1).await;
    let (lc, tiers) = with_lifecycle(&app).await;
    let hot = lc.state.settings.media.storage_dir.clone();
    let warm = tiers.path().join("warm");
    let day = |root: &Path, name: &str| root.join(&cam).join("2026/11/30").join(name);

    let hot_orphan = write_aged(&day(&hot, "ghost.mp4"), 2);
    let warm_orphan = write_aged(&day(&warm, "ghost.mp4"), 2);
    let kept = [
        write_aged(&day(&warm, "fresh.mp4"), 0),
        write_aged(&day(&hot, "recording.flv"), 2),
        write_aged(&day(&hot, "remuxing.mp4.part"), 2),
        write_aged(&hot.join("notes.txt"), 2),
    ];
    set_age(&hot_file(&lc, &staying).await, 2);
    // A move into COLD in progress: the row names COLD in `stale_tier`, the copy is there.
    let copy = write_aged(
        &tiers.path().join("cold").join(hot_file(&lc, &in_flight).await.strip_prefix(&hot).unwrap()),
        2,
    );
    let id = in_flight.clone();
    let mark = move |c: &mut db::DbConn| {
        diesel::update(recordings::table.find(&id))
            .set(recordings::stale_tier.eq(StorageTier::Cold))
            .execute(c)?;
        Ok(())
    };
    lc.state.db.run(mark).await.expect("mark the move");

    let sweep = || lc.state.storage.sweep((db::now() - Duration::hours(1)).and_utc());
    assert_eq!(sweep().await.expect("sweep"), 2);
    assert!(!hot_orphan.exists() && !warm_orphan.exists(), "orphans swept");
    for file in kept.iter().chain([&copy]) {
        assert!(file.exists(), "{} kept", file.display());
    }
    assert!(hot_file(&lc, &staying).await.exists(), "a referenced HOT file stays");

    // A run sweeps too (nothing left), after repairing the interrupted move (the copy goes).
    let report = run(&lc).await;
    assert_eq!((report.moved, report.repaired, report.swept, report.failed), (1, 1, 0, 0), "{report:?}");
    assert!(!copy.exists());
    let moved = moved_file(&lc, &tiers, &to_warm, "warm").await;
    set_age(&moved, 2);

    // The next run is within the day: it does not list the tiers again.
    let later = write_aged(&day(&warm, "later.mp4"), 2);
    assert_eq!(run(&lc).await.swept, 0);
    assert!(later.exists());
    assert_eq!(sweep().await.expect("sweep"), 1);
    assert!(!later.exists() && moved.exists(), "the orphan went, the moved recording stayed");
}

async fn orphans_in_a_bucket_are_swept(backend: Backend) {
    let Some(s) = setup(backend).await else { return };
    let (id, _) = file_recording(&s).await;
    age(&s, &id, 100).await;
    let report = crate::storage::run(&s, None).await;
    assert_eq!((report.moved, report.failed), (1, 0), "{report:?}");
    let archived = placement(&s, &id).await;
    assert_eq!(archived.tier, StorageTier::Archive);

    let bucket = match &s.app.state.settings.storage.archive {
        Some(argus::config::TierLocation::S3 { bucket, .. }) => bucket.clone(),
        other => panic!("archive is a bucket: {other:?}"),
    };
    let endpoint = std::env::var("TEST_S3_ENDPOINT").expect("set when setup succeeds");
    let orphan = format!("{endpoint}/{bucket}/archive/some-camera/2026/11/30/ghost.mp4");
    let put = s.app.client.put(&orphan).body("orphan bytes").send().await.expect("put");
    assert!(put.status().is_success(), "{}", put.status());
    let store = s.app.state.storage.tiers.get(StorageTier::Archive).expect("archive");
    let ghost = object_store::path::Path::from("some-camera/2026/11/30/ghost.mp4");

    let sweep = |before: chrono::NaiveDateTime| s.app.state.storage.sweep(before.and_utc());
    assert_eq!(sweep(db::now() - Duration::hours(1)).await.expect("sweep"), 0, "younger than the grace");
    assert!(store.head(&ghost).await.expect("head").is_some());
    // Everything written up to now counts as old.
    assert_eq!(sweep(db::now() + Duration::minutes(1)).await.expect("sweep"), 1);
    assert_eq!(store.head(&ghost).await.expect("head"), None, "the orphan went");
    let key = object_store::path::Path::from(archived.location.expect("moved"));
    assert!(store.head(&key).await.expect("head").is_some(), "the archived recording stayed");
}
