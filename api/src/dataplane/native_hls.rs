//! Passthrough at nginx's own cost. nginx-rtmp's own `hls` (the template's loopback `hls`
//! application) writes every live camera's source rendition to `<hls_dir>/.nginx/<camera>/`
//! (`index.m3u8` + `<n>.ts`). A camera whose profile is nothing but its own stream (one
//! passthrough rung, [`Profile::served_by_nginx`]) therefore needs no FFmpeg: its transcoder
//! links that folder in as the rung (`<hls_dir>/<camera>/<rung>` → `../.nginx/<camera>`, so the
//! signed URL layout is unchanged), writes the master playlist, reports the stream's quality as
//! measured from nginx's playlist, and waits for nginx to end it (exec_push would respawn a
//! child that exits).
//!
//! The master playlist lives outside nginx's `hls_path`, so nginx's `hls_cleanup` (which deletes
//! playlists not rewritten for twice the playlist length) never touches it.

use std::{
    collections::BTreeMap,
    path::Path,
    time::{Duration, SystemTime},
};

use super::{profiles::Profile, progress::ProgressSample};

/// nginx's `hls_path` below the HLS folder. A dot name: never a camera id, so never reachable
/// through the signed `/hls/<token>/<expires>/<camera>/` location except through a link.
pub const NGINX_HLS_FOLDER: &str = ".nginx";

/// What nginx's rendition uses when no profile is served by nginx (= `passthrough.toml`).
const DEFAULT_TIMING: (u32, u32) = (2, 6);

/// nginx's `hls_fragment` (seconds) and segments per playlist, from the profile that nginx
/// serves: `passthrough` if it is one, else the first such profile by name. nginx has one setting
/// for every camera, so other nginx-served profiles get these values too.
pub fn rendition_timing(profiles: &BTreeMap<String, Profile>) -> (u32, u32) {
    let served = profiles.get("passthrough").filter(|p| p.served_by_nginx());
    served
        .or_else(|| profiles.values().find(|p| p.served_by_nginx()))
        .map_or(DEFAULT_TIMING, |p| (p.segment_seconds, p.playlist_size))
}

/// Makes `<hls_dir>/<camera>/<rung>` a link to nginx's folder for the camera, replacing what an
/// earlier FFmpeg transcode left there. The new link is renamed over the old entry, so a player
/// never sees the folder missing when only the link is being refreshed.
pub fn link_rendition(hls_dir: &Path, camera: &str, rung: &str) -> std::io::Result<()> {
    let out = hls_dir.join(camera);
    std::fs::create_dir_all(&out)?;
    let link = out.join(rung);
    if link.symlink_metadata().is_ok_and(|m| m.is_dir()) {
        std::fs::remove_dir_all(&link)?;
    }
    let tmp = out.join(format!(".{rung}.link"));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(Path::new("..").join(NGINX_HLS_FOLDER).join(camera), &tmp)?;
    std::fs::rename(tmp, link)
}

/// The FFmpeg path's counterpart: `dir` must be a real folder, not a link into nginx's.
pub fn unlink_rendition(dir: &Path) -> std::io::Result<()> {
    if dir.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) {
        std::fs::remove_file(dir)?;
    }
    std::fs::create_dir_all(dir)
}

/// One media playlist entry: its duration (s) and URI.
fn entries(playlist: &str) -> Vec<(f64, String)> {
    let mut out = Vec::new();
    let mut duration = None;
    for line in playlist.lines().map(str::trim) {
        if let Some(d) = line.strip_prefix("#EXTINF:") {
            duration = d.split(',').next().and_then(|v| v.trim().parse::<f64>().ok());
        } else if !line.is_empty() && !line.starts_with('#') {
            if let Some(d) = duration.take() {
                out.push((d, line.to_string()));
            }
        }
    }
    out
}

/// The stream's pace, measured from nginx's media playlist: media seconds of the segments nginx
/// completed between two samples, over the time between those segments' last writes. Segments
/// close at keyframes, so both ends of the measure sit on segment boundaries. FFmpeg is not in
/// the path, so there is no frame count: no measured fps, drops or duplicates.
#[derive(Debug, Default)]
pub struct PlaylistPace {
    /// The newest segment counted and when nginx last wrote it.
    last: Option<(String, SystemTime)>,
    /// Write time of the newest segment at the previous sample.
    anchor: Option<SystemTime>,
    media_secs: f64,
    bytes: u64,
    total_media_secs: f64,
    total_bytes: u64,
}

impl PlaylistPace {
    /// Counts the segments `dir`'s playlist lists after the last one counted. Call it more often
    /// than the playlist's length, or segments leave the list uncounted.
    pub fn poll(&mut self, dir: &Path) {
        let Ok(text) = std::fs::read_to_string(dir.join("index.m3u8")) else { return };
        let listed = entries(&text);
        let start = match &self.last {
            Some((name, _)) => match listed.iter().position(|(_, n)| n == name) {
                Some(i) => i + 1,
                // Not listed any more (nginx restarted the stream, or polls were too rare):
                // measure again from the newest segment.
                None => {
                    (self.anchor, self.media_secs, self.bytes) = (None, 0.0, 0);
                    listed.len().saturating_sub(1)
                }
            },
            None => listed.len().saturating_sub(1),
        };
        for (duration, name) in &listed[start.min(listed.len())..] {
            let Ok(meta) = std::fs::metadata(dir.join(name)) else { continue };
            let written = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            if self.anchor.is_none() {
                self.anchor = Some(written);
            } else {
                self.media_secs += duration;
                self.bytes += meta.len();
            }
            self.last = Some((name.clone(), written));
        }
    }

    /// The pace since the previous sample, or `None` while nothing new is known. A stream whose
    /// newest segment is older than `stalled_after` reads as speed 0.
    pub fn sample(&mut self, now: SystemTime, stalled_after: Duration, fps: f64) -> Option<ProgressSample> {
        let (_, newest) = self.last.as_ref()?;
        let newest = *newest;
        let span = newest.duration_since(self.anchor?).unwrap_or_default().as_secs_f64();
        let speed = if self.media_secs > 0.0 && span > 0.0 {
            self.media_secs / span
        } else if now.duration_since(newest).unwrap_or_default() > stalled_after {
            0.0
        } else {
            return None;
        };
        let bitrate_kbps =
            if self.media_secs > 0.0 { self.bytes as f64 * 8.0 / self.media_secs / 1000.0 } else { 0.0 };
        self.total_media_secs += self.media_secs;
        self.total_bytes += self.bytes;
        (self.media_secs, self.bytes, self.anchor) = (0.0, 0, Some(newest));
        Some(ProgressSample {
            fps: if speed > 0.0 { fps } else { 0.0 },
            bitrate_kbps,
            total_size: self.total_bytes,
            out_time_us: (self.total_media_secs * 1e6) as i64,
            speed,
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests;
