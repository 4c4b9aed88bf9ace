//! Recorded playback over real footage: chunks made by FFmpeg (H.264 with B-frames, AAC), filed
//! through the real ingest, played back as one HLS VOD playlist whose segments are fetched,
//! concatenated and probed. Needs ffmpeg/ffprobe (deploy/install-deps.sh), like streaming.rs.

use std::{path::Path, process::Command, time::Instant};

use argus::{
    db::{self, schema::recordings},
    domain::StorageTier,
    infra::{failpoints::FailPoints, storage::local_key},
    services::{recorded_playback::segments::SegmentIndex, signed_links},
};
use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{error_code, Backend, TestApp};

const EPOCH: i64 = 1_790_000_000;

fn at(epoch: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(epoch, 0).expect("valid epoch")
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An FLV chunk as nginx-rtmp records it: 25 fps H.264 with B-frames, one keyframe a second.
fn write_flv(path: &Path, secs: u32) {
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25"])
        .args(["-f", "lavfi", "-i", "sine=frequency=440", "-t", &secs.to_string()])
        .args(["-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac", "-f", "flv"])
        .arg(path)
        .status()
        .expect("ffmpeg must be installed (deploy/install-deps.sh)");
    assert!(status.success());
}

/// Files a chunk of `camera` started at `epoch` through the real ingest; its recording id.
async fn file_chunk(app: &TestApp, camera: &str, epoch: i64, secs: u32) -> String {
    let dir = app.state.settings.media.record_dir.clone();
    std::fs::create_dir_all(&dir).expect("record dir");
    let flv = dir.join(format!("{camera}-{epoch}.flv"));
    write_flv(&flv, secs);
    let view = argus::services::recordings::ingest(&app.state, &flv).await.expect("ingest").expect("filed");
    view.id
}

async fn stored_index(app: &TestApp, id: &str) -> Option<String> {
    let id = id.to_string();
    app.state.db.run(move |c| db::recordings::segment_index(c, &id)).await.expect("read index")
}

/// As if filed before indexing existed.
async fn forget_index(app: &TestApp, id: &str) {
    let id = id.to_string();
    app.state
        .db
        .run(move |c| {
            diesel::update(recordings::table.find(&id))
                .set(recordings::segment_index.eq(None::<String>))
                .execute(c)?;
            Ok(())
        })
        .await
        .expect("clear index");
}

/// Video packet pts (seconds) of a media file, in file order.
fn video_pts(path: &Path) -> Vec<f64> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().trim_end_matches(',').parse().ok())
        .collect()
}

struct Entry {
    pdt: DateTime<Utc>,
    secs: f64,
    uri: String,
    discontinuity: bool,
}

fn parse_playlist(text: &str) -> Vec<Entry> {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.first(), Some(&"#EXTM3U"));
    assert_eq!(lines.last(), Some(&"#EXT-X-ENDLIST"));
    for tag in ["#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-VERSION:3", "#EXT-X-MEDIA-SEQUENCE:0"] {
        assert!(lines.contains(&tag), "{tag}");
    }
    let (mut out, mut pdt, mut secs, mut discontinuity) = (Vec::new(), None, None, false);
    for line in lines {
        if line == "#EXT-X-DISCONTINUITY" {
            discontinuity = true;
        } else if let Some(v) = line.strip_prefix("#EXT-X-PROGRAM-DATE-TIME:") {
            assert!(v.ends_with('Z') && v.len() == 24, "ms precision, UTC: {v}");
            pdt = Some(v.parse().expect("PDT"));
        } else if let Some(v) = line.strip_prefix("#EXTINF:") {
            secs = Some(v.trim_end_matches(',').parse::<f64>().expect("EXTINF"));
        } else if !line.starts_with('#') {
            let (pdt, secs) = (pdt.take().expect("PDT on every segment"), secs.take().expect("EXTINF"));
            out.push(Entry { pdt, secs, uri: line.to_string(), discontinuity });
            discontinuity = false;
        }
    }
    out
}

async fn issue(app: &TestApp, token: &str, camera: &str, from: i64, to: i64) -> (StatusCode, Value) {
    let path =
        format!("/api/v1/cameras/{camera}/playback/recorded?from={}&to={}", rfc(at(from)), rfc(at(to)));
    app.get(&path, token).await
}

/// Three 12 s chunks: A and B touch, C follows a 16 s gap. C is indexed lazily.
async fn plays_across_chunks_with_a_discontinuity_only_at_the_gap(app: TestApp) {
    let admin = app.admin().await;
    let camera = app.create_camera(&admin, "PLAY-1").await["id"].as_str().expect("id").to_string();
    let a = file_chunk(&app, &camera, EPOCH, 12).await;
    let b = file_chunk(&app, &camera, EPOCH + 12, 12).await;
    let started = Instant::now();
    let c = file_chunk(&app, &camera, EPOCH + 40, 12).await;
    eprintln!("filing one 12 s chunk (remux, probe, index, checksum): {:?}", started.elapsed());
    assert!(stored_index(&app, &a).await.is_some_and(|i| i.starts_with("v1 ")), "indexed at filing");
    forget_index(&app, &c).await;

    let (status, body) = issue(&app, &admin, &camera, EPOCH + 3, EPOCH + 46).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(stored_index(&app, &c).await.is_some(), "indexed lazily and stored");
    assert_eq!(body["segments"], 5, "{body}");
    assert_eq!(body["from"].as_str().map(|s| s.parse::<DateTime<Utc>>().ok()), Some(Some(at(EPOCH + 3))));
    let url = app.url(body["url"].as_str().expect("url"));
    let resp = app.client.get(&url).send().await.expect("playlist");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/vnd.apple.mpegurl");
    let entries = parse_playlist(&resp.text().await.expect("text"));
    let owners: Vec<&str> = entries.iter().map(|e| e.uri.split('/').next().expect("rec")).collect();
    assert_eq!(owners, [&a, &a, &b, &b, &c].map(String::as_str));
    let cuts: Vec<bool> = entries.iter().map(|e| e.discontinuity).collect();
    assert_eq!(cuts, [false, false, false, false, true], "a discontinuity at the gap and nowhere else");
    for pair in entries.windows(2) {
        let step = (pair[1].pdt - pair[0].pdt).num_milliseconds() as f64 / 1000.0;
        if pair[1].discontinuity {
            assert!(step > pair[0].secs + 10.0, "the gap shows in the dates");
        } else {
            assert!((step - pair[0].secs).abs() <= 0.1, "PDT advances by EXTINF: {step} vs {}", pair[0].secs);
        }
    }
    assert_eq!(
        body["start_at"].as_str().map(|s| s.parse::<DateTime<Utc>>().ok()),
        Some(Some(entries[0].pdt))
    );
    let media: f64 = entries[..4].iter().map(|e| e.secs).sum();
    assert!((body["discontinuities"][0]["media_secs"].as_f64().expect("media_secs") - media).abs() < 0.002);
    let total: f64 = entries.iter().map(|e| e.secs).sum();
    assert!((body["duration_secs"].as_f64().expect("duration") - total).abs() < 0.002);

    // Every segment, resolved against the playlist URL as a native player does.
    let base = reqwest::Url::parse(&url).expect("url");
    let (dir, mut ts, mut expected) = (tempfile::tempdir().expect("tmp"), Vec::new(), 0);
    for e in &entries {
        let started = Instant::now();
        let resp = app.client.get(base.join(&e.uri).expect("join")).send().await.expect("segment");
        assert_eq!(resp.status(), StatusCode::OK, "{}", e.uri);
        assert_eq!(resp.headers()["content-type"], "video/mp2t");
        ts.extend_from_slice(&resp.bytes().await.expect("body"));
        eprintln!(
            "segment {} ({} s) in {:?}",
            e.uri.split('?').next().unwrap_or(""),
            e.secs,
            started.elapsed()
        );
        expected += source_packets(&app, &e.uri).await;
    }
    let joined = dir.path().join("joined.ts");
    std::fs::write(&joined, &ts).expect("write");
    let mut pts = video_pts(&joined);
    assert_eq!(pts.len(), expected, "no frame lost or duplicated at segment and chunk boundaries");
    pts.sort_by(f64::total_cmp);
    let steps: Vec<f64> = pts.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(steps.iter().all(|s| *s > 0.001), "no duplicate frame");
    let jumps: Vec<&f64> = steps.iter().filter(|s| **s > 0.1).collect();
    assert_eq!(jumps.len(), 1, "timestamps continuous but at the gap: {jumps:?}");
    assert!((*jumps[0] - 16.0).abs() < 0.5, "the jump is the gap: {}", jumps[0]);

    let audits = app.audit(&admin, "camera.recorded_playback_issued").await;
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0]["entity_id"], camera.as_str());
    assert!(audits[0]["after"]["from"].is_string() && audits[0]["after"]["to"].is_string());
}

/// Video packets of the source recording inside the segment `uri` names.
async fn source_packets(app: &TestApp, uri: &str) -> usize {
    let path = uri.split('?').next().expect("path");
    let (id, n) = path.split_once('/').expect("rec/n.ts");
    let n: usize = n.trim_end_matches(".ts").parse().expect("n");
    let rid = id.to_string();
    let row = app.state.db.run(move |c| db::recordings::find(c, &rid)).await.expect("read").expect("row");
    let index = SegmentIndex::parse(&stored_index(app, id).await.expect("indexed")).expect("v1");
    let seg = index.segments(row.duration_ms, None)[n];
    let end = if seg.cut_dts_ms.is_some() { seg.end_ms } else { i64::MAX };
    video_pts(Path::new(&row.file_path))
        .iter()
        .map(|p| (p * 1000.0).round() as i64)
        .filter(|p| *p >= seg.start_ms && *p < end)
        .count()
}

async fn bad_ranges_and_links_are_refused(app: TestApp) {
    let admin = app.admin().await;
    let camera = app.create_camera(&admin, "PLAY-2").await["id"].as_str().expect("id").to_string();
    let other = app.create_camera(&admin, "PLAY-3").await["id"].as_str().expect("id").to_string();
    file_chunk(&app, &camera, EPOCH, 8).await;
    let foreign = file_chunk(&app, &other, EPOCH, 4).await;

    let (status, body) = issue(&app, &admin, &camera, EPOCH + 5, EPOCH + 5).await;
    assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "bad_request"));
    let (status, _) = issue(&app, &admin, &camera, EPOCH, EPOCH + 25 * 3600).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = issue(&app, &admin, "no-such-camera", EPOCH, EPOCH + 5).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = issue(&app, &admin, &camera, EPOCH + 100, EPOCH + 200).await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "no_footage"), "{body}");

    let (status, body) = issue(&app, &admin, &camera, EPOCH, EPOCH + 8).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = app.url(body["url"].as_str().expect("url"));
    let forbidden = |resp: reqwest::Response| async move {
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let body: Value = resp.json().await.expect("JSON error");
        assert_eq!(error_code(&body), "forbidden");
    };
    let get = |u: String| {
        let client = app.client.clone();
        async move { client.get(u).send().await.expect("request") }
    };
    // The signature's last hex digit changed (to a different one: it may already be `0`).
    let tamper = |u: &str| {
        let flipped = if u.ends_with('0') { '1' } else { '0' };
        format!("{}{flipped}", &u[..u.len() - 1])
    };
    forbidden(get(tamper(&url)).await).await;
    forbidden(get(url.replacen(&camera, &other, 1)).await).await;
    let unsigned = url.split("&expires").next().expect("query").to_string();
    forbidden(get(unsigned).await).await;
    // Well signed but expired.
    let (from, to, expires) = (at(EPOCH), at(EPOCH + 8), Utc::now().timestamp() - 5);
    let message =
        format!("recorded:{camera}:{}:{}:{expires}", from.timestamp_millis(), to.timestamp_millis());
    let sig = signed_links::sign(&app.state.media.playback_secret, &message).expect("sign");
    let query = format!("from={}&to={}&expires={expires}&sig={sig}", rfc(from), rfc(to));
    forbidden(get(app.url(&format!("/api/v1/playback/recorded/{camera}/index.m3u8?{query}"))).await).await;

    let playlist = get(url.clone()).await.text().await.expect("playlist");
    let first = parse_playlist(&playlist).remove(0).uri;
    let segment = reqwest::Url::parse(&url).expect("url").join(&first).expect("join").to_string();
    assert_eq!(get(segment.clone()).await.status(), StatusCode::OK);
    forbidden(get(tamper(&segment)).await).await;
    let (rec, rest) = first.split_once('/').expect("rec/n");
    let query = rest.split_once('?').expect("query").1;
    let base = format!("/api/v1/playback/recorded/{camera}");
    for missing in [format!("{base}/{rec}/99.ts?{query}"), format!("{base}/{foreign}/0.ts?{query}")] {
        let resp = get(app.url(&missing)).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(error_code(&resp.json().await.expect("JSON")), "not_found");
    }
}

macro_rules! with_app_on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use crate::helpers::{Backend, TestApp};
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name(TestApp::spawn(Backend::Sqlite, false).await).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() { super::$name(TestApp::spawn(Backend::Mysql, false).await).await }
        }
    )*};
}

with_app_on_both_backends!(
    plays_across_chunks_with_a_discontinuity_only_at_the_gap,
    bad_ranges_and_links_are_refused
);

/// A recording in the S3 ARCHIVE tier (moto) is indexed and cut through presigned URLs.
async fn a_recording_in_a_bucket_plays(backend: Backend) {
    let Some(s) = crate::storage::setup(backend).await else { return };
    let camera = s.app.create_camera(&s.admin, "PLAY-S3").await["id"].as_str().expect("id").to_string();
    let id = file_chunk(&s.app, &camera, EPOCH, 8).await;
    let rid = id.clone();
    let row = s.app.state.db.run(move |c| db::recordings::find(c, &rid)).await.expect("read").expect("row");
    let hot_path = std::path::PathBuf::from(&row.file_path);
    let key = object_store::path::Path::from(format!("{camera}/{id}.mp4"));
    let tiers = &s.app.state.storage.tiers;
    let (hot, archive) =
        (tiers.get(StorageTier::Hot).expect("hot"), tiers.get(StorageTier::Archive).expect("s3"));
    let failpoints = FailPoints::parse("").expect("no failpoints");
    archive.copy_from(hot, &local_key(&hot_path).expect("key"), &key, &failpoints).await.expect("copy to S3");
    let (rid, location) = (id.clone(), key.to_string());
    s.app
        .state
        .db
        .run(move |c| {
            diesel::update(recordings::table.find(&rid))
                .set((
                    recordings::tier.eq(StorageTier::Archive),
                    recordings::location.eq(Some(location.clone())),
                    recordings::segment_index.eq(None::<String>),
                ))
                .execute(c)?;
            Ok(())
        })
        .await
        .expect("move the row");
    std::fs::remove_file(&hot_path).expect("HOT copy gone");

    let (status, body) = issue(&s.app, &s.admin, &camera, EPOCH, EPOCH + 8).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = s.app.url(body["url"].as_str().expect("url"));
    let playlist = s.app.client.get(&url).send().await.expect("playlist").text().await.expect("text");
    let entries = parse_playlist(&playlist);
    assert!(!entries.is_empty());
    let dir = tempfile::tempdir().expect("tmp");
    for (i, e) in entries.iter().enumerate() {
        let resp = s
            .app
            .client
            .get(reqwest::Url::parse(&url).expect("url").join(&e.uri).expect("join"))
            .send()
            .await;
        let resp = resp.expect("segment");
        assert_eq!(resp.status(), StatusCode::OK);
        let file = dir.path().join(format!("{i}.ts"));
        std::fs::write(&file, resp.bytes().await.expect("body")).expect("write");
        let decoded = Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-i"])
            .arg(&file)
            .args(["-f", "null", "-"])
            .output()
            .expect("ffmpeg");
        assert!(
            decoded.status.success() && decoded.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&decoded.stderr)
        );
        assert!(!video_pts(&file).is_empty());
    }
}

crate::storage::on_both_backends!(a_recording_in_a_bucket_plays);
