//! Arguments and parsing of the FFmpeg / ffprobe calls, and a real clip through them.

use super::*;

#[test]
fn parses_ffprobe_json() {
    let json = r#"{"streams":[{"codec_type":"video","codec_name":"h264","width":1280,"height":720},
        {"codec_type":"audio","codec_name":"aac"}],
        "format":{"duration":"12.480000","size":"1500000","bit_rate":"961538"}}"#;
    let p = parse_probe(json).unwrap();
    assert_eq!(p.duration_s, 12.48);
    assert_eq!(p.size_bytes, 1_500_000);
    assert_eq!(p.bitrate_kbps, Some(961));
    assert_eq!((p.video_codec.as_deref(), p.audio_codec.as_deref()), (Some("h264"), Some("aac")));
    assert_eq!((p.width, p.height), (Some(1280), Some(720)));
}

#[test]
fn empty_or_broken_output_is_an_error() {
    assert_eq!(parse_probe(r#"{"streams":[],"format":{"size":"0"}}"#), Err(ProbeError::NoDuration));
    assert!(matches!(parse_probe("not json"), Err(ProbeError::Json(_))));
}

#[test]
fn record_path_carries_camera_and_epoch() {
    let p = std::path::Path::new("/d/rec/0b6f6a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b-1764000000.flv");
    let chunk = |c: &str, epoch, rec: Option<&str>| {
        Some(ChunkName { camera_id: c.into(), epoch, recorder: rec.map(str::to_string) })
    };
    assert_eq!(parse_record_path(p), chunk("0b6f6a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", 1_764_000_000, None));
    let alt = std::path::Path::new("/d/rec/cam-7-1764000000.alt.flv");
    assert_eq!(parse_record_path(alt), chunk("cam-7", 1_764_000_000, Some("alt")));
    assert_eq!(parse_record_path(std::path::Path::new("/d/x.flv")), None);
    assert_eq!(parse_record_path(std::path::Path::new("/d/cam-12.mp4")), None);
    // The path on_record_done sent in the real run (nginx/README.md).
    let real = std::path::Path::new("/tmp/argus-e2e/rec/cam-abc123-1795503632.flv");
    assert_eq!(parse_record_path(real), chunk("cam-abc123", 1_795_503_632, None));
    for bad in [
        "/d/-1764000000.flv",
        "/d/cam-0.flv",
        "/d/cam-abc.flv",
        "/d/cam--5.flv",
        "/d/",
        "/d/c%20x-1764000000.flv",
        "/d/cam-1764000000..flv",
        "/d/cam-1764000000.a-b.flv",
    ] {
        assert_eq!(parse_record_path(std::path::Path::new(bad)), None, "{bad}");
    }
}

#[test]
fn parses_ffprobe_of_a_real_nginx_chunk() {
    let p = parse_probe(include_str!("../fixtures/ffprobe_nginx_flv.json")).unwrap();
    assert_eq!((p.duration_s, p.size_bytes, p.bitrate_kbps), (10.72, 3_434_839, Some(2563)));
    assert_eq!((p.video_codec.as_deref(), p.audio_codec.as_deref()), (Some("h264"), Some("aac")));
    assert_eq!((p.width, p.height), (Some(1280), Some(720)));
}

/// A real 3 s FLV from ffmpeg's lavfi, probed and remuxed (run with `--include-ignored`, as
/// scripts/test.sh does).
#[test]
fn keyframe_rows_become_milliseconds_in_presentation_order() {
    let text = "0.000000,-0.080000,K_\n0.080000,-0.040000,__\n6.000000,5.920000,K_\n\
                0.033367,0.000000,K_\n";
    let frames = parse_keyframes(text).unwrap();
    let want = [(0, -80), (33, 0), (6000, 5920)].map(|(pts_ms, dts_ms)| Keyframe { pts_ms, dts_ms });
    assert_eq!(frames, want);
    assert_eq!(parse_keyframes("N/A,0.0,K_\n"), None);
    assert_eq!(parse_keyframes("1.0\n"), None);
    assert_eq!(parse_keyframes("N/A,0.0,__\n"), Some(vec![]), "non-key rows are not read");
}

#[test]
fn stream_layouts_with_video_first_need_no_remux() {
    assert!(video_first("video\naudio\n"));
    assert!(video_first("video\n"));
    assert!(!video_first("audio\nvideo\n"));
    assert!(!video_first("audio\n"));
    assert!(!video_first("video\naudio\nvideo\n"));
}

#[test]
fn segment_cut_runs_from_its_keyframe_dts_to_the_next() {
    let args = segment_cut_args("in.mp4", 5.92, Some(11.92), 16.0).join(" ");
    assert_eq!(
        args,
        "-nostdin -v error -ss 5.920 -to 11.920 -i in.mp4 -map 0:v:0 -map 0:a:0? -c copy -copypriorss 0 -muxdelay 0 \
         -output_ts_offset 16.000 -f mpegts pipe:1"
    );
    assert!(!segment_cut_args("in.mp4", -0.08, None, 0.0).contains(&"-to".to_string()));
}

#[test]
#[ignore = "needs ffmpeg"]
fn probes_and_remuxes_a_real_clip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let flv = dir.path().join("cam-1-1764000000.flv");
    let mp4 = dir.path().join("cam-1-1764000000.mp4");
    let run = |tool: &str, args: &[String]| {
        let out = std::process::Command::new(tool).args(args).output().expect("tool runs");
        assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let gen = "-nostdin -v error -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine -t 3 \
        -c:v libx264 -preset veryfast -g 25 -c:a aac -f flv";
    let mut args: Vec<String> = gen.split_whitespace().map(String::from).collect();
    args.push(flv.display().to_string());
    run("ffmpeg", &args);
    assert_eq!(
        parse_record_path(&flv).map(|c| (c.camera_id, c.epoch)),
        Some(("cam-1".into(), 1_764_000_000))
    );
    let info = parse_probe(&run("ffprobe", &ffprobe_args(&flv.display().to_string()))).expect("probe");
    assert!((info.duration_s - 3.0).abs() < 0.2, "{info:?}");
    assert_eq!((info.video_codec.as_deref(), info.audio_codec.as_deref()), (Some("h264"), Some("aac")));
    assert_eq!((info.width, info.height), (Some(640), Some(360)));
    assert!(info.size_bytes > 0 && info.bitrate_kbps.is_some_and(|b| b > 0));
    run("ffmpeg", &remux_args(&flv.display().to_string(), &mp4.display().to_string()));
    let out = parse_probe(&run("ffprobe", &ffprobe_args(&mp4.display().to_string()))).expect("probe mp4");
    assert!((out.duration_s - info.duration_s).abs() < 0.2, "{out:?}");
    assert_eq!((out.video_codec, out.width), (info.video_codec, info.width));
    // faststart: the moov box comes before mdat.
    let bytes = std::fs::read(&mp4).expect("mp4");
    let find = |tag: &[u8]| bytes.windows(4).position(|w| w == tag);
    assert!(find(b"moov").zip(find(b"mdat")).is_some_and(|(m, d)| m < d));
}
#[test]
fn levels_match_what_libx264_signals() {
    let at25 = |w, h| h264_level(w, h, Some(25.0));
    assert_eq!([at25(1280, 720), at25(854, 480), at25(640, 360), at25(426, 240)], [31, 30, 30, 21]);
    assert_eq!((h264_level(854, 480, None), h264_level(1920, 1080, Some(30.0))), (31, 40));
    assert_eq!(avc1_codec("Main", 21), "avc1.4d4015");
}

#[test]
fn measures_peak_bitrate_of_listed_segments() {
    let dir = tempfile::tempdir().expect("tempdir");
    let playlist = "#EXTM3U\n#EXTINF:2.000000,\nseg_1.ts\n#EXTINF:1.000000,\nseg_2.ts\n";
    std::fs::write(dir.path().join("index.m3u8"), playlist).expect("write");
    for seg in ["seg_1.ts", "seg_2.ts"] {
        std::fs::write(dir.path().join(seg), vec![0u8; 1000]).expect("write");
    }
    assert_eq!(measure_playlist(dir.path()), Some(8000));
    assert_eq!(measure_playlist(&dir.path().join("missing")), None);
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("time")
}

#[test]
fn the_last_write_minus_the_duration_refines_the_named_second() {
    let named = at("2026-12-01T10:00:00Z");
    let refined = chunk_start(named, Some(at("2026-12-01T10:01:00.730Z")), 60_000);
    assert_eq!(refined, at("2026-12-01T10:00:00.730Z"));
}

#[test]
fn an_estimate_outside_the_slack_falls_back_to_the_name() {
    let named = at("2026-12-01T10:00:00Z");
    // Copied (touched) a day later, or a clock step backwards: not evidence of the start.
    assert_eq!(chunk_start(named, Some(at("2026-12-02T10:00:00Z")), 60_000), named);
    assert_eq!(chunk_start(named, Some(at("2026-12-01T10:00:59Z")), 60_000), named);
    assert_eq!(chunk_start(named, None, 60_000), named);
}
