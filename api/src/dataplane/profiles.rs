//! Transcoding profiles (`ffmpeg-profiles/*.toml`): a ladder of rungs, each either the camera's
//! own stream (passthrough) or an H.264/AAC rendition, and the one FFmpeg command that turns a
//! live stream into a multi-rendition HLS set: `<out>/index.m3u8` (master) and
//! `<out>/<rung>/index.m3u8` + `<out>/<rung>/seg_<n>.ts`. Self-contained: std, `serde`, `toml`,
//! `thiserror`, `utoipa` (profiles are API bodies).

use std::{collections::BTreeMap, path::Path};

use serde::{Deserialize, Serialize};

// Codec strings and playlist measurement live with the other media inspection helpers.
pub use super::probe::{avc1_codec, h264_level, measure_playlist};

const PRESETS: &[&str] =
    &["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rung {
    /// Folder and variant name: `[A-Za-z0-9_-]+`.
    pub name: String,
    /// Copy the camera's video and audio as they are (no other field applies).
    #[serde(default)]
    pub passthrough: bool,
    /// Box the picture is fitted into, keeping its aspect ratio and never upscaling.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub video_bitrate_kbps: Option<u32>,
    pub max_bitrate_kbps: Option<u32>,
    pub audio_bitrate_kbps: Option<u32>,
    /// x264 preset (default `veryfast`).
    pub preset: Option<String>,
    /// Keyframe interval; must divide `segment_seconds` (default: `segment_seconds`). Used only
    /// in profiles without a passthrough rung (else keyframes follow the camera's).
    pub gop_seconds: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub description: String,
    /// HLS segment length (`-hls_time`), 1..=10.
    pub segment_seconds: u32,
    /// Segments listed per media playlist (`-hls_list_size`), 3..=30.
    pub playlist_size: u32,
    pub rungs: Vec<Rung>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ProfileError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// What is known about the live input (from ffprobe or nginx's /stat); all optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceInfo {
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// RFC 6381 codec string of the source video, e.g. `avc1.64001f`.
    pub video_codec: Option<String>,
    pub has_audio: bool,
    pub fps: Option<f64>,
}

fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn even(v: f64) -> u32 {
    ((v / 2.0).round() as u32 * 2).max(2)
}

impl Rung {
    fn check(&self, segment_seconds: u32) -> Result<(), String> {
        let n = &self.name;
        let sizes = [self.width, self.height, self.video_bitrate_kbps, self.max_bitrate_kbps];
        let required =
            [("width", self.width), ("height", self.height), ("video_bitrate_kbps", self.video_bitrate_kbps)];
        let missing = required.into_iter().find(|(_, v)| v.is_none_or(|v| v == 0)).map(|(f, _)| f);
        let (w, h) = (self.width.unwrap_or(2), self.height.unwrap_or(2));
        let problem = if !valid_name(n) {
            format!("rung name {n:?} must be 1-32 of [A-Za-z0-9_-]")
        } else if self.passthrough {
            if sizes.iter().all(Option::is_none) && self.audio_bitrate_kbps.is_none() && self.preset.is_none()
            {
                return Ok(());
            }
            format!("rung {n}: a passthrough rung copies the source; remove its other fields")
        } else if let Some(field) = missing {
            format!("rung {n}: {field} is required for a transcoded rung")
        } else if w % 2 == 1 || h % 2 == 1 || w > 7680 || h > 4320 {
            format!("rung {n}: width and height must be even and at most 7680x4320")
        } else if self.max_bitrate_kbps.zip(self.video_bitrate_kbps).is_some_and(|(max, avg)| max < avg) {
            format!("rung {n}: max_bitrate_kbps is below video_bitrate_kbps")
        } else if let Some(p) = self.preset.as_deref().filter(|p| !PRESETS.contains(p)) {
            format!("rung {n}: unknown x264 preset {p:?}")
        } else if self.gop_seconds.is_some_and(|g| g == 0 || segment_seconds % g != 0) {
            format!("rung {n}: gop_seconds must divide segment_seconds ({segment_seconds})")
        } else {
            return Ok(());
        };
        Err(problem)
    }

    /// Peak bits per second for the master playlist's BANDWIDTH (passthrough: unknown here).
    pub fn bandwidth(&self) -> Option<u64> {
        let video = self.max_bitrate_kbps.or(self.video_bitrate_kbps)?;
        Some(u64::from(video + self.audio_bitrate_kbps.unwrap_or(0)) * 1000)
    }

    pub fn resolution(&self) -> Option<String> {
        Some(format!("{}x{}", self.width?, self.height?))
    }

    /// The picture size this rung produces: the source fitted into `width`×`height` keeping its
    /// aspect ratio, never larger than the source, even. Passthrough: the source size.
    pub fn output_size(&self, source: &SourceInfo) -> Option<(u32, u32)> {
        let src = source.width.zip(source.height).filter(|(w, h)| *w > 0 && *h > 0);
        if self.passthrough {
            return src;
        }
        let (bw, bh) = (self.width?, self.height?);
        let Some((sw, sh)) = src else { return Some((bw, bh)) };
        let scale = (f64::from(bw) / f64::from(sw)).min(f64::from(bh) / f64::from(sh)).min(1.0);
        Some((even(f64::from(sw) * scale), even(f64::from(sh) * scale)))
    }

    fn keyframe_seconds(&self, segment_seconds: u32) -> u32 {
        self.gop_seconds.filter(|g| *g > 0 && segment_seconds % g == 0).unwrap_or(segment_seconds)
    }
}

impl Profile {
    pub fn parse(file: &str, text: &str) -> Result<Profile, ProfileError> {
        let err = |message: String| ProfileError::Invalid { file: file.to_string(), message };
        let p: Profile = toml::from_str(text).map_err(|e| err(e.to_string().trim().to_string()))?;
        if !valid_name(&p.name) {
            return Err(err(format!("profile name {:?} must be 1-32 of [A-Za-z0-9_-]", p.name)));
        }
        if p.rungs.is_empty() {
            return Err(err("a profile needs at least one rung".into()));
        }
        if !(1..=10).contains(&p.segment_seconds) || !(3..=30).contains(&p.playlist_size) {
            return Err(err("segment_seconds must be 1..=10 and playlist_size 3..=30".into()));
        }
        for rung in &p.rungs {
            rung.check(p.segment_seconds).map_err(err)?;
        }
        if p.rungs.iter().filter(|r| r.passthrough).count() > 1 {
            return Err(err("at most one passthrough rung".into()));
        }
        let mut names: Vec<&str> = p.rungs.iter().map(|r| r.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        if names.len() != p.rungs.len() {
            return Err(err("rung names must be unique".into()));
        }
        Ok(p)
    }

    /// Nothing but the camera's own stream: nginx writes that rendition itself and no FFmpeg
    /// runs for the camera (see `native_hls`).
    pub fn served_by_nginx(&self) -> bool {
        self.rungs.iter().all(|r| r.passthrough)
    }

    /// [`ffmpeg_args`] when only the presence of audio is known.
    pub fn ffmpeg_args(&self, input_url: &str, out_dir: &Path, has_audio: bool) -> Vec<String> {
        ffmpeg_args(self, input_url, out_dir, &SourceInfo { has_audio, ..Default::default() })
    }

    /// The master playlist as Argus writes it over FFmpeg's: FFmpeg's own has no CODECS and a
    /// meaningless BANDWIDTH for copied (passthrough) streams (checked on FFmpeg 5.1).
    /// `measured`: peak bits/s per rung name, e.g. from [`measure_playlist`].
    pub fn master_playlist(&self, source: &SourceInfo, measured: &BTreeMap<String, u64>) -> String {
        let mut out = String::from("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        for rung in &self.rungs {
            let size = rung.output_size(source);
            let (bandwidth, video) = if rung.passthrough {
                (measured.get(&rung.name).copied().unwrap_or(5_000_000), source.video_codec.clone())
            } else {
                let (w, h) = size.unwrap_or((1280, 720));
                let level = h264_level(w, h, source.fps);
                let bw = measured.get(&rung.name).copied().or(rung.bandwidth()).unwrap_or(1_000_000);
                (bw, Some(avc1_codec("Main", level)))
            };
            let mut attrs = vec![format!("BANDWIDTH={bandwidth}")];
            if let Some((w, h)) = size {
                attrs.push(format!("RESOLUTION={w}x{h}"));
            }
            let audio = source.has_audio.then(|| "mp4a.40.2".to_string());
            let codecs: Vec<String> = video.into_iter().chain(audio).collect();
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

/// The whole FFmpeg command line (without the program name) for one live input.
///
/// Every rung must be cut at the same instants for players to switch cleanly. A passthrough
/// rung can only be cut at the camera's keyframes, so when there is one the transcoded rungs
/// put their keyframes exactly there (`-force_key_frames source`; segments are then as long as
/// the camera's GOP, at least `segment_seconds`). Without one, keyframes are forced every
/// `gop_seconds`, a divisor of the segment length. All rungs keep the source timestamps
/// (`-fps_mode passthrough`): checked on FFmpeg 5.1, constant-rate output instead back-filled
/// the encoded rungs by 1.5 s of duplicated frames and shifted them against the copied rung.
/// Segment numbers start at the current unix time (`-hls_start_number_source
/// epoch`), so a restarted transcoder never reuses a name a player or cache has seen.
pub fn ffmpeg_args(profile: &Profile, input_url: &str, out_dir: &Path, source: &SourceInfo) -> Vec<String> {
    let head = "-nostdin -hide_banner -loglevel warning -progress pipe:1 -nostats -rw_timeout 10000000 -i";
    let mut args: Vec<String> = head.split_whitespace().map(String::from).collect();
    args.push(input_url.into());
    let scaled: Vec<&Rung> = profile.rungs.iter().filter(|r| !r.passthrough).collect();
    if !scaled.is_empty() {
        let outs: String = (0..scaled.len()).map(|i| format!("[s{i}]")).collect();
        let mut graph = format!("[0:v]split={}{outs}", scaled.len());
        for (i, r) in scaled.iter().enumerate() {
            let known = source.width.is_some() && source.height.is_some();
            match r.output_size(source) {
                Some((w, h)) if known => graph.push_str(&format!(";[s{i}]scale={w}:{h}[v{i}]")),
                _ => {
                    let (w, h) = (r.width.unwrap_or(2), r.height.unwrap_or(2));
                    graph.push_str(&format!(
                        ";[s{i}]scale=w='min({w},iw)':h='min({h},ih)':force_original_aspect_ratio=decrease:force_divisible_by=2[v{i}]"
                    ));
                }
            }
        }
        args.extend(["-filter_complex".into(), graph]);
    }
    let has_copy = profile.rungs.iter().any(|r| r.passthrough);
    let mut scaled_index = 0;
    let mut stream_map = Vec::new();
    for (i, rung) in profile.rungs.iter().enumerate() {
        if rung.passthrough {
            args.extend(["-map".into(), "0:v:0".into(), format!("-c:v:{i}"), "copy".into()]);
        } else {
            let kbps = rung.video_bitrate_kbps.unwrap_or(1000);
            let max = rung.max_bitrate_kbps.unwrap_or(kbps);
            // With a copied rung, follow the camera's keyframes (x264 adds none of its own up
            // to 1000 frames) so every rung is cut at the same instants; else a fixed cadence.
            let keyframes = if has_copy {
                "source".to_string()
            } else {
                format!("expr:gte(t,n_forced*{})", rung.keyframe_seconds(profile.segment_seconds))
            };
            let preset = rung.preset.as_deref().unwrap_or("veryfast");
            let (gop, buf) = (if has_copy { 1000 } else { 600 }, max * 2);
            // No option value here contains whitespace (presets and names are validated).
            let opts = format!(
                "-map [v{scaled_index}] -c:v:{i} libx264 -preset:v:{i} {preset} -profile:v:{i} main \
                 -pix_fmt:v:{i} yuv420p -b:v:{i} {kbps}k -maxrate:v:{i} {max}k -bufsize:v:{i} {buf}k \
                 -force_key_frames:v:{i} {keyframes} -g:v:{i} {gop} -sc_threshold:v:{i} 0 \
                 -fps_mode:v:{i} passthrough"
            );
            // -fps_mode passthrough: source timestamps, no duplicated or dropped frames.
            args.extend(opts.split_whitespace().map(String::from));
            scaled_index += 1;
        }
        let mut entry = format!("v:{i}");
        if source.has_audio {
            args.extend(["-map".into(), "0:a:0".into(), format!("-c:a:{i}")]);
            if rung.passthrough {
                args.push("copy".into());
            } else {
                let kbps = rung.audio_bitrate_kbps.unwrap_or(96);
                args.extend(["aac".into(), format!("-b:a:{i}"), format!("{kbps}k")]);
            }
            entry.push_str(&format!(",a:{i}"));
        }
        entry.push_str(&format!(",name:{}", rung.name));
        stream_map.push(entry);
    }
    let out = out_dir.to_string_lossy().trim_end_matches('/').to_string();
    let hls = format!(
        "-f hls -hls_time {} -hls_list_size {} \
         -hls_flags delete_segments+independent_segments+temp_file+omit_endlist \
         -hls_start_number_source epoch -master_pl_name index.m3u8",
        profile.segment_seconds, profile.playlist_size
    );
    args.extend(hls.split_whitespace().map(String::from));
    args.extend(["-var_stream_map".into(), stream_map.join(" "), "-hls_segment_filename".into()]);
    args.extend([format!("{out}/%v/seg_%05d.ts"), format!("{out}/%v/index.m3u8")]);
    args
}

#[cfg(test)]
mod tests;
