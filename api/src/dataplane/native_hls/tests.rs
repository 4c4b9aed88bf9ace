//! Links, master playlists and pace measured from files laid out as nginx-rtmp 1.2.2 writes them.

use std::{fs::File, time::UNIX_EPOCH};

use super::*;
use crate::dataplane::profiles::{measure_playlist, SourceInfo};

fn profile(name: &str, text: &str) -> Profile {
    Profile::parse(name, text).expect("valid profile")
}

fn passthrough() -> Profile {
    profile("passthrough", include_str!("../../../../ffmpeg-profiles/passthrough.toml"))
}

fn default_ladder() -> Profile {
    profile("default", include_str!("../../../../ffmpeg-profiles/default.toml"))
}

/// What nginx-rtmp 1.2.2 wrote for a 2 s fragment stream (checked on this machine).
fn nginx_playlist(first: u32, durations: &[f64]) -> String {
    let mut text =
        format!("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-MEDIA-SEQUENCE:{first}\n#EXT-X-TARGETDURATION:2\n");
    text.push_str("#EXT-X-DISCONTINUITY\n");
    for (i, d) in durations.iter().enumerate() {
        text.push_str(&format!("#EXTINF:{d:.3},\n{}.ts\n", first as usize + i));
    }
    text
}

/// Segment `n` of `bytes`, last written at `at` seconds after the epoch.
fn segment(dir: &Path, n: u32, bytes: usize, at: u64) {
    let path = dir.join(format!("{n}.ts"));
    std::fs::write(&path, vec![0u8; bytes]).unwrap();
    let file = File::options().write(true).open(&path).unwrap();
    file.set_modified(UNIX_EPOCH + Duration::from_secs(at)).unwrap();
}

#[test]
fn only_profiles_of_the_cameras_own_stream_are_served_by_nginx() {
    assert!(passthrough().served_by_nginx());
    assert!(!default_ladder().served_by_nginx());
    let mut profiles = BTreeMap::from([("default".to_string(), default_ladder())]);
    assert_eq!(rendition_timing(&profiles), (2, 6), "no nginx-served profile: the shipped timing");
    let custom = "name = \"cctv\"\ndescription = \"x\"\nsegment_seconds = 4\nplaylist_size = 5\n\
                  [[rungs]]\nname = \"cam\"\npassthrough = true\n";
    profiles.insert("cctv".into(), profile("cctv", custom));
    assert_eq!(rendition_timing(&profiles), (4, 5));
    let mut named = passthrough();
    named.segment_seconds = 3;
    profiles.insert("passthrough".into(), named);
    assert_eq!(rendition_timing(&profiles), (3, 6), "the profile named passthrough wins");
}

#[test]
fn the_rung_folder_becomes_a_link_to_nginx_and_back() {
    let hls = tempfile::tempdir().unwrap();
    let nginx = hls.path().join(NGINX_HLS_FOLDER).join("cam-1");
    std::fs::create_dir_all(&nginx).unwrap();
    std::fs::write(nginx.join("index.m3u8"), nginx_playlist(0, &[2.0])).unwrap();
    // What an earlier FFmpeg run of the camera left in the rung's place.
    let rung = hls.path().join("cam-1").join("source");
    std::fs::create_dir_all(&rung).unwrap();
    std::fs::write(rung.join("seg_00001.ts"), b"old").unwrap();

    link_rendition(hls.path(), "cam-1", "source").unwrap();
    link_rendition(hls.path(), "cam-1", "source").unwrap(); // a respawned transcoder
    assert!(rung.symlink_metadata().unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_link(&rung).unwrap(), Path::new("../.nginx/cam-1"));
    assert!(std::fs::read_to_string(rung.join("index.m3u8")).unwrap().contains("0.ts"));
    let names: Vec<_> =
        std::fs::read_dir(hls.path().join("cam-1")).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(names, ["source"], "no temporary link left behind");

    // The camera moves to a transcoded profile: FFmpeg gets a real folder, nginx keeps its files.
    unlink_rendition(&rung).unwrap();
    assert!(rung.symlink_metadata().unwrap().is_dir());
    assert!(std::fs::read_dir(&rung).unwrap().next().is_none());
    assert!(nginx.join("index.m3u8").exists());
    unlink_rendition(&rung).unwrap(); // already a folder: left alone
    assert!(rung.is_dir());
}

#[test]
fn master_playlist_points_at_nginx_rendition_with_its_codecs_size_and_measured_bandwidth() {
    let hls = tempfile::tempdir().unwrap();
    let nginx = hls.path().join(NGINX_HLS_FOLDER).join("cam-1");
    std::fs::create_dir_all(&nginx).unwrap();
    std::fs::write(nginx.join("index.m3u8"), nginx_playlist(0, &[2.0, 2.0])).unwrap();
    segment(&nginx, 0, 200_000, 100);
    segment(&nginx, 1, 250_000, 102);
    link_rendition(hls.path(), "cam-1", "source").unwrap();
    let peak = measure_playlist(&hls.path().join("cam-1").join("source")).expect("measured through the link");
    assert_eq!(peak, 1_000_000, "250 kB in 2 s");
    let source = SourceInfo {
        width: Some(1920),
        height: Some(1080),
        video_codec: Some("avc1.640028".into()),
        has_audio: true,
        fps: Some(25.0),
    };
    let measured = BTreeMap::from([("source".to_string(), peak)]);
    let master = passthrough().master_playlist(&source, &measured);
    assert_eq!(
        master,
        "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=1000000,\
         RESOLUTION=1920x1080,CODECS=\"avc1.640028,mp4a.40.2\",FRAME-RATE=25.000\nsource/index.m3u8\n"
    );
}

#[test]
fn pace_is_media_time_over_the_time_between_segment_writes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let at = |s: u64| UNIX_EPOCH + Duration::from_secs(s);
    let mut pace = PlaylistPace::default();
    assert!(pace.sample(at(1000), Duration::from_secs(10), 25.0).is_none(), "no playlist yet");

    segment(d, 0, 250_000, 1000);
    std::fs::write(d.join("index.m3u8"), nginx_playlist(0, &[2.0])).unwrap();
    pace.poll(d);
    assert!(pace.sample(at(1001), Duration::from_secs(10), 25.0).is_none(), "one segment: no span yet");

    // Three 2 s segments in 6 s, then polled again with nothing new (not counted twice).
    for (n, t) in [(1, 1002), (2, 1004), (3, 1006)] {
        segment(d, n, 250_000, t);
    }
    std::fs::write(d.join("index.m3u8"), nginx_playlist(0, &[2.0, 2.0, 2.0, 2.0])).unwrap();
    pace.poll(d);
    pace.poll(d);
    let s = pace.sample(at(1007), Duration::from_secs(10), 25.0).expect("a sample");
    assert!((s.speed - 1.0).abs() < 1e-9, "{s:?}");
    assert!((s.bitrate_kbps - 1000.0).abs() < 1e-9, "{s:?}");
    assert_eq!((s.fps, s.total_size, s.out_time_us, s.frame), (25.0, 750_000, 6_000_000, 0));

    // Falling behind: 4 s of media took 8 s; the oldest segments left the playlist meanwhile.
    segment(d, 4, 250_000, 1010);
    segment(d, 5, 250_000, 1014);
    std::fs::write(d.join("index.m3u8"), nginx_playlist(2, &[2.0, 2.0, 2.0, 2.0])).unwrap();
    pace.poll(d);
    let s = pace.sample(at(1015), Duration::from_secs(10), 25.0).expect("a sample");
    assert!((s.speed - 0.5).abs() < 1e-9, "{s:?}");
    assert_eq!(s.out_time_us, 10_000_000);

    // Nothing new: no sample until the newest segment is older than the stall limit, then 0.
    assert!(pace.sample(at(1020), Duration::from_secs(10), 25.0).is_none());
    let stalled = pace.sample(at(1030), Duration::from_secs(10), 25.0).expect("a stall sample");
    assert_eq!((stalled.speed, stalled.fps), (0.0, 0.0));

    // nginx restarted the stream (numbers start again): measuring restarts from its newest segment.
    for (n, t) in [(0, 1040), (1, 1042)] {
        segment(d, n, 100_000, t);
    }
    std::fs::write(d.join("index.m3u8"), nginx_playlist(0, &[2.0, 2.0])).unwrap();
    pace.poll(d);
    segment(d, 2, 100_000, 1044);
    std::fs::write(d.join("index.m3u8"), nginx_playlist(0, &[2.0, 2.0, 2.0])).unwrap();
    pace.poll(d);
    let s = pace.sample(at(1045), Duration::from_secs(10), 25.0).expect("a sample");
    assert!((s.speed - 1.0).abs() < 1e-9 && (s.bitrate_kbps - 400.0).abs() < 1e-9, "{s:?}");
}
