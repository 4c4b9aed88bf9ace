//! The storage lifecycle against real stores: WARM and COLD are local directories, ARCHIVE is a
//! bucket on a real S3-protocol server (moto, started by `scripts/s3-test-server.sh`, named by
//! `TEST_S3_ENDPOINT`; scripts/test.sh always sets it, without it these tests skip).
//! Ages are set by editing `ended_at`, not by waiting.

use argus::{
    db::{self, recording_tiers::Placement, schema::recordings},
    domain::StorageTier,
    infra::failpoints::FailPoints,
    services::storage::Storage,
};
use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::helpers::{insert_hot_recording, Backend, Options, TestApp};

/// A recording larger than one 8 MiB upload part, so the S3 copy is a real multipart upload.
const SIZE: usize = 9 * 1024 * 1024 + 12_345;

pub(crate) struct Setup {
    pub(crate) app: TestApp,
    pub(crate) admin: String,
    pub(crate) tiers: tempfile::TempDir,
}

/// The app with WARM, COLD (directories) and ARCHIVE (a fresh bucket on moto); `None` (skip)
/// without `TEST_S3_ENDPOINT`.
pub(crate) async fn setup(backend: Backend) -> Option<Setup> {
    let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") else {
        // In CI a missing server is a broken test script, not a reason to pass.
        assert!(std::env::var_os("CI").is_none(), "TEST_S3_ENDPOINT is not set under CI");
        eprintln!("skipped: TEST_S3_ENDPOINT is not set (scripts/s3-test-server.sh starts moto)");
        return None;
    };
    let bucket = format!("argus-{}", uuid::Uuid::new_v4().simple());
    let created =
        reqwest::Client::new().put(format!("{endpoint}/{bucket}")).send().await.expect("moto answers");
    assert!(created.status().is_success(), "create bucket: {}", created.status());
    let tiers = tempfile::tempdir().expect("tempdir");
    let dir = |name: &str| format!("file://{}", tiers.path().join(name).display());
    let env = vec![
        ("ARGUS_TIER_WARM_URL", dir("warm")),
        ("ARGUS_TIER_COLD_URL", dir("cold")),
        ("ARGUS_TIER_ARCHIVE_URL", format!("s3://{bucket}/archive")),
        ("ARGUS_S3_ENDPOINT", endpoint),
        ("ARGUS_S3_ALLOW_HTTP", "true".into()),
        ("ARGUS_S3_REGION", "us-east-1".into()),
        ("ARGUS_S3_ACCESS_KEY_ID", "test".into()),
        ("ARGUS_S3_SECRET_ACCESS_KEY", "test".into()),
    ];
    let app = TestApp::spawn_with(Options { backend, redis: false, env }).await;
    let admin = app.admin().await;
    Some(Setup { app, admin, tiers })
}

/// Files a recording on HOT, as the ingest does (`CAMERA/YYYY/MM/DD/….mp4`); returns its id and bytes.
pub(crate) async fn file_recording(s: &Setup) -> (String, Vec<u8>) {
    let serial = format!("TIER-{}", uuid::Uuid::new_v4().simple());
    let camera = s.app.create_camera(&s.admin, &serial).await["id"].as_str().expect("camera id").to_string();
    let bytes: Vec<u8> = (0..SIZE).map(|i| (i * 31 % 251) as u8).collect();
    let file =
        s.app.state.settings.media.storage_dir.join(&camera).join("2026/12/01").join(format!("{serial}.mp4"));
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    std::fs::write(&file, &bytes).expect("write recording");
    let checksum = hex::encode(Sha256::digest(&bytes));
    (insert_hot_recording(&s.app, camera, &file, SIZE as i64, checksum).await, bytes)
}

pub(crate) async fn age(s: &Setup, id: &str, days: i64) {
    let (id, ended) = (id.to_string(), db::now() - Duration::days(days));
    s.app
        .state
        .db
        .run(move |c| {
            diesel::update(recordings::table.find(&id)).set(recordings::ended_at.eq(ended)).execute(c)?;
            Ok(())
        })
        .await
        .expect("set ended_at");
}

pub(crate) async fn placement(s: &Setup, id: &str) -> Placement {
    s.app.state.storage.placement(id).await.expect("read").expect("row exists")
}

/// Whether `tier` holds an object under the recording's key there.
async fn present(s: &Setup, p: &Placement, tier: StorageTier) -> bool {
    let key = match tier {
        StorageTier::Hot => return std::path::Path::new(&p.file_path).exists(),
        _ => object_store::path::Path::from(p.location.clone().unwrap_or_else(|| {
            // Not yet moved: the key is the path under HOT.
            p.file_path
                .strip_prefix(&format!("{}/", s.app.state.settings.media.storage_dir.display()))
                .expect("filed under HOT")
                .to_string()
        })),
    };
    let store = s.app.state.storage.tiers.get(tier).expect("tier configured");
    store.head(&key).await.expect("head").is_some()
}

/// One run; `fail` names the step (`storage.copied`, `storage.committed`) each move fails at.
pub(crate) async fn run(s: &Setup, fail: Option<&str>) -> argus::services::storage::StorageReport {
    let failpoints =
        FailPoints::parse(&fail.map(|f| format!("{f}=error")).unwrap_or_default()).expect("valid");
    let storage = Storage { failpoints, ..s.app.state.storage.clone() };
    storage.run(db::now()).await.expect("storage run")
}

/// Plays bytes 100..=199 and the last 10 bytes through a signed link (206 each), and downloads
/// the whole recording.
async fn assert_plays(s: &Setup, id: &str, bytes: &[u8]) {
    let (status, links) = s.app.get(&format!("/api/v1/recordings/{id}/links"), &s.admin).await;
    assert_eq!(status, StatusCode::OK, "{links}");
    let stream = s.app.url(links["stream_url"].as_str().expect("stream url"));
    for (range, want, content_range) in [
        ("bytes=100-199", &bytes[100..200], format!("bytes 100-199/{SIZE}")),
        ("bytes=-10", &bytes[SIZE - 10..], format!("bytes {}-{}/{SIZE}", SIZE - 10, SIZE - 1)),
    ] {
        let resp = s.app.client.get(&stream).header("range", range).send().await.expect("request");
        assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(resp.headers()["content-range"].to_str().unwrap(), content_range);
        assert_eq!(resp.headers()["content-type"], "video/mp4");
        assert_eq!(&resp.bytes().await.expect("body")[..], want, "{range}");
    }
    let resp =
        s.app.client.get(&stream).header("range", format!("bytes={SIZE}-")).send().await.expect("request");
    assert_eq!(resp.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(resp.headers()["content-range"].to_str().unwrap(), format!("bytes */{SIZE}"));
    let download = s.app.url(links["download_url"].as_str().expect("download url"));
    let resp = s.app.client.get(&download).send().await.expect("request");
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    assert!(resp.bytes().await.expect("body")[..] == *bytes, "the download is the recording");
}

/// HOT → WARM → COLD → ARCHIVE as the recording ages; each step verified, audited, playable.
async fn recordings_move_down_the_tiers_by_age(backend: Backend) {
    let Some(s) = setup(backend).await else { return };
    let (id, bytes) = file_recording(&s).await;
    assert_eq!(run(&s, None).await.moved, 0, "a fresh recording stays on HOT");
    assert_plays(&s, &id, &bytes).await;

    let mut previous = StorageTier::Hot;
    for (days, tier) in [(8, StorageTier::Warm), (31, StorageTier::Cold), (91, StorageTier::Archive)] {
        age(&s, &id, days).await;
        let report = run(&s, None).await;
        assert_eq!((report.moved, report.failed), (1, 0), "{days} days old");
        let p = placement(&s, &id).await;
        assert_eq!(p.tier, tier);
        assert_eq!(p.stale_tier, None);
        assert!(present(&s, &p, tier).await, "the object is in {tier}");
        assert!(!present(&s, &p, previous).await, "the source in {previous} is deleted");
        assert_plays(&s, &id, &bytes).await;
        previous = tier;
    }
    let key = placement(&s, &id).await.location.expect("location");
    let archive = s.app.state.storage.tiers.get(StorageTier::Archive).expect("archive");
    let (size, sha) = archive.digest(&key.as_str().into()).await.expect("read back from S3");
    assert_eq!((size, sha), (SIZE as u64, hex::encode(Sha256::digest(&bytes))));
    assert!(
        !s.tiers.path().join("warm").join(&key).exists() && !s.tiers.path().join("cold").join(&key).exists()
    );
    assert_eq!(run(&s, None).await.moved, 0, "ARCHIVE is the last tier");

    let moves = s.app.audit(&s.admin, "recording.tier_changed").await;
    let steps: Vec<(String, String)> = moves
        .iter()
        .rev()
        .map(|m| {
            assert_eq!(m["actor_type"], "system");
            assert_eq!(m["entity_id"], id.as_str());
            (m["before"]["tier"].as_str().unwrap().into(), m["after"]["tier"].as_str().unwrap().into())
        })
        .collect();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(steps, [pair("hot", "warm"), pair("warm", "cold"), pair("cold", "archive")]);
}

/// A move cut short after the copy, or after the row update, is repaired by the next run: the
/// row points at a readable object with the right checksum and no copy is left without a row.
async fn an_interrupted_move_is_repaired_by_the_next_run(backend: Backend) {
    let Some(s) = setup(backend).await else { return };
    let (id, bytes) = file_recording(&s).await;

    // Copied to WARM, row not updated: still HOT and playable; the next run drops the copy and moves again.
    age(&s, &id, 8).await;
    assert_eq!(run(&s, Some("storage.copied")).await.failed, 1);
    let p = placement(&s, &id).await;
    assert_eq!((p.tier.as_str(), p.stale_tier.map(|t| t.as_str())), ("hot", Some("warm")));
    assert!(present(&s, &p, StorageTier::Warm).await, "the uncommitted copy exists");
    assert_plays(&s, &id, &bytes).await;
    let report = run(&s, None).await;
    assert_eq!((report.repaired, report.moved), (1, 1));
    let p = placement(&s, &id).await;
    assert_eq!((p.tier.as_str(), p.stale_tier.map(|t| t.as_str())), ("warm", None));
    assert!(!present(&s, &p, StorageTier::Hot).await);

    // Row points at COLD, the WARM source not yet deleted: playable from COLD; the next run deletes WARM's copy.
    age(&s, &id, 31).await;
    assert_eq!(run(&s, Some("storage.committed")).await.failed, 1);
    let p = placement(&s, &id).await;
    assert_eq!((p.tier.as_str(), p.stale_tier.map(|t| t.as_str())), ("cold", Some("warm")));
    assert!(present(&s, &p, StorageTier::Warm).await && present(&s, &p, StorageTier::Cold).await);
    assert_plays(&s, &id, &bytes).await;
    let report = run(&s, None).await;
    assert_eq!((report.repaired, report.moved), (1, 0));
    let p = placement(&s, &id).await;
    assert_eq!(p.stale_tier, None);
    assert!(!present(&s, &p, StorageTier::Warm).await, "no copy left without a row");

    // Copied into the bucket, row not updated: the orphan object is deleted, then the move redone.
    age(&s, &id, 91).await;
    assert_eq!(run(&s, Some("storage.copied")).await.failed, 1);
    let p = placement(&s, &id).await;
    assert!(present(&s, &p, StorageTier::Archive).await, "the uncommitted copy is in the bucket");
    assert_eq!(p.tier.as_str(), "cold");
    let report = run(&s, None).await;
    assert_eq!((report.repaired, report.moved), (1, 1));
    let p = placement(&s, &id).await;
    assert_eq!((p.tier.as_str(), p.stale_tier.map(|t| t.as_str())), ("archive", None));
    assert!(!present(&s, &p, StorageTier::Cold).await);
    assert_plays(&s, &id, &bytes).await;
    // One audited move per committed move: hot→warm, warm→cold, cold→archive.
    assert_eq!(s.app.audit(&s.admin, "recording.tier_changed").await.len(), 3);
}

/// A copy whose checksum differs from the row's is never committed: the recording stays where
/// it is, playable, and the bad copy is deleted at once.
async fn a_copy_that_does_not_verify_is_not_committed(backend: Backend) {
    let Some(s) = setup(backend).await else { return };
    let (id, bytes) = file_recording(&s).await;
    let rid = id.clone();
    s.app
        .state
        .db
        .run(move |c| {
            diesel::update(recordings::table.find(&rid))
                .set(recordings::checksum_sha256.eq("0".repeat(64)))
                .execute(c)?;
            Ok(())
        })
        .await
        .expect("corrupt the checksum");
    age(&s, &id, 91).await;
    assert_eq!(run(&s, None).await.failed, 1);
    let p = placement(&s, &id).await;
    assert_eq!((p.tier.as_str(), p.stale_tier.map(|t| t.as_str())), ("hot", None));
    assert!(present(&s, &p, StorageTier::Hot).await);
    assert!(!present(&s, &p, StorageTier::Archive).await, "the bad copy is deleted");
    assert_plays(&s, &id, &bytes).await;
    let report = run(&s, None).await;
    assert_eq!((report.repaired, report.moved, report.failed), (0, 0, 1), "refused again, nothing to repair");
    assert!(s.app.audit(&s.admin, "recording.tier_changed").await.is_empty());
}

/// Deleting a recording deletes its object in whatever tier it is.
async fn deleting_an_archived_recording_deletes_its_object(backend: Backend) {
    let Some(s) = setup(backend).await else { return };
    let (id, _) = file_recording(&s).await;
    age(&s, &id, 91).await;
    assert_eq!(run(&s, None).await.moved, 1, "straight to ARCHIVE, the deepest tier due");
    let p = placement(&s, &id).await;
    assert_eq!(p.tier.as_str(), "archive");
    let resp = s
        .app
        .client
        .delete(s.app.url(&format!("/api/v1/recordings/{id}")))
        .bearer_auth(&s.admin)
        .send()
        .await;
    assert_eq!(resp.expect("request").status(), StatusCode::NO_CONTENT);
    assert!(!present(&s, &p, StorageTier::Archive).await, "the object went with the row");
}

/// Each scenario on SQLite and on MariaDB.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use crate::helpers::Backend;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name(Backend::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() { super::$name(Backend::Mysql).await }
        }
    )*};
}
pub(crate) use on_both_backends;

on_both_backends!(
    recordings_move_down_the_tiers_by_age,
    an_interrupted_move_is_repaired_by_the_next_run,
    a_copy_that_does_not_verify_is_not_committed,
    deleting_an_archived_recording_deletes_its_object,
);
