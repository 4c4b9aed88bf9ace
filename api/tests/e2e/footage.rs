//! Footage navigation on the real data plane: a publisher burns its wall clock into the picture
//! (`drawtext` with `%{localtime:%s}`, epoch seconds), nginx records 6 s chunks, and then the
//! timeline, the recorded HLS playlist (continuity, seeking by wall clock, the gap's
//! discontinuity) and a clip export are checked against what the picture says.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::process::Command;

use crate::{
    helpers::{next_event, status_event},
    stack::{LiveCamera, Publisher, Stack},
};

const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";
/// The stamp's box: inside it there is only the text on black, in the frame and in a reference.
const STAMP_CROP: &str = "crop=430:64:12:12";

fn stamp_style() -> String {
    format!("fontfile={FONT}:fontsize=72:fontcolor=white:box=1:boxcolor=black:boxborderw=8:x=16:y=16")
}

fn at(v: &Value) -> DateTime<Utc> {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("not a timestamp: {v}"))
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y"])
        .args(args)
        .output()
        .await
        .expect("ffmpeg");
    assert!(out.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// PSNR (dB) of two images of the same size.
async fn psnr(a: &Path, b: &Path) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-i"])
        .arg(a)
        .arg("-i")
        .arg(b)
        .args(["-lavfi", "[0][1]psnr", "-f", "null", "-"])
        .output()
        .await
        .expect("ffmpeg psnr");
    let text = String::from_utf8_lossy(&out.stderr);
    let value = text.split("average:").nth(1).and_then(|s| s.split_whitespace().next()).unwrap_or("0");
    if value == "inf" {
        f64::INFINITY
    } else {
        value.parse().unwrap_or(0.0)
    }
}

/// The epoch second stamped on `frame` (already cropped to the stamp), read by rendering each
/// candidate with the same font and keeping the closest (PSNR ~48 dB for the right one, under
/// 20 dB for its neighbours).
async fn read_stamp(dir: &Path, frame: &Path, candidates: std::ops::RangeInclusive<i64>) -> i64 {
    let mut best = (f64::MIN, 0);
    for second in candidates {
        let reference = dir.join(format!("ref-{second}.png"));
        let filter = format!("drawtext={}:text='{second}',{STAMP_CROP}", stamp_style());
        ffmpeg(&[
            "-f",
            "lavfi",
            "-i",
            "color=c=black:s=1280x720",
            "-frames:v",
            "1",
            "-vf",
            &filter,
            reference.to_str().unwrap(),
        ])
        .await;
        let score = psnr(frame, &reference).await;
        if score > best.0 {
            best = (score, second);
        }
    }
    assert!(best.0 > 30.0, "no candidate matches the stamp (best {best:?})");
    best.1
}

/// Recordings of the camera, oldest first, once at least `n` are filed and nothing is pending.
async fn filed(stack: &Stack, admin: &str, camera: &str, n: usize) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let (_, page) =
            stack.app.get(&format!("/api/v1/recordings?camera_id={camera}&limit=100"), admin).await;
        let mut items = page["items"].as_array().cloned().unwrap_or_default();
        if items.len() >= n && stack.record_files().is_empty() {
            items.sort_by_key(|c| at(&c["started_at"]));
            return items;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{} of {n} chunks filed", items.len());
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Publishes for `secs`, rotating chunks as the scheduler would, then stops and waits offline.
async fn publish_for(stack: &Stack, live: &mut LiveCamera, secs: u64) {
    let online_at = Instant::now();
    while online_at.elapsed() < Duration::from_secs(secs) {
        stack.app.state.recorders().rotate_due().await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    live.publisher.stop().await;
    next_event(&mut live.ws, status_event(&live.id, "offline")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_footage_plays_across_chunks_seeks_by_wall_clock_and_exports() {
    let stack = Stack::start_with(vec![("ARGUS_RECORD_INTERVAL_SECS", "6".into())]).await;
    let app = &stack.app;
    let clock = format!("drawtext={}:text='%{{localtime\\:%s}}'", stamp_style());
    let mut live =
        stack.live_camera_with(json!({"name": "clock", "serial_number": "E2E-CLOCK"}), &clock).await;
    let (admin, id) = (live.admin.clone(), live.id.clone());
    publish_for(&stack, &mut live, 20).await;
    let before_pause = filed(&stack, &admin, &id, 3).await;
    // A second session after a pause of a few seconds (the gap is what is under test, so the
    // wait makes it; it stands in for no event).
    let resume_at = at(&before_pause.last().expect("a chunk")["ended_at"]) + chrono::TimeDelta::seconds(4);
    if let Ok(wait) = (resume_at - Utc::now()).to_std() {
        tokio::time::sleep(wait).await;
    }
    let before_pause = before_pause.len();
    live.publisher = Publisher::start_filtered(&live.rtmp_url, &clock);
    next_event(&mut live.ws, status_event(&id, "online")).await;
    publish_for(&stack, &mut live, 8).await;
    let all = filed(&stack, &admin, &id, before_pause + 1).await;
    // The pause is the widest hole between consecutive chunks.
    let hole = |i: usize| at(&all[i + 1]["started_at"]) - at(&all[i]["ended_at"]);
    let pause = (0..all.len() - 1).max_by_key(|&i| hole(i)).expect("two chunks or more");
    let first = &all[..=pause];
    let (session_one_end, session_two_start) =
        (at(&all[pause]["ended_at"]), at(&all[pause + 1]["started_at"]));
    let spans: Vec<_> = all.iter().map(|c| format!("{}–{}", c["started_at"], c["ended_at"])).collect();
    assert!(hole(pause) > chrono::TimeDelta::seconds(2), "no gap between sessions: {spans:?}");
    assert!(first.len() >= 3, "20 s at a 6 s interval gives 3 chunks or more: {spans:?}");

    let (from, to) = (at(&all[0]["started_at"]), at(&all.last().unwrap()["ended_at"]));
    let range = format!("from={}&to={}", rfc(from - chrono::TimeDelta::seconds(5)), rfc(to));

    // Timeline: the first session's chunks are one interval; the pause is a gap.
    let (status, timeline) = app.get(&format!("/api/v1/cameras/{id}/timeline?{range}"), &admin).await;
    assert_eq!(status, StatusCode::OK, "{timeline}");
    let intervals = timeline["intervals"].as_array().expect("intervals");
    assert_eq!(intervals.len(), 2, "{timeline}");
    assert!(at(&intervals[0]["to"]) >= session_one_end - chrono::TimeDelta::milliseconds(1), "{timeline}");
    assert!(
        timeline["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| at(&g["from"]) <= session_one_end && at(&g["to"]) >= session_two_start),
        "{timeline}"
    );

    // The recorded playlist: one discontinuity (the pause), none at the chunk boundaries.
    let (status, playback) =
        app.get(&format!("/api/v1/cameras/{id}/playback/recorded?{range}"), &admin).await;
    assert_eq!(status, StatusCode::OK, "{playback}");
    let url = app.url(playback["url"].as_str().expect("url"));
    let playlist = reqwest::get(&url).await.expect("playlist").text().await.expect("text");
    assert_eq!(playlist.matches("#EXT-X-DISCONTINUITY\n").count(), 1, "{playlist}");
    assert!(
        playlist.contains("#EXT-X-PROGRAM-DATE-TIME:") && playlist.trim_end().ends_with("#EXT-X-ENDLIST")
    );
    // It decodes end to end with no error, and lasts what was recorded.
    stack.decode_ok(&url).await;
    let probed = stack.probe_url(&url).await;
    let media = probed["format"]["duration"].as_str().and_then(|d| d.parse::<f64>().ok()).expect("duration");
    let recorded: f64 = all.iter().map(|c| c["duration_ms"].as_f64().unwrap() / 1000.0).sum();
    assert!((media - recorded).abs() < 1.0, "playlist {media:.2} s, recordings {recorded:.2} s");

    // Seeking by wall clock: T inside the second chunk shows the frame stamped T (± one GOP, 1 s).
    let dir = tempfile::tempdir().expect("tmp");
    let start_at = at(&playback["start_at"]);
    let target = at(&first[1]["started_at"]) + chrono::TimeDelta::milliseconds(2_500);
    let offset = (target - start_at).num_milliseconds() as f64 / 1000.0;
    let frame = dir.path().join("frame.png");
    ffmpeg(&[
        "-ss",
        &format!("{offset:.3}"),
        "-i",
        &url,
        "-frames:v",
        "1",
        "-vf",
        STAMP_CROP,
        frame.to_str().unwrap(),
    ])
    .await;
    let expected = target.timestamp();
    let stamped = read_stamp(dir.path(), &frame, expected - 3..=expected + 3).await;
    println!("seek to {target} (media {offset:.3} s): frame stamped {stamped}, expected {expected}");
    assert!((stamped - expected).abs() <= 1, "seek to {target}: frame stamped {stamped}");

    // Export across both chunk boundaries of the first session: its duration, decodable.
    let (ex_from, ex_to) = (
        at(&first[0]["started_at"]) + chrono::TimeDelta::seconds(3),
        at(&first[2]["started_at"]) + chrono::TimeDelta::seconds(2),
    );
    let body = json!({ "from": rfc(ex_from), "to": rfc(ex_to), "note": "e2e" });
    let (status, export) = app.post(&format!("/api/v1/cameras/{id}/exports"), &admin, body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{export}");
    let export_id = export["id"].as_str().expect("export id").to_string();
    let done = next_event(&mut live.ws, |v| {
        v["type"] == "export.progress"
            && v["data"]["export"]["id"] == export_id.as_str()
            && v["data"]["export"]["state"] == "done"
    })
    .await;
    let download = app.url(done["data"]["export"]["download_url"].as_str().expect("download_url"));
    let file: PathBuf = dir.path().join("export.mp4");
    std::fs::write(&file, reqwest::get(&download).await.expect("download").bytes().await.expect("bytes"))
        .unwrap();
    stack.decode_ok(file.to_str().unwrap()).await;
    let probed = stack.probe_path(&file).await;
    let got = probed["format"]["duration"].as_str().and_then(|d| d.parse::<f64>().ok()).expect("duration");
    let asked = (ex_to - ex_from).num_milliseconds() as f64 / 1000.0;
    println!("export of {asked:.2} s across two chunk boundaries: {got:.2} s");
    // Stream copy starts on the keyframe at or before `from`: up to one GOP (1 s) and a frame more.
    assert!(
        got >= asked - 0.05 && got <= asked + 1.0 + 0.05,
        "export lasts {got:.2} s for {asked:.2} s asked"
    );
}
