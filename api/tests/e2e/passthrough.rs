//! Passthrough cameras are served by nginx's own HLS: no FFmpeg runs for them, while a
//! transcoded camera next to them still gets its ladder from FFmpeg.

use std::time::Duration;

use serde_json::json;

use crate::{
    helpers::poll_until,
    stack::{LiveCamera, Stack},
};

/// Processes whose command line has every one of `parts`, as (pid, argv joined by spaces).
fn processes_with(parts: &[&str]) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(raw) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let argv: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into())
            .collect();
        let line = argv.join(" ");
        if parts.iter().all(|p| line.contains(p)) {
            found.push((pid, line));
        }
    }
    found
}

/// FFmpeg transcoders reading the camera's stream from nginx's loopback `hls` application.
fn transcoder_ffmpegs(camera: &str) -> Vec<(u32, String)> {
    let input = format!("/hls/{camera}");
    processes_with(&[&input]).into_iter().filter(|(_, l)| l.starts_with("ffmpeg ")).collect()
}

fn transcode_wrapper(camera: &str) -> Option<u32> {
    processes_with(&["transcode", "--stream", camera]).first().map(|(pid, _)| *pid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passthrough_is_served_by_nginx_without_ffmpeg_while_a_transcoded_camera_keeps_its_ladder() {
    let stack = Stack::start().await;
    let app = &stack.app;
    let body = json!({"name": "pass", "serial_number": "E2E-PASS", "transcode_profile": "passthrough"});
    let LiveCamera { admin, id, publisher: mut pass_publisher, .. } = stack.live_camera(body).await;
    let body = json!({"name": "ladder", "serial_number": "E2E-LOW", "transcode_profile": "low"});
    let LiveCamera { id: low_id, publisher: mut low_publisher, .. } = stack.live_camera(body).await;

    // The passthrough camera: master playlist and nginx's media playlist through signed URLs.
    let (_, pb) = app.get(&format!("/api/v1/cameras/{id}/playback"), &admin).await;
    let master_url = pb["master_url"].as_str().unwrap().to_string();
    let master = stack.wait_for_playlist(&master_url, 1).await;
    let inf = master.lines().find(|l| l.starts_with("#EXT-X-STREAM-INF")).expect("a variant");
    for attr in ["BANDWIDTH=", "RESOLUTION=1280x720", "CODECS=\"avc1.", "mp4a.40.2"] {
        assert!(inf.contains(attr), "{attr} missing: {master}");
    }
    assert!(master.lines().any(|l| l == "source/index.m3u8"), "{master}");
    let media_url = pb["renditions"][0]["url"].as_str().unwrap().to_string();
    assert!(media_url.ends_with("/source/index.m3u8"), "{media_url}");
    let media = stack.wait_for_playlist(&media_url, 2).await;
    let segment = media.lines().find(|l| l.ends_with(".ts")).expect("a segment");
    let seg_url = media_url.replace("index.m3u8", segment);
    let probe = stack.probe_url(&seg_url).await;
    let codecs: Vec<&str> =
        probe["streams"].as_array().unwrap().iter().filter_map(|s| s["codec_name"].as_str()).collect();
    assert_eq!(codecs, ["h264", "aac"], "{probe}");
    stack.decode_ok(&seg_url).await;
    // nginx wrote it: the rung is a link into nginx's own folder.
    let hls_dir = &app.state.settings.media.hls_dir;
    let link = std::fs::read_link(hls_dir.join(&id).join("source")).expect("the rung is a link");
    assert_eq!(link, std::path::Path::new("../.nginx").join(&id));

    // The transcoded camera still gets its ladder from an FFmpeg.
    let (_, low_pb) = app.get(&format!("/api/v1/cameras/{low_id}/playback"), &admin).await;
    let low_master = stack.wait_for_playlist(low_pb["master_url"].as_str().unwrap(), 2).await;
    assert!(low_master.contains("480p/index.m3u8") && low_master.contains("240p/index.m3u8"), "{low_master}");
    let rung_url = low_pb["renditions"][1]["url"].as_str().unwrap().to_string();
    let rung = stack.wait_for_playlist(&rung_url, 1).await;
    let segment = rung.lines().find(|l| l.ends_with(".ts")).expect("a 240p segment");
    stack.decode_ok(&rung_url.replace("index.m3u8", segment)).await;
    assert_eq!(transcoder_ffmpegs(&low_id).len(), 1, "{:?}", processes_with(&["ffmpeg"]));

    // No FFmpeg for the passthrough camera; its transcoder idles (nginx would respawn one that
    // exited) and reports the stream's pace, measured from nginx's playlist.
    assert_eq!(transcoder_ffmpegs(&id), vec![], "no FFmpeg transcodes a passthrough camera");
    let wrapper = transcode_wrapper(&id).expect("the camera's transcoder runs");
    let quality =
        poll_until("a quality report of the passthrough camera", Duration::from_secs(45), || async {
            argus::services::live::quality(&app.state, &id).await.ok_or_else(|| "none yet".to_string())
        })
        .await;
    assert!(quality.speed > 0.8 && quality.bitrate_kbps > 0.0 && quality.score > 80.0, "{quality:?}");
    assert_eq!(transcode_wrapper(&id), Some(wrapper), "the same transcoder, never restarted");
    assert_eq!(transcoder_ffmpegs(&id), vec![]);

    pass_publisher.stop().await;
    low_publisher.stop().await;
}
