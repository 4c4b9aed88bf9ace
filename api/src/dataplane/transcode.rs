//! `argus transcode --stream CAMERA`: started by nginx (`exec_push` in the loopback `hls`
//! application) for each live camera. Asks the API for the camera's profile, runs FFmpeg to
//! produce the HLS ladder, writes the master playlist, reports progress, restarts FFmpeg with
//! backoff if it dies, and takes FFmpeg down with it when nginx ends it. A profile that is only
//! the camera's own stream runs no FFmpeg at all: nginx writes that rendition (`native_hls`).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use serde::Deserialize;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

use super::{
    http,
    native_hls::{self, PlaylistPace},
    profiles::{avc1_codec, measure_playlist, Profile, SourceInfo},
    progress::{ProgressParser, ProgressSample},
};

#[derive(Debug, Clone)]
pub struct TranscodeJob {
    pub stream: String,
    /// Base URL of the Argus API, e.g. `http://127.0.0.1:8080`.
    pub api: String,
    pub hook_secret: String,
    pub rtmp_port: u16,
    pub hls_dir: PathBuf,
}

impl TranscodeJob {
    fn input_url(&self) -> String {
        format!("rtmp://127.0.0.1:{}/hls/{}", self.rtmp_port, self.stream)
    }
    fn out_dir(&self) -> PathBuf {
        self.hls_dir.join(&self.stream)
    }
}

/// Only camera ids reach here, but the name still ends up in a path: allow nothing else.
pub fn valid_stream_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

async fn fetch_profile(job: &TranscodeJob) -> anyhow::Result<Profile> {
    let url = format!(
        "{}/api/v1/streaming/transcode-config?secret={}&stream={}",
        job.api, job.hook_secret, job.stream
    );
    let resp = http::get(&url, Duration::from_secs(5)).await?;
    if resp.status != 200 {
        anyhow::bail!("API answered {} for the transcode profile: {}", resp.status, resp.body);
    }
    Ok(serde_json::from_str(&resp.body)?)
}

#[derive(Deserialize)]
struct ProbeStreams {
    #[serde(default)]
    streams: Vec<ProbeStream>,
}

#[derive(Deserialize)]
struct ProbeStream {
    codec_type: Option<String>,
    codec_name: Option<String>,
    profile: Option<String>,
    level: Option<i64>,
    width: Option<u32>,
    height: Option<u32>,
    avg_frame_rate: Option<String>,
}

fn parse_rate(r: &str) -> Option<f64> {
    let (n, d) = r.split_once('/')?;
    let (n, d): (f64, f64) = (n.parse().ok()?, d.parse().ok()?);
    (d > 0.0).then(|| n / d)
}

/// What the live input carries; on failure assume audio is present (the common camera case).
async fn probe_source(url: &str) -> SourceInfo {
    let args = ["-v", "error", "-rw_timeout", "5000000", "-print_format", "json", "-show_streams", url];
    let out = tokio::time::timeout(
        Duration::from_secs(8),
        Command::new("ffprobe").args(args).kill_on_drop(true).output(),
    )
    .await;
    let Ok(Ok(out)) = out else { return SourceInfo { has_audio: true, ..Default::default() } };
    let Ok(parsed) = serde_json::from_slice::<ProbeStreams>(&out.stdout) else {
        return SourceInfo { has_audio: true, ..Default::default() };
    };
    let video = parsed.streams.iter().find(|s| s.codec_type.as_deref() == Some("video"));
    SourceInfo {
        width: video.and_then(|v| v.width),
        height: video.and_then(|v| v.height),
        video_codec: video.and_then(|v| match (v.codec_name.as_deref(), v.profile.as_deref(), v.level) {
            (Some("h264"), Some(p), Some(l)) if l > 0 => Some(avc1_codec(p, l as u32)),
            _ => None,
        }),
        has_audio: parsed.streams.iter().any(|s| s.codec_type.as_deref() == Some("audio")),
        fps: video.and_then(|v| v.avg_frame_rate.as_deref()).and_then(parse_rate),
    }
}

fn spawn_ffmpeg(args: &[String]) -> std::io::Result<Child> {
    let mut cmd = Command::new("ffmpeg");
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit()).kill_on_drop(true);
    // If this process is killed outright (nginx's default exec kill signal is KILL), the kernel
    // takes FFmpeg down too instead of leaving an orphan writing segments forever.
    super::die_with_parent(&mut cmd, libc::SIGKILL);
    cmd.spawn()
}

fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("m3u8.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(tmp, path)
}

async fn report(
    job: &TranscodeJob,
    sample: &ProgressSample,
    previous: Option<&ProgressSample>,
    target_fps: f64,
) {
    let body = serde_json::json!({
        "stream": job.stream, "sample": sample, "previous": previous, "target_fps": target_fps,
    })
    .to_string();
    let url = format!("{}/api/v1/streaming/quality?secret={}", job.api, job.hook_secret);
    match http::request("POST", &url, Some(("application/json", body.as_bytes())), Duration::from_secs(3))
        .await
    {
        Ok(r) if r.status == 204 || r.status == 200 => {}
        Ok(r) => tracing::warn!(status = r.status, "quality report refused"),
        Err(e) => tracing::warn!(error = %e, "quality report failed"),
    }
}

/// Tells the API that FFmpeg died and is restarted (it counts restarts for crash-loop alerts).
async fn report_restart(job: &TranscodeJob) {
    let body = serde_json::json!({ "stream": job.stream }).to_string();
    let url = format!("{}/api/v1/streaming/transcoder-restart?secret={}", job.api, job.hook_secret);
    if let Err(e) =
        http::request("POST", &url, Some(("application/json", body.as_bytes())), Duration::from_secs(3)).await
    {
        tracing::warn!(error = %e, "restart report failed");
    }
}

/// Runs FFmpeg once until it exits; reports progress every `report_every`.
async fn run_once(
    job: &TranscodeJob,
    profile: &Profile,
    source: &SourceInfo,
) -> anyhow::Result<std::process::ExitStatus> {
    let out = job.out_dir();
    std::fs::create_dir_all(&out)?;
    for rung in &profile.rungs {
        // A link left by an nginx-served run of this camera would send FFmpeg into nginx's files.
        native_hls::unlink_rendition(&out.join(&rung.name))?;
    }
    let mut measured = BTreeMap::new();
    write_atomic(&out.join("index.m3u8"), &profile.master_playlist(source, &measured))?;
    let mut child = spawn_ffmpeg(&profile.ffmpeg_args(&job.input_url(), &out, source.has_audio))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no ffmpeg stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let mut parser = ProgressParser::default();
    let (mut last_report, mut previous) = (Instant::now(), None::<ProgressSample>);
    let target_fps = source.fps.unwrap_or(0.0);
    while let Some(line) = lines.next_line().await? {
        let Some(mut sample) = parser.feed(&line) else { continue };
        if last_report.elapsed() >= Duration::from_secs(5) {
            // Measure every rung from its segments once they exist: the master playlist's
            // BANDWIDTH, and the output bitrate FFmpeg's HLS muxer never reports (`N/A`).
            for rung in &profile.rungs {
                if let Some(bw) = measure_playlist(&out.join(&rung.name)) {
                    measured.insert(rung.name.clone(), bw);
                }
            }
            if sample.bitrate_kbps == 0.0 {
                sample.bitrate_kbps = measured.values().sum::<u64>() as f64 / 1000.0;
            }
            report(job, &sample, previous.as_ref(), target_fps).await;
            write_atomic(&out.join("index.m3u8"), &profile.master_playlist(source, &measured))?;
            last_report = Instant::now();
            previous = Some(sample);
        }
    }
    Ok(child.wait().await?)
}

pub async fn run(job: TranscodeJob) -> anyhow::Result<()> {
    if !valid_stream_name(&job.stream) {
        anyhow::bail!("refusing stream name {:?}", job.stream);
    }
    let profile = fetch_profile(&job).await?;
    let source = probe_source(&job.input_url()).await;
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    if profile.served_by_nginx() {
        tracing::info!(stream = %job.stream, profile = %profile.name, ?source, "served by nginx");
        tokio::select! {
            result = serve_nginx_rendition(&job, &profile, &source) => return result,
            _ = term.recv() => return Ok(()),
        }
    }
    tracing::info!(stream = %job.stream, profile = %profile.name, ?source, "transcoding");
    let mut backoff = Duration::from_secs(1);
    loop {
        let started = Instant::now();
        tokio::select! {
            result = run_once(&job, &profile, &source) => match result {
                Ok(status) => tracing::warn!(%status, "ffmpeg exited"),
                Err(e) => tracing::error!(error = %e, "ffmpeg failed"),
            },
            // nginx ends us when the publisher leaves; dropping the future kills FFmpeg.
            _ = term.recv() => return Ok(()),
        }
        if started.elapsed() > Duration::from_secs(60) {
            backoff = Duration::from_secs(1);
        }
        report_restart(&job).await;
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = term.recv() => return Ok(()),
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

/// Quality reports of nginx-served cameras: less often than FFmpeg's (every 5 s) to keep the
/// control plane cheap at hundreds of cameras, yet within the API's 30 s quality lifetime.
const NATIVE_REPORT_EVERY: Duration = Duration::from_secs(20);

/// A camera nginx serves by itself: link its rendition, write the master playlist, then report
/// the pace measured from nginx's playlist until nginx ends this process. Never returns `Ok`
/// on its own: nginx would start the transcoder again.
async fn serve_nginx_rendition(
    job: &TranscodeJob,
    profile: &Profile,
    source: &SourceInfo,
) -> anyhow::Result<()> {
    let rung = &profile.rungs[0].name;
    native_hls::link_rendition(&job.hls_dir, &job.stream, rung)?;
    let (master, rung_dir) = (job.out_dir().join("index.m3u8"), job.out_dir().join(rung));
    let mut measured = BTreeMap::new();
    let mut written = profile.master_playlist(source, &measured);
    write_atomic(&master, &written)?;
    let window = profile.segment_seconds * profile.playlist_size;
    let poll_every = Duration::from_secs(u64::from(window / 2).clamp(1, 5));
    let stalled_after = Duration::from_secs(u64::from(profile.segment_seconds * 3).max(10));
    let (mut pace, mut previous, mut last_report) = (PlaylistPace::default(), None, Instant::now());
    loop {
        tokio::time::sleep(poll_every).await;
        pace.poll(&rung_dir);
        if last_report.elapsed() < NATIVE_REPORT_EVERY {
            continue;
        }
        last_report = Instant::now();
        let fps = source.fps.unwrap_or(0.0);
        let Some(sample) = pace.sample(std::time::SystemTime::now(), stalled_after, fps) else { continue };
        report(job, &sample, previous.as_ref(), fps).await;
        previous = Some(sample);
        if let Some(bw) = measure_playlist(&rung_dir) {
            measured.insert(rung.clone(), bw);
        }
        let text = profile.master_playlist(source, &measured);
        if text != written {
            write_atomic(&master, &text)?;
            written = text;
        }
    }
}
