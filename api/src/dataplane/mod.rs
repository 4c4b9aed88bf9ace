//! The data plane around nginx-rtmp and FFmpeg (behaviour checked on the real binaries:
//! nginx/README.md).
//!
//! - `nginx_conf`: renders `nginx/nginx.conf.tmpl`, signs HLS playback paths.
//! - `stat`: parses nginx-rtmp's `/stat` XML (live streams, publishers, codecs).
//! - `profiles`: `ffmpeg-profiles/*.toml` ladders and the FFmpeg HLS command for one stream;
//!   `profile_sources` loads them from a folder or from the binary.
//! - `progress`: FFmpeg `-progress` samples and the 0–100 transcode quality score.
//! - `probe`: ffprobe/remux arguments, recorded chunk names, HLS codec strings.
//! - `flv`: whether a recorded chunk holds any frame.
//! - `recorders`: recording per camera and hourly chunk rotation over nginx's control module.
//! - `remux`: FFmpeg/ffprobe over a finished chunk (faststart MP4, its streams).
//! - `native_hls`: the source rendition nginx writes itself, for passthrough-only profiles.
//! - `nginx_process`: starting, checking, adopting and stopping nginx.
//! - `control`, `http`, `transcode`: Argus-side drivers using the above.

pub mod control;
pub mod flv;
pub mod http;
pub mod native_hls;
pub mod nginx_conf;
pub mod nginx_process;
pub mod probe;
pub mod profile_sources;
pub mod profiles;
pub mod progress;
pub mod recorders;
pub mod remux;
pub mod stat;
pub mod transcode;

/// Has the kernel send `signal` to the child when this process dies, so a crash of Argus or of
/// the transcoder never leaves nginx or FFmpeg running on their own.
pub fn die_with_parent(cmd: &mut tokio::process::Command, signal: libc::c_int) {
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, signal) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
