//! Transcoding profiles (`ffmpeg-profiles/*.toml`): a ladder of rungs, each either the camera's
//! own stream (passthrough) or an H.264/AAC rendition, and the FFmpeg command that turns one live
//! stream into a multi-rendition HLS set with a master playlist.

use std::{collections::BTreeMap, path::Path};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rung {
    pub name: String,
    #[serde(default)]
    pub passthrough: bool,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub video_bitrate_kbps: Option<u32>,
    pub max_bitrate_kbps: Option<u32>,
    pub audio_bitrate_kbps: Option<u32>,
    pub preset: Option<String>,
    pub gop_seconds: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub description: String,
    pub segment_seconds: u32,
    pub playlist_size: u32,
    pub rungs: Vec<Rung>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ProfileError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

impl Rung {
    fn check(&self) -> Result<(), String> {
        if self.name.is_empty()
            || !self.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!("rung name {:?} must be [A-Za-z0-9_-]+", self.name));
        }
        if self.passthrough {
            return Ok(());
        }
        let needed =
            [("width", self.width), ("height", self.height), ("video_bitrate_kbps", self.video_bitrate_kbps)];
        for (field, value) in needed {
            if value.is_none_or(|v| v == 0) {
                return Err(format!("rung {}: {field} is required for a transcoded rung", self.name));
            }
        }
        if self.width.is_some_and(|w| w % 2 == 1) || self.height.is_some_and(|h| h % 2 == 1) {
            return Err(format!("rung {}: width and height must be even", self.name));
        }
        Ok(())
    }

    /// Peak bits per second for the master playlist's BANDWIDTH (passthrough: unknown here).
    pub fn bandwidth(&self) -> Option<u64> {
        let video = self.max_bitrate_kbps.or(self.video_bitrate_kbps)?;
        Some(u64::from(video + self.audio_bitrate_kbps.unwrap_or(0)) * 1000)
    }

    pub fn resolution(&self) -> Option<String> {
        Some(format!("{}x{}", self.width?, self.height?))
    }
}

impl Profile {
    pub fn parse(file: &str, text: &str) -> Result<Profile, ProfileError> {
        let err = |message: String| ProfileError::Invalid { file: file.to_string(), message };
        let p: Profile = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if p.rungs.is_empty() {
            return Err(err("a profile needs at least one rung".into()));
        }
        if p.segment_seconds == 0 || p.playlist_size == 0 {
            return Err(err("segment_seconds and playlist_size must be positive".into()));
        }
        for rung in &p.rungs {
            rung.check().map_err(err)?;
        }
        let mut names: Vec<&str> = p.rungs.iter().map(|r| r.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        if names.len() != p.rungs.len() {
            return Err(err("rung names must be unique".into()));
        }
        Ok(p)
    }

    /// The ffmpeg arguments for one live input. `has_audio`: whether the input carries audio.
    pub fn ffmpeg_args(&self, input_url: &str, out_dir: &Path, has_audio: bool) -> Vec<String> {
        let mut args: Vec<String> =
            ["-nostdin", "-hide_banner", "-loglevel", "warning", "-progress", "pipe:1", "-nostats"]
                .map(String::from)
                .to_vec();
        args.extend(["-rw_timeout".into(), "10000000".into(), "-i".into(), input_url.into()]);
        let scaled: Vec<&Rung> = self.rungs.iter().filter(|r| !r.passthrough).collect();
        if !scaled.is_empty() {
            let outs: String = (0..scaled.len()).map(|i| format!("[s{i}]")).collect();
            let mut graph = format!("[0:v]split={}{outs}", scaled.len());
            for (i, r) in scaled.iter().enumerate() {
                let (w, h) = (r.width.unwrap_or(0), r.height.unwrap_or(0));
                // Fit inside w×h keeping the aspect ratio; never upscale.
                graph.push_str(&format!(
                    ";[s{i}]scale=w='min({w},iw)':h='min({h},ih)':force_original_aspect_ratio=decrease:force_divisible_by=2[v{i}]"
                ));
            }
            args.extend(["-filter_complex".into(), graph]);
        }
        let mut scaled_index = 0;
        let mut stream_map = Vec::new();
        for (i, rung) in self.rungs.iter().enumerate() {
            if rung.passthrough {
                args.extend(["-map".into(), "0:v:0".into(), format!("-c:v:{i}"), "copy".into()]);
            } else {
                let gop = self.segment_seconds.max(rung.gop_seconds.unwrap_or(self.segment_seconds));
                let kbps = rung.video_bitrate_kbps.unwrap_or(1000);
                let max = rung.max_bitrate_kbps.unwrap_or(kbps);
                args.extend([
                    "-map".into(),
                    format!("[v{scaled_index}]"),
                    format!("-c:v:{i}"),
                    "libx264".into(),
                    format!("-preset:v:{i}"),
                    rung.preset.clone().unwrap_or_else(|| "veryfast".into()),
                    format!("-profile:v:{i}"),
                    "main".into(),
                    format!("-b:v:{i}"),
                    format!("{kbps}k"),
                    format!("-maxrate:v:{i}"),
                    format!("{max}k"),
                    format!("-bufsize:v:{i}"),
                    format!("{}k", max * 2),
                    // Keyframes on segment boundaries so every rung switches cleanly.
                    format!("-force_key_frames:v:{i}"),
                    format!("expr:gte(t,n_forced*{gop})"),
                    format!("-sc_threshold:v:{i}"),
                    "0".into(),
                ]);
                scaled_index += 1;
            }
            let mut entry = format!("v:{i}");
            if has_audio {
                args.extend(["-map".into(), "0:a:0".into()]);
                match (rung.passthrough, rung.audio_bitrate_kbps) {
                    (true, _) => args.extend([format!("-c:a:{i}"), "copy".into()]),
                    (false, kbps) => args.extend([
                        format!("-c:a:{i}"),
                        "aac".into(),
                        format!("-b:a:{i}"),
                        format!("{}k", kbps.unwrap_or(96)),
                    ]),
                }
                entry.push_str(&format!(",a:{i}"));
            }
            entry.push_str(&format!(",name:{}", rung.name));
            stream_map.push(entry);
        }
        let out = out_dir.to_string_lossy();
        args.extend([
            "-f".into(),
            "hls".into(),
            "-hls_time".into(),
            self.segment_seconds.to_string(),
            "-hls_list_size".into(),
            self.playlist_size.to_string(),
            "-hls_flags".into(),
            "delete_segments+independent_segments+temp_file+omit_endlist".into(),
            "-var_stream_map".into(),
            stream_map.join(" "),
            "-hls_segment_filename".into(),
            format!("{out}/%v/seg_%05d.ts"),
            format!("{out}/%v/index.m3u8"),
        ]);
        args
    }
}

/// What ffprobe says about the live input (for passthrough rungs and audio mapping).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceInfo {
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// RFC 6381 codec string of the source video, e.g. `avc1.64001f`.
    pub video_codec: Option<String>,
    pub has_audio: bool,
    pub fps: Option<f64>,
}

/// `avc1.PPCCLL` from ffprobe's H.264 profile name and level.
pub fn avc1_codec(profile: &str, level: u32) -> String {
    let (idc, constraints) = match profile {
        "Constrained Baseline" => (0x42, 0xe0),
        "Baseline" => (0x42, 0x00),
        "Main" => (0x4d, 0x40),
        "High" => (0x64, 0x00),
        _ => (0x64, 0x00),
    };
    format!("avc1.{idc:02x}{constraints:02x}{level:02x}")
}

/// H.264 level for a transcoded rung (what libx264 picks for these sizes at ≤ 30 fps).
fn rung_level(height: u32) -> u32 {
    match height {
        0..=360 => 30,
        361..=720 => 31,
        _ => 40,
    }
}

impl Profile {
    /// The master playlist, written by Argus (FFmpeg's own lacks CODECS for copied streams and
    /// guesses BANDWIDTH before it has seen any data). `measured`: peak bits/s per rung name.
    pub fn master_playlist(&self, source: &SourceInfo, measured: &BTreeMap<String, u64>) -> String {
        let mut out = String::from("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        for rung in &self.rungs {
            let audio = source.has_audio.then_some("mp4a.40.2");
            let (bandwidth, resolution, video) = if rung.passthrough {
                let res = source.width.zip(source.height).map(|(w, h)| format!("{w}x{h}"));
                (measured.get(&rung.name).copied().unwrap_or(5_000_000), res, source.video_codec.clone())
            } else {
                let level = rung_level(rung.height.unwrap_or(720));
                let bw = measured.get(&rung.name).copied().or(rung.bandwidth()).unwrap_or(1_000_000);
                (bw, rung.resolution(), Some(avc1_codec("Main", level)))
            };
            let mut attrs = vec![format!("BANDWIDTH={bandwidth}")];
            if let Some(r) = resolution {
                attrs.push(format!("RESOLUTION={r}"));
            }
            let codecs: Vec<String> = video.into_iter().chain(audio.map(str::to_string)).collect();
            if !codecs.is_empty() {
                attrs.push(format!("CODECS=\"{}\"", codecs.join(",")));
            }
            if let Some(fps) = source.fps.filter(|f| *f > 0.0) {
                attrs.push(format!("FRAME-RATE={fps:.3}"));
            }
            out.push_str(&format!("#EXT-X-STREAM-INF:{}\n{}/index.m3u8\n", attrs.join(","), rung.name));
        }
        out
    }
}

/// Peak bits per second of the segments a media playlist lists (size on disk ÷ EXTINF).
pub fn measure_playlist(dir: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(dir.join("index.m3u8")).ok()?;
    let mut peak = 0u64;
    let mut duration = None;
    for line in text.lines() {
        if let Some(d) = line.strip_prefix("#EXTINF:") {
            duration = d.trim_end_matches(',').split(',').next().and_then(|v| v.parse::<f64>().ok());
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

/// Every `*.toml` in `dir`, by name. A broken file is an error naming the file.
pub fn load_dir(dir: &Path) -> Result<BTreeMap<String, Profile>, ProfileError> {
    let invalid = |file: &str, message: String| ProfileError::Invalid { file: file.into(), message };
    let dir_name = dir.display().to_string();
    let entries = std::fs::read_dir(dir).map_err(|e| invalid(&dir_name, e.to_string()))?;
    let mut out = BTreeMap::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let file = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| invalid(&file, e.to_string()))?;
        let profile = Profile::parse(&file, &text)?;
        if out.insert(profile.name.clone(), profile).is_some() {
            return Err(invalid(&file, "duplicate profile name".into()));
        }
    }
    if out.is_empty() {
        return Err(invalid(&dir_name, "no profiles found".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> BTreeMap<String, Profile> {
        load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../ffmpeg-profiles"))
            .expect("shipped profiles load")
    }

    #[test]
    fn shipped_profiles_are_valid() {
        let all = shipped();
        assert!(all.contains_key("default") && all.contains_key("passthrough") && all.contains_key("low"));
        assert!(all["default"].rungs[0].passthrough);
    }

    #[test]
    fn ladder_becomes_one_ffmpeg_command_with_a_master_playlist() {
        let p = &shipped()["default"];
        let args = p.ffmpeg_args("rtmp://127.0.0.1:1935/hls/cam", Path::new("/hls/cam"), true);
        let joined = args.join(" ");
        assert!(joined.contains("-i rtmp://127.0.0.1:1935/hls/cam"));
        assert!(joined.contains("[0:v]split=2[s0][s1]"), "{joined}");
        assert!(
            joined.contains("-c:v:0 copy")
                && joined.contains("-c:v:1 libx264")
                && joined.contains("-c:v:2 libx264")
        );
        assert!(joined.contains("-b:v:1 2500k") && joined.contains("-maxrate:v:2 900k"));
        let map_pos = args.iter().position(|a| a == "-var_stream_map").unwrap();
        assert_eq!(args[map_pos + 1], "v:0,a:0,name:source v:1,a:1,name:720p v:2,a:2,name:360p");
        assert_eq!(args.last().unwrap(), "/hls/cam/%v/index.m3u8");
        assert!(joined.contains("-progress pipe:1"));
    }

    #[test]
    fn input_without_audio_maps_video_only() {
        let p = &shipped()["passthrough"];
        let args = p.ffmpeg_args("rtmp://x/hls/c", Path::new("/o"), false);
        assert!(!args.iter().any(|a| a == "0:a:0"));
        let map_pos = args.iter().position(|a| a == "-var_stream_map").unwrap();
        assert_eq!(args[map_pos + 1], "v:0,name:source");
        assert!(!args.iter().any(|a| a == "-filter_complex"));
    }

    #[test]
    fn invalid_profiles_name_the_file() {
        let err = Profile::parse("bad.toml", "name='x'\ndescription='d'\nsegment_seconds=2\nplaylist_size=6\n[[rungs]]\nname='720p'\nwidth=1280\n").unwrap_err();
        assert!(err.to_string().starts_with("bad.toml: rung 720p: height"), "{err}");
        let err = Profile::parse("odd.toml", "name='x'\ndescription='d'\nsegment_seconds=2\nplaylist_size=6\n[[rungs]]\nname='a'\nwidth=641\nheight=360\nvideo_bitrate_kbps=1\n").unwrap_err();
        assert!(err.to_string().contains("even"));
        assert!(Profile::parse(
            "e.toml",
            "name='x'\ndescription='d'\nsegment_seconds=2\nplaylist_size=6\nrungs=[]\n"
        )
        .is_err());
        assert!(Profile::parse("u.toml", "nam='x'").is_err());
    }

    #[test]
    fn master_playlist_has_bandwidth_resolution_and_codecs_for_every_rung() {
        let p = &shipped()["default"];
        let source = SourceInfo {
            width: Some(1280),
            height: Some(720),
            video_codec: Some(avc1_codec("High", 31)),
            has_audio: true,
            fps: Some(25.0),
        };
        let measured = BTreeMap::from([("source".to_string(), 3_100_000u64)]);
        let m = p.master_playlist(&source, &measured);
        let infs: Vec<&str> = m.lines().filter(|l| l.starts_with("#EXT-X-STREAM-INF")).collect();
        assert_eq!(infs.len(), 3);
        assert!(
            infs.iter()
                .all(|l| l.contains("BANDWIDTH=") && l.contains("RESOLUTION=") && l.contains("CODECS=")),
            "{m}"
        );
        assert!(
            infs[0].contains("BANDWIDTH=3100000") && infs[0].contains(r#"CODECS="avc1.64001f,mp4a.40.2""#),
            "{m}"
        );
        assert!(infs[2].contains("RESOLUTION=640x360") && infs[2].contains("avc1.4d401e"));
        assert!(m.contains("\n720p/index.m3u8\n"));
    }

    #[test]
    fn measures_peak_bitrate_of_listed_segments() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("index.m3u8"),
            "#EXTM3U\n#EXTINF:2.000000,\nseg_1.ts\n#EXTINF:1.000000,\nseg_2.ts\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("seg_1.ts"), vec![0u8; 1000]).unwrap();
        std::fs::write(dir.path().join("seg_2.ts"), vec![0u8; 1000]).unwrap();
        assert_eq!(measure_playlist(dir.path()), Some(8000));
        assert_eq!(measure_playlist(&dir.path().join("missing")), None);
    }

    #[test]
    fn bandwidth_and_resolution_for_the_master_playlist() {
        let p = &shipped()["default"];
        assert_eq!(p.rungs[1].bandwidth(), Some(2_928_000));
        assert_eq!(p.rungs[1].resolution().as_deref(), Some("1280x720"));
        assert_eq!(p.rungs[0].bandwidth(), None);
    }
}
