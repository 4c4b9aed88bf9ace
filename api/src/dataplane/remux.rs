//! FFmpeg and ffprobe over a finished recording chunk: remux the FLV nginx wrote into a
//! faststart MP4, and read what the MP4 holds. Arguments and parsing are in `probe`.

use std::{path::Path, time::Duration};

use tokio::process::Command;

use super::probe::{self, ProbeInfo};

/// Longest a remux of one chunk (an hour of video by default) may take.
const REMUX_TIMEOUT: Duration = Duration::from_secs(600);
const PROBE_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a tool gave no usable answer (not started, timed out, failed, unreadable output).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ToolError(String);

/// Copies the streams of `source` into `output` (MP4, index at the front) without re-encoding.
pub async fn remux(source: &str, output: &Path) -> Result<(), ToolError> {
    run_tool("ffmpeg", &probe::remux_args(source, &output.to_string_lossy()), REMUX_TIMEOUT).await?;
    Ok(())
}

/// Duration, codecs, size and bitrate of a media file.
pub async fn probe_file(path: &Path) -> Result<ProbeInfo, ToolError> {
    let json = run_tool("ffprobe", &probe::ffprobe_args(&path.to_string_lossy()), PROBE_TIMEOUT).await?;
    probe::parse_probe(&json).map_err(|e| ToolError(e.to_string()))
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
