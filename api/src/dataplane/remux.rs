//! FFmpeg and ffprobe over a finished recording chunk: remux the FLV nginx wrote into a
//! faststart MP4, and read what the MP4 holds. Arguments and parsing are in `probe`.

use std::{path::Path, process::Stdio, time::Duration};

use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use tokio::{io::AsyncReadExt, process::Command};

use super::probe::{self, Keyframe, ProbeInfo};

/// Longest a remux of one chunk (an hour of video by default) may take.
const REMUX_TIMEOUT: Duration = Duration::from_secs(600);
const PROBE_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest the cut of one playback segment may stream (a few seconds of video, copied).
const CUT_TIMEOUT: Duration = Duration::from_secs(120);
/// Read size of a segment's stdout.
const CUT_READ: usize = 64 * 1024;

/// Why a tool gave no usable answer (not started, timed out, failed, unreadable output).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ToolError(String);

/// Copies the streams of `source` into `output` (MP4, index at the front) without re-encoding.
pub async fn remux(source: &str, output: &Path) -> Result<(), ToolError> {
    run_tool("ffmpeg", &probe::remux_args(source, &output.to_string_lossy()), REMUX_TIMEOUT).await?;
    Ok(())
}

/// Copies `source` into `output` (MP4) with its video stream(s) first, then audio.
pub async fn video_first_copy(source: &str, output: &Path) -> Result<(), ToolError> {
    run_tool("ffmpeg", &probe::video_first_args(source, &output.to_string_lossy()), REMUX_TIMEOUT).await?;
    Ok(())
}

/// Whether the file lists its video stream(s) first (a chunk keeps the order nginx's FLV had).
pub async fn video_first(path: &Path) -> Result<bool, ToolError> {
    let kinds =
        run_tool("ffprobe", &probe::stream_kinds_args(&path.to_string_lossy()), PROBE_TIMEOUT).await?;
    Ok(probe::video_first(&kinds))
}

/// Duration, codecs, size and bitrate of a media file.
pub async fn probe_file(path: &Path) -> Result<ProbeInfo, ToolError> {
    let json = run_tool("ffprobe", &probe::ffprobe_args(&path.to_string_lossy()), PROBE_TIMEOUT).await?;
    probe::parse_probe(&json).map_err(|e| ToolError(e.to_string()))
}

/// The video keyframes of `input` (a path or an http(s) URL), in presentation order.
pub async fn keyframes(input: &str) -> Result<Vec<Keyframe>, ToolError> {
    // Reads every packet (not decoded): an hour over S3 may take longer than a probe.
    let text = run_tool("ffprobe", &probe::keyframe_args(input), REMUX_TIMEOUT).await?;
    match probe::parse_keyframes(&text) {
        Some(frames) if !frames.is_empty() => Ok(frames),
        _ => Err(ToolError("ffprobe found no video keyframe".into())),
    }
}

/// Runs ffmpeg with `args` (a segment cut to `pipe:1`) and streams its stdout. It fails before
/// the first byte when ffmpeg writes nothing (with its stderr); ffmpeg is killed when the stream
/// is dropped (the client went away) or outlives [`CUT_TIMEOUT`].
pub async fn stream_cut(args: &[String]) -> Result<BoxStream<'static, std::io::Result<Bytes>>, ToolError> {
    let mut child = Command::new("ffmpeg")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| ToolError(format!("cannot run ffmpeg: {e}")))?;
    let mut stdout = child.stdout.take().ok_or_else(|| ToolError("ffmpeg has no stdout".into()))?;
    let deadline = tokio::time::Instant::now() + CUT_TIMEOUT;
    let mut first = vec![0u8; CUT_READ];
    let n = match tokio::time::timeout_at(deadline, stdout.read(&mut first)).await {
        Ok(Ok(n)) => n,
        Ok(Err(e)) => return Err(ToolError(format!("reading ffmpeg: {e}"))),
        Err(_) => return Err(ToolError("ffmpeg timed out".into())),
    };
    if n == 0 {
        let output = tokio::time::timeout_at(deadline, child.wait_with_output())
            .await
            .map_err(|_| ToolError("ffmpeg timed out".into()))?
            .map_err(|e| ToolError(format!("ffmpeg: {e}")))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(ToolError(format!("ffmpeg cut nothing: {}", stderr.trim())));
    }
    first.truncate(n);
    // The child rides along in the stream's state: dropping the stream kills it.
    let rest = stream::unfold(Some((child, stdout)), move |state| async move {
        let (child, mut stdout) = state?;
        let mut buf = vec![0u8; CUT_READ];
        match tokio::time::timeout_at(deadline, stdout.read(&mut buf)).await {
            Ok(Ok(0)) => None,
            Ok(Ok(n)) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), Some((child, stdout))))
            }
            Ok(Err(e)) => Some((Err(e), None)),
            Err(_) => Some((Err(std::io::Error::other("ffmpeg timed out")), None)),
        }
    });
    Ok(stream::once(async move { Ok(Bytes::from(first)) }).chain(rest).boxed())
}

/// Runs `program` to completion (killed when it outlives `timeout`) and returns its stdout.
async fn run_tool(program: &str, args: &[String], timeout: Duration) -> Result<String, ToolError> {
    let output = tokio::time::timeout(timeout, Command::new(program).args(args).kill_on_drop(true).output())
        .await
        .map_err(|_| ToolError(format!("{program} timed out")))?
        .map_err(|e| ToolError(format!("cannot run {program}: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(ToolError(format!("{program} failed: {}", stderr.trim())));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
