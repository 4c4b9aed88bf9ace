//! ffprobe / ffmpeg helpers for recorded chunks: file-name parsing, probing and remuxing.

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

pub fn ffprobe_args(path: &str) -> Vec<String> {
    ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path].map(String::from).to_vec()
}

/// FLV → MP4 without re-encoding, `moov` first so browsers can start playing at once.
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
        output,
    ]
    .map(String::from)
    .to_vec()
}

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

/// nginx names chunks `NAME-EPOCH.flv` (`record_unique on`); NAME is the camera id, which
/// itself contains dashes, so split at the last one.
pub fn parse_record_path(path: &std::path::Path) -> Option<(String, i64)> {
    let stem = path.file_name()?.to_str()?.strip_suffix(".flv")?;
    let (name, epoch) = stem.rsplit_once('-')?;
    let epoch: i64 = epoch.parse().ok()?;
    (!name.is_empty() && epoch > 0).then(|| (name.to_string(), epoch))
}

#[cfg(test)]
mod tests {
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
        assert_eq!(
            parse_record_path(p),
            Some(("0b6f6a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b".into(), 1_764_000_000))
        );
        assert_eq!(parse_record_path(std::path::Path::new("/d/x.flv")), None);
        assert_eq!(parse_record_path(std::path::Path::new("/d/cam-12.mp4")), None);
    }
}
