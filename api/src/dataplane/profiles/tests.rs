//! Ladders, FFmpeg arguments and master playlists of the shipped profiles.

use super::*;

fn shipped(name: &str) -> Profile {
    let text = match name {
        "default" => include_str!("../../../../ffmpeg-profiles/default.toml"),
        "low" => include_str!("../../../../ffmpeg-profiles/low.toml"),
        _ => include_str!("../../../../ffmpeg-profiles/passthrough.toml"),
    };
    Profile::parse(name, text).expect("shipped profile is valid")
}

fn after<'a>(args: &'a [String], flag: &str) -> &'a str {
    args.iter().position(|a| a == flag).map_or("", |i| args[i + 1].as_str())
}

const SRC: SourceInfo =
    SourceInfo { width: Some(1280), height: Some(720), video_codec: None, has_audio: true, fps: None };

#[test]
fn ladder_becomes_one_ffmpeg_command() {
    let args =
        ffmpeg_args(&shipped("default"), "rtmp://127.0.0.1:1936/hls/cam", Path::new("/hls/cam/"), &SRC);
    let joined = args.join(" ");
    assert!(joined.starts_with("-nostdin -hide_banner -loglevel warning -progress pipe:1 -nostats"));
    assert_eq!(args.iter().filter(|a| *a == "-i").count(), 1);
    assert_eq!(
        after(&args, "-filter_complex"),
        "[0:v]split=2[s0][s1];[s0]scale=1280:720[v0];[s1]scale=640:360[v1]"
    );
    assert!(joined.contains("-map 0:v:0 -c:v:0 copy -map 0:a:0 -c:a:0 copy"), "{joined}");
    assert!(joined.contains("-map [v0] -c:v:1 libx264 -preset:v:1 veryfast"));
    assert!(joined.contains("-b:v:2 800k -maxrate:v:2 900k -bufsize:v:2 1800k"));
    assert!(joined
        .contains("-force_key_frames:v:1 source -g:v:1 1000 -sc_threshold:v:1 0 -fps_mode:v:1 passthrough"));
    assert!(joined.contains(
        "-c:a:2 aac -b:a:2 96k -f hls -hls_time 2 -hls_list_size 6 -hls_flags \
        delete_segments+independent_segments+temp_file+omit_endlist -hls_start_number_source epoch \
        -master_pl_name index.m3u8 -var_stream_map"
    ));
    let map = "v:0,a:0,name:source v:1,a:1,name:720p v:2,a:2,name:360p";
    assert_eq!(after(&args, "-var_stream_map"), map);
    assert_eq!(after(&args, "-hls_segment_filename"), "/hls/cam/%v/seg_%05d.ts");
    assert_eq!(args.last().map(String::as_str), Some("/hls/cam/%v/index.m3u8"));
}

#[test]
fn without_a_copied_rung_keyframes_follow_gop_seconds_and_no_audio_maps_no_audio() {
    let args = ffmpeg_args(&shipped("low"), "rtmp://x/hls/c", Path::new("/o"), &SRC);
    let joined = args.join(" ");
    assert!(joined.contains("-force_key_frames:v:0 expr:gte(t,n_forced*2) -g:v:0 600"), "{joined}");
    assert!(joined.contains("-force_key_frames:v:1 expr:gte(t,n_forced*2)") && !joined.contains(" copy"));
    assert_eq!(
        after(&args, "-filter_complex"),
        "[0:v]split=2[s0][s1];[s0]scale=854:480[v0];[s1]scale=426:240[v1]"
    );
    // An input without audio maps video only.
    let args = shipped("passthrough").ffmpeg_args("rtmp://x/hls/c", Path::new("/o"), false);
    assert!(!args.iter().any(|a| a == "0:a:0" || a == "-filter_complex"));
    assert_eq!(after(&args, "-var_stream_map"), "v:0,name:source");
}

#[test]
fn never_upscales_and_keeps_the_aspect_ratio() {
    let p = shipped("default");
    let small = SourceInfo { width: Some(640), height: Some(480), ..SRC };
    assert_eq!(p.rungs[1].output_size(&small), Some((640, 480)));
    assert_eq!(p.rungs[2].output_size(&small), Some((480, 360)));
    let portrait = SourceInfo { width: Some(1080), height: Some(1920), ..SRC };
    assert_eq!(p.rungs[1].output_size(&portrait), Some((406, 720)));
    assert_eq!(p.rungs[0].output_size(&small), Some((640, 480)));
    assert_eq!(p.rungs[2].output_size(&SourceInfo::default()), Some((640, 360)));
    // Unknown source: FFmpeg clamps by itself.
    let args = p.ffmpeg_args("rtmp://x/hls/c", Path::new("/o"), true);
    assert!(after(&args, "-filter_complex")
        .contains("[s1]scale=w='min(640,iw)':h='min(360,ih)':force_original_aspect_ratio=decrease"));
}

#[test]
fn invalid_profiles_name_the_file() {
    let head = "name='x'\ndescription='d'\nsegment_seconds=2\nplaylist_size=6\n";
    let cases = [
        ("[[rungs]]\nname='720p'\nwidth=1280\n", "rung 720p: height is required"),
        ("[[rungs]]\nname='a'\nwidth=641\nheight=360\nvideo_bitrate_kbps=1\n", "even"),
        (
            "[[rungs]]\nname='a'\nwidth=640\nheight=360\nvideo_bitrate_kbps=900\nmax_bitrate_kbps=800\n",
            "below",
        ),
        ("[[rungs]]\nname='a'\nwidth=640\nheight=360\nvideo_bitrate_kbps=9\ngop_seconds=3\n", "divide"),
        ("[[rungs]]\nname='a'\nwidth=640\nheight=360\nvideo_bitrate_kbps=9\npreset='warp'\n", "preset"),
        ("[[rungs]]\nname='a'\npassthrough=true\nwidth=640\n", "passthrough"),
        ("[[rungs]]\nname='a b'\npassthrough=true\n", "rung name"),
        ("[[rungs]]\nname='a'\npassthrough=true\n[[rungs]]\nname='a'\npassthrough=true\n", "at most one"),
        ("rungs=[]\n", "at least one rung"),
        ("[[rungs]]\nname='a'\npassthrough=true\nbogus=1\n", "unknown field"),
    ];
    for (body, needle) in cases {
        let err = Profile::parse("bad.toml", &format!("{head}{body}")).unwrap_err().to_string();
        assert!(err.starts_with("bad.toml: ") && err.contains(needle), "{err} / {needle}");
    }
}

#[test]
fn master_playlist_has_bandwidth_resolution_and_codecs_for_every_rung() {
    let source = SourceInfo { video_codec: Some(avc1_codec("High", 31)), fps: Some(25.0), ..SRC };
    let measured = BTreeMap::from([("source".to_string(), 3_100_000u64)]);
    let m = shipped("default").master_playlist(&source, &measured);
    let infs: Vec<&str> = m.lines().filter(|l| l.starts_with("#EXT-X-STREAM-INF")).collect();
    assert_eq!(infs.len(), 3);
    assert!(infs
        .iter()
        .all(|l| l.contains("BANDWIDTH=") && l.contains("RESOLUTION=") && l.contains("CODECS=")));
    assert!(
        infs[0].contains("BANDWIDTH=3100000,RESOLUTION=1280x720,CODECS=\"avc1.64001f,mp4a.40.2\""),
        "{m}"
    );
    assert!(infs[2].contains("BANDWIDTH=996000,RESOLUTION=640x360,CODECS=\"avc1.4d401e,mp4a.40.2\""), "{m}");
    assert!(m.contains("\n720p/index.m3u8\n"));
}
