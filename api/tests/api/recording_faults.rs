//! What a `kill -9` leaves behind while a chunk is filed, laid out by hand, and the scan that
//! must file every such chunk exactly once; and deletion ordered row first, then file.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant, SystemTime},
};

use argus::services;
use chrono::{DateTime, Datelike};
use reqwest::StatusCode;
use serde_json::Value;

use crate::{helpers::TestApp, streaming::write_flv};

crate::matrix!(unfiled_chunk_scan_files_every_interrupted_ingest_exactly_once);

fn age(path: &Path, by: Duration) {
    let file = std::fs::File::options().write(true).open(path).expect("open to age");
    file.set_modified(SystemTime::now() - by).expect("set mtime");
}

fn files_with(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found = vec![];
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.to_string_lossy().ends_with(suffix) {
                found.push(p);
            }
        }
    }
    found.sort();
    found
}

async fn recordings_of(app: &TestApp, admin: &str, camera: &str) -> Vec<Value> {
    let (status, page) = app.get(&format!("/api/v1/recordings?camera_id={camera}&limit=100"), admin).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().cloned().unwrap_or_default()
}

async fn unfiled_chunk_scan_files_every_interrupted_ingest_exactly_once(app: TestApp) {
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "KILL-INGEST").await;
    let id = cam["id"].as_str().expect("id").to_string();
    let media = &app.state.settings.media;
    let (record_dir, storage_dir) = (media.record_dir.clone(), media.storage_dir.clone());
    std::fs::create_dir_all(&record_dir).expect("record dir");
    let epoch = |i: i64| 1_790_000_000 + i * 10;
    let day_dir = |e: i64| {
        let t = DateTime::from_timestamp(e, 0).expect("epoch");
        storage_dir.join(&id).join(format!("{:04}/{:02}/{:02}", t.year(), t.month(), t.day()))
    };
    let recorded = |i: i64| record_dir.join(format!("{id}-{}.flv", epoch(i)));
    let filed = |i: i64| day_dir(epoch(i)).join(format!("{id}-{}.mp4", epoch(i)));
    let sample = app.state.settings.data_dir.join("sample.flv");
    write_flv(&sample, 1);
    let place = |to: &Path| {
        std::fs::create_dir_all(to.parent().expect("parent")).expect("dir");
        std::fs::copy(&sample, to).expect("copy chunk");
    };
    // 3 and 5: chunks whose row exists already (filed through the service, FLV put back after).
    for i in [3, 5] {
        place(&recorded(i));
        services::recordings::ingest(&app.state, &recorded(i)).await.expect("ingest").expect("filed");
    }
    // 0: killed before the remux (or the hook was lost): the FLV in the recording directory.
    place(&recorded(0));
    // 1: killed during the remux: a partial `.mp4.part` beside where the MP4 goes.
    place(&recorded(1));
    std::fs::create_dir_all(day_dir(epoch(1))).expect("dir");
    std::fs::write(filed(1).with_extension("mp4.part"), b"half an mp4").expect("part");
    // 2: killed after the rename, before the row: a complete-looking MP4 without a row.
    place(&recorded(2));
    std::fs::write(filed(2), b"an mp4 nobody catalogued").expect("mp4");
    // 3: killed after the row, before removing the FLV.
    place(&recorded(3));
    // 4 and 5: FLVs older versions moved into storage before remuxing; 5's row exists.
    place(&day_dir(epoch(4)).join(format!("{id}-{}.flv", epoch(4))));
    place(&day_dir(epoch(5)).join(format!("{id}-{}.flv", epoch(5))));
    // A partial MP4 abandoned long ago, whose chunk is gone: garbage.
    let abandoned = day_dir(epoch(6)).join(format!("{id}-{}.mp4.part", epoch(6)));
    std::fs::create_dir_all(abandoned.parent().expect("parent")).expect("dir");
    std::fs::write(&abandoned, b"junk").expect("junk");
    age(&abandoned, Duration::from_secs(2 * 3600));
    for flv in files_with(&record_dir, ".flv").iter().chain(&files_with(&storage_dir, ".flv")) {
        age(flv, Duration::from_secs(60));
    }

    assert_eq!(services::unfiled::file_all(&app.state).await, 6, "every leftover chunk is queued");
    let started = Instant::now();
    loop {
        let flvs = [files_with(&record_dir, ".flv"), files_with(&storage_dir, ".flv")].concat();
        let rows = recordings_of(&app, &admin, &id).await;
        if flvs.is_empty() && rows.len() >= 6 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "left: {flvs:?}, {} rows", rows.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let rows = recordings_of(&app, &admin, &id).await;
    let mut starts: Vec<i64> = rows
        .iter()
        .map(|r| {
            DateTime::parse_from_rfc3339(r["started_at"].as_str().expect("started_at"))
                .expect("rfc3339")
                .timestamp()
        })
        .collect();
    starts.sort();
    assert_eq!(starts, (0..6).map(epoch).collect::<Vec<_>>(), "each chunk filed exactly once");
    // Rows == files: every MP4 on disk is catalogued, intact, and no partial file is left.
    let mp4s = files_with(&storage_dir, ".mp4");
    assert_eq!(mp4s, (0..6).map(filed).collect::<Vec<_>>());
    for row in &rows {
        let rid = row["id"].as_str().expect("id");
        let bytes = app.get_bytes(&format!("/api/v1/recordings/{rid}/download"), &admin).await;
        use sha2::Digest;
        assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), row["checksum_sha256"].as_str().expect("sum"));
    }
    assert_eq!(files_with(&storage_dir, ".part"), Vec::<PathBuf>::new());
    assert_eq!(services::unfiled::file_all(&app.state).await, 0, "nothing left for a second scan");
}

/// The delete must not remove the file of a recording whose row it then fails to delete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_recording_removes_the_row_before_the_file() {
    use diesel::{connection::SimpleConnection, Connection, SqliteConnection};
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite, false).await;
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "DEL-ORDER").await;
    let record_dir = app.state.settings.media.record_dir.clone();
    std::fs::create_dir_all(&record_dir).expect("record dir");
    let flv = record_dir.join(format!("{}-1790000000.flv", cam["id"].as_str().expect("id")));
    write_flv(&flv, 1);
    let rec = services::recordings::ingest(&app.state, &flv).await.expect("ingest").expect("filed");
    let row = app.state.db.run({
        let id = rec.id.clone();
        move |c| argus::db::recordings::find(c, &id)
    });
    let file = PathBuf::from(row.await.expect("row").expect("exists").file_path);
    assert!(file.exists());

    let db_path = app.state.settings.data_dir.join("argus.db");
    let mut conn = SqliteConnection::establish(&db_path.display().to_string()).expect("open test db");
    conn.batch_execute(
        "CREATE TRIGGER refuse_delete BEFORE DELETE ON recordings BEGIN SELECT RAISE(ABORT, 'refused'); END;",
    )
    .expect("trigger");
    let path = format!("/api/v1/recordings/{}", rec.id);
    let (status, _) = app.call(reqwest::Method::DELETE, &path, Some(&admin), None).await;
    assert!(status.is_server_error(), "{status}");
    assert!(file.exists(), "a failed delete removed the file of a recording still catalogued");

    conn.batch_execute("DROP TRIGGER refuse_delete").expect("drop trigger");
    let (status, _) = app.call(reqwest::Method::DELETE, &path, Some(&admin), None).await;
    assert!(status.is_success(), "{status}");
    assert!(!file.exists());
    assert!(recordings_of(&app, &admin, &rec.camera_id).await.is_empty());
}
