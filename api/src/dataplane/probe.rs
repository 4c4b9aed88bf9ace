//! ffprobe / ffmpeg helpers for recorded chunks: nginx's chunk names, probing, and the remux of
//! a finished FLV chunk into a faststart MP4, codec strings for HLS master playlists and the
//! measured bitrate of HLS segments. Self-contained: std, `serde`, `serde_json`.

use std::path::Path;

use chrono::{DateTime, Utc};

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProbeInfo {
    pub duration_s: f64,
    pub size_bytes: u64,
    pub bitrate_kbps: Option<u32>,
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

#[derive(Deserialize)]
struct Output {
    format: Option<Format>,
    #[serde(default)]
    streams: Vec<Stream>,
}

#[derive(Deserialize)]
struct Format {
    duration: Option<String>,
    size: Option<String>,
    bit_rate: Option<String>,
}

#[derive(Deserialize)]
struct Stream {
    codec_type: Option<String>,
    codec_name: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ProbeError {
    #[error("ffprobe output is not valid JSON: {0}")]
    Json(String),
    #[error("ffprobe found no duration (empty or broken file)")]
    NoDuration,
}

/// `ffprobe -v error -print_format json -show_format -show_streams <path>`.
pub fn ffprobe_args(path: &str) -> Vec<String> {
    ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path].map(String::from).to_vec()
}

/// An MP4 → MP4 stream copy with video first, then audio (and nothing else), `moov` first.
pub fn video_first_args(input: &str, output: &str) -> Vec<String> {
    let mut args: Vec<String> = ["-nostdin", "-v", "error", "-y", "-i", input, "-map", "0:v", "-map", "0:a?"]
        .map(String::from)
        .to_vec();
    args.extend(["-c", "copy", "-movflags", "+faststart", "-f", "mp4", output].map(String::from));
    args
}

/// ffprobe printing the kind of each stream of `input` (`video`, `audio`, …), one per line.
pub fn stream_kinds_args(input: &str) -> Vec<String> {
    ["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", input].map(String::from).to_vec()
}

/// Whether ffprobe's stream kinds (one per line) list every video stream before any other.
pub fn video_first(kinds: &str) -> bool {
    let kinds: Vec<&str> = kinds.lines().map(str::trim).filter(|k| !k.is_empty()).collect();
    let videos = kinds.iter().take_while(|k| **k == "video").count();
    videos > 0 && !kinds[videos..].contains(&"video")
}

/// FLV → MP4 without re-encoding, `moov` first so browsers can start playing at once. The MP4
/// keeps the stream order in which nginx's FLV first carried them (audio or video first): an
/// explicit `-map 0:v? -map 0:a?` here lost a chunk in the e2e test (FLV streams appear as
/// their first packets do), so readers that need one layout order the streams themselves.
pub fn remux_args(input: &str, output: &str) -> Vec<String> {
    [
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-i",
        input,
        "-map",
        "0",
        "-c",
        "copy",
        "-movflags",
        "+faststart",
        // Explicit: the output is written under a temporary name (`.mp4.part`).
        "-f",
        "mp4",
        output,
    ]
    .map(String::from)
    .to_vec()
}

/// Every video packet's pts, dts and flags of `input`, as CSV rows, without decoding.
/// (`ffmpeg -discard:v nokey … -f framecrc` reads only keyframes, but the mov demuxer then
/// misreads some keyframes' pts with B-frames — off by a frame or two; the DTS stay right.)
pub fn keyframe_args(input: &str) -> Vec<String> {
    let entries = "packet=pts_time,dts_time,flags";
    ["-v", "error", "-select_streams", "v:0", "-show_entries", entries, "-of", "csv=p=0", input]
        .map(String::from)
        .to_vec()
}

/// One keyframe of a recording, in milliseconds of its media time (floored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyframe {
    pub pts_ms: i64,
    pub dts_ms: i64,
}

/// ffprobe's `pts_time,dts_time,flags` rows → the keyframes (flag `K`) in presentation order;
/// `None` when a keyframe row does not parse.
pub fn parse_keyframes(text: &str) -> Option<Vec<Keyframe>> {
    let ms = |v: &str| {
        v.trim().parse::<f64>().ok().filter(|t| t.is_finite()).map(|t| (t * 1000.0 + 1e-6).floor() as i64)
    };
    let mut frames = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut cols = line.split(',');
        let (Some(pts), Some(dts), Some(flags)) = (cols.next(), cols.next(), cols.next()) else {
            return None;
        };
        if !flags.starts_with('K') {
            continue;
        }
        frames.push(Keyframe { pts_ms: ms(pts)?, dts_ms: ms(dts)? });
    }
    frames.sort_by_key(|k| k.pts_ms);
    Some(frames)
}

/// One playback segment of `input` as MPEG-TS on stdout, stream copy, from `start_s` (its first
/// keyframe's DTS) to `end_s` (the next segment's keyframe DTS; none for the last segment).
/// Measured on B-frame and audio streams, this puts every packet in exactly one segment: the
/// demuxer seeks every stream to the keyframe's DTS, `-copypriorss 0` drops what it lands on
/// before that (the audio frame straddling the cut, which the previous segment ends with), and
/// `-to` stops before the next keyframe's DTS (cutting at its pts would repeat the B-frames
/// decoded after it). `offset_s` shifts the timestamps so consecutive segments are continuous.
/// Video then audio, always: a chunk's MP4 lists its streams in the order nginx's FLV first
/// carried them, and a playlist whose segments swap their PIDs feeds audio to the video decoder.
pub fn segment_cut_args(input: &str, start_s: f64, end_s: Option<f64>, offset_s: f64) -> Vec<String> {
    let mut args: Vec<String> = ["-nostdin", "-v", "error", "-ss"].map(String::from).to_vec();
    args.push(format!("{start_s:.3}"));
    if let Some(end) = end_s {
        args.extend(["-to".to_string(), format!("{end:.3}")]);
    }
    args.extend(
        [
            "-i",
            input,
            "-map",
            "0:v:0",
            "-map",
            "0:a:0?",
            "-c",
            "copy",
            "-copypriorss",
            "0",
            "-muxdelay",
            "0",
            "-output_ts_offset",
        ]
        .map(String::from),
    );
    args.push(format!("{offset_s:.3}"));
    args.extend(["-f", "mpegts", "pipe:1"].map(String::from));
    args
}

/// ffprobe's JSON → [`ProbeInfo`]; a file without a positive duration is an error.
pub fn parse_probe(json: &str) -> Result<ProbeInfo, ProbeError> {
    let out: Output = serde_json::from_str(json).map_err(|e| ProbeError::Json(e.to_string()))?;
    let format = out.format.ok_or(ProbeError::NoDuration)?;
    let duration_s = format
        .duration
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| *d > 0.0)
        .ok_or(ProbeError::NoDuration)?;
    let of = |kind: &str| out.streams.iter().find(|s| s.codec_type.as_deref() == Some(kind));
    let video = of("video");
    Ok(ProbeInfo {
        duration_s,
        size_bytes: format.size.and_then(|s| s.parse().ok()).unwrap_or(0),
        bitrate_kbps: format.bit_rate.and_then(|b| b.parse::<u64>().ok()).map(|b| (b / 1000) as u32),
        video_codec: video.and_then(|s| s.codec_name.clone()),
        audio_codec: of("audio").and_then(|s| s.codec_name.clone()),
        width: video.and_then(|s| s.width),
        height: video.and_then(|s| s.height),
    })
}

/// `avc1.PPCCLL` from ffprobe's H.264 profile name and level (e.g. `High`, 31).
pub fn avc1_codec(profile: &str, level: u32) -> String {
    let (idc, constraints) = match profile {
        "Constrained Baseline" => (0x42, 0xe0),
        "Baseline" => (0x42, 0x00),
        "Main" => (0x4d, 0x40),
        _ => (0x64, 0x00),
    };
    format!("avc1.{idc:02x}{constraints:02x}{level:02x}")
}

/// The H.264 level libx264 signals for this picture size and frame rate (30 when unknown):
/// the lowest level whose frame size and macroblock rate limits fit. Checked against FFmpeg
/// 5.1's own CODECS for 1280x720, 854x480, 640x360 and 426x240 at 25 fps.
pub fn h264_level(width: u32, height: u32, fps: Option<f64>) -> u32 {
    const LEVELS: [(u32, u64, u64); 15] = [
        (10, 99, 1_485),
        (11, 396, 3_000),
        (12, 396, 6_000),
        (13, 396, 11_880),
        (21, 792, 19_800),
        (22, 1_620, 20_250),
        (30, 1_620, 40_500),
        (31, 3_600, 108_000),
        (32, 5_120, 216_000),
        (40, 8_192, 245_760),
        (42, 8_704, 522_240),
        (50, 22_080, 589_824),
        (51, 36_864, 983_040),
        (52, 36_864, 2_073_600),
        (60, 139_264, 4_177_920),
    ];
    let mbs = u64::from(width.div_ceil(16)) * u64::from(height.div_ceil(16));
    let rate = (mbs as f64 * fps.filter(|f| *f > 0.0).unwrap_or(30.0)).ceil() as u64;
    LEVELS.iter().find(|(_, fs, mbps)| mbs <= *fs && rate <= *mbps).map_or(62, |l| l.0)
}

/// Peak bits per second of the segments a media playlist lists (size on disk ÷ EXTINF).
pub fn measure_playlist(dir: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(dir.join("index.m3u8")).ok()?;
    let mut peak = 0u64;
    let mut duration = None;
    for line in text.lines() {
        if let Some(d) = line.strip_prefix("#EXTINF:") {
            duration = d.split(',').next().and_then(|v| v.trim().parse::<f64>().ok());
        } else if !line.starts_with('#') && !line.is_empty() {
            if let (Some(d), Ok(meta)) = (duration.take(), std::fs::metadata(dir.join(line))) {
                if d > 0.0 {
                    peak = peak.max((meta.len() as f64 * 8.0 / d) as u64);
                }
            }
        }
    }
    (peak > 0).then_some(peak)
}

/// 2000-01-01: anything earlier is not a chunk start time.
const MIN_EPOCH: i64 = 946_684_800;

/// A recorded chunk's file name, as nginx makes it: `NAME-EPOCH[.RECORDER].flv`
/// (`record_unique on`; EPOCH = unix seconds when the recorder started; the template gives each
/// recorder its own `record_suffix`, so the name also says which recorder writes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkName {
    /// The camera stream name (after the on_publish rename, the camera id).
    pub camera_id: String,
    pub epoch: i64,
    pub recorder: Option<String>,
}

/// Parses a chunk path. NAME may itself contain dashes, so it is split at the last one; nginx
/// %-escapes other characters, which camera stream names never need.
pub fn parse_record_path(path: &std::path::Path) -> Option<ChunkName> {
    let stem = path.file_name()?.to_str()?.strip_suffix(".flv")?;
    let (stem, recorder) = match stem.rsplit_once('.') {
        Some((rest, rec)) if !rec.is_empty() && rec.chars().all(|c| c.is_ascii_alphanumeric()) => {
            (rest, Some(rec.to_string()))
        }
        Some(_) => return None,
        None => (stem, None),
    };
    let (name, epoch) = stem.rsplit_once('-')?;
    let epoch: i64 = epoch.parse().ok()?;
    let name_ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    (name_ok && epoch >= MIN_EPOCH).then(|| ChunkName { camera_id: name.to_string(), epoch, recorder })
}

/// How far after the second named in its file name a chunk's first frame may be: nginx opens
/// the file at publish (or rotation) and writes from the first frame, within a GOP or so.
const START_SLACK: chrono::TimeDelta = chrono::TimeDelta::seconds(2);

/// When a chunk's first frame arrived. nginx names the file by the whole second it opened it;
/// its last write is when its last frame arrived, so last write − duration places the first
/// frame to the millisecond. Kept only within [`START_SLACK`] of the named second (a file
/// touched later, e.g. restored from a copy, falls back to the name).
pub fn chunk_start(
    named: DateTime<Utc>,
    last_write: Option<DateTime<Utc>>,
    duration_ms: i64,
) -> DateTime<Utc> {
    let Some(written) = last_write else { return named };
    let estimate = written - chrono::TimeDelta::milliseconds(duration_ms);
    if estimate >= named && estimate < named + START_SLACK {
        estimate
    } else {
        named
    }
}

#[cfg(test)]
mod tests;
