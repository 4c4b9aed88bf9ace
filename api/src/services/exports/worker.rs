//! The export worker: one per node, one export at a time. It claims the oldest queued export
//! from the database (so any node may take it, and a restart resumes: exports this node left
//! `running` are put back in the queue when it starts), gathers the chunks as local files
//! (objects in a bucket are downloaded first), and cuts them with FFmpeg's concat demuxer.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use futures_util::TryStreamExt;
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    process::Command,
};

use super::{
    announce,
    cut::{self, Chunk},
};
use crate::{
    dataplane::{progress::ProgressParser, remux},
    db::{self, exports::ExportRow, exports::Finished},
    error::{AppError, AppResult},
    services::{recordings::sha256_file, storage::reading::Readable},
    state::AppState,
};

/// How often an idle worker looks for queued exports.
const POLL: Duration = Duration::from_secs(1);
/// How much shorter than the footage a clip may come out (timestamp rounding at the joins).
const SHORT_TOLERANCE_SECS: f64 = 1.0;
/// Progress is written (and pushed) at most this often.
const PERSIST_EVERY: Duration = Duration::from_secs(1);

/// Why a cut ended without a clip.
enum Stop {
    /// The export was deleted while it ran.
    Cancelled,
    Failed(String),
}

impl From<AppError> for Stop {
    fn from(e: AppError) -> Stop {
        Stop::Failed(e.message)
    }
}

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let node = state.settings.media.node_id.clone();
        match state.db.run(move |c| db::exports::requeue_running(c, &node)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(exports = n, "re-queued exports interrupted by a restart"),
            Err(e) => tracing::error!(error = %e, "cannot re-queue interrupted exports"),
        }
        loop {
            match claim_next(&state).await {
                Ok(Some(row)) => run(&state, row).await,
                Ok(None) => tokio::time::sleep(POLL).await,
                Err(e) => {
                    tracing::error!(error = %e, "export queue unreadable");
                    tokio::time::sleep(POLL).await
                }
            }
        }
    })
}

/// The oldest queued export, claimed for this node; `None` when the queue is empty.
pub async fn claim_next(state: &AppState) -> AppResult<Option<ExportRow>> {
    let node = state.settings.media.node_id.clone();
    state
        .db
        .transaction(move |c| {
            let Some(id) = db::exports::oldest_queued(c)? else { return Ok(None) };
            if !db::exports::claim(c, &id, &node, db::now())? {
                return Ok(None);
            }
            db::exports::find(c, &id)
        })
        .await
}

/// Cuts one claimed export and records how it ended.
pub async fn run(state: &AppState, row: ExportRow) {
    announce(state, row.clone()).await;
    let dir = state.settings.media.export_dir.clone();
    let work = dir.join(".work").join(&row.id);
    let part = dir.join(format!("{}.mp4.part", row.id));
    let result = cut(state, &row, &work, &part).await;
    let _ = tokio::fs::remove_dir_all(&work).await;
    let id = row.id.clone();
    let ended = match result {
        Ok(done) => {
            let (eid, d) = (id.clone(), done.clone());
            match state.db.run(move |c| db::exports::finish(c, &eid, &d)).await {
                Ok(true) => true,
                Ok(false) => {
                    // Deleted as it finished.
                    let _ = tokio::fs::remove_file(&done.file_path).await;
                    false
                }
                Err(e) => {
                    tracing::error!(export = %id, error = %e, "export cut but not recorded");
                    false
                }
            }
        }
        Err(Stop::Cancelled) => {
            let _ = tokio::fs::remove_file(&part).await;
            tracing::info!(export = %id, "export cancelled");
            false
        }
        Err(Stop::Failed(why)) => {
            let _ = tokio::fs::remove_file(&part).await;
            tracing::warn!(export = %id, error = %why, "export failed");
            let now = db::now();
            let expires = now + ttl(state);
            let eid = id.clone();
            state.db.run(move |c| db::exports::fail(c, &eid, &why, now, expires)).await.unwrap_or(false)
        }
    };
    if ended {
        let eid = id.clone();
        if let Ok(Some(row)) = state.db.run(move |c| db::exports::find(c, &eid)).await {
            announce(state, row).await;
        }
    }
}

fn ttl(state: &AppState) -> chrono::TimeDelta {
    chrono::TimeDelta::days(state.settings.media.export_ttl_days.into())
}

async fn cut(state: &AppState, row: &ExportRow, work: &Path, part: &Path) -> Result<Finished, Stop> {
    let mkdir = |d: PathBuf| async move {
        tokio::fs::create_dir_all(&d)
            .await
            .map_err(|e| Stop::Failed(format!("cannot create {}: {e}", d.display())))
    };
    mkdir(work.to_path_buf()).await?;
    let (cid, from, to) = (row.camera_id.clone(), row.range_from, row.range_to);
    let recordings = state.db.run(move |c| db::recordings::overlapping(c, &cid, from, to)).await?;
    if recordings.is_empty() {
        return Err(Stop::Failed(
            "no footage is left in the range (deleted since the export was asked for)".into(),
        ));
    }
    let mut chunks = Vec::with_capacity(recordings.len());
    for (rec, _) in recordings {
        let path = match state.storage.open(&rec.id).await? {
            Readable::File(p) => p,
            Readable::Object { store, key, size, .. } => {
                let local = work.join(format!("{}.mp4", rec.id));
                let mut body = store.get_range(&key, 0..size).await?;
                let mut file = tokio::fs::File::create(&local).await.map_err(io_failed)?;
                while let Some(bytes) = body.try_next().await? {
                    file.write_all(&bytes).await.map_err(io_failed)?;
                }
                file.flush().await.map_err(io_failed)?;
                local
            }
        };
        // FFmpeg's concat demuxer skips an input it cannot open and still exits 0.
        if let Err(e) = tokio::fs::metadata(&path).await {
            return Err(Stop::Failed(format!("recording {} unreadable at {}: {e}", rec.id, path.display())));
        }
        let path = same_layout(work, &rec.id, path).await?;
        chunks.push(Chunk {
            path: path.to_string_lossy().into_owned(),
            started_at: rec.started_at,
            ended_at: rec.ended_at,
        });
    }
    let pieces = cut::pieces(&chunks, from, to);
    let expected = cut::expected_secs(&pieces);
    let list = work.join("list.ffconcat");
    tokio::fs::write(&list, cut::concat_list(&pieces)).await.map_err(io_failed)?;
    let realtime = state.settings.failpoints.armed("export.realtime");
    let args = cut::ffmpeg_args(&list.to_string_lossy(), &part.to_string_lossy(), realtime);
    let stderr = ffmpeg(state, &row.id, &args, expected).await?;
    let file = part.with_extension("");
    tokio::fs::rename(part, &file).await.map_err(io_failed)?;
    let size_bytes = tokio::fs::metadata(&file).await.map_err(io_failed)?.len() as i64;
    let checksum_sha256 = sha256_file(file.clone()).await?;
    let info = remux::probe_file(&file).await.map_err(|e| Stop::Failed(e.to_string()))?;
    // Stream copy starts up to a GOP early, never later: a shorter clip lost footage on the way.
    if info.duration_s < expected - SHORT_TOLERANCE_SECS {
        let _ = tokio::fs::remove_file(&file).await;
        return Err(Stop::Failed(format!(
            "the clip holds {:.1} s of the {expected:.1} s of footage: {}",
            info.duration_s,
            stderr.trim()
        )));
    }
    let finished_at = db::now();
    Ok(Finished {
        size_bytes,
        checksum_sha256,
        duration_ms: (info.duration_s * 1000.0).round() as i64,
        file_path: file.to_string_lossy().into_owned(),
        finished_at,
        expires_at: finished_at + ttl(state),
    })
}

/// The concat demuxer maps every file's streams by index onto the first file's: a chunk filed
/// with audio before video (it keeps nginx's FLV order, which varies) is copied, video first,
/// into the work directory (stream copy) so its audio never reaches the video decoder.
async fn same_layout(work: &Path, recording_id: &str, path: PathBuf) -> Result<PathBuf, Stop> {
    let tool = |e: remux::ToolError| Stop::Failed(format!("recording {recording_id}: {e}"));
    if remux::video_first(&path).await.map_err(tool)? {
        return Ok(path);
    }
    let ordered = work.join(format!("{recording_id}.ordered.mp4"));
    remux::video_first_copy(&path.to_string_lossy(), &ordered).await.map_err(tool)?;
    Ok(ordered)
}

fn io_failed(e: std::io::Error) -> Stop {
    Stop::Failed(format!("export file: {e}"))
}

/// Runs FFmpeg, writing its progress at most once a second; a progress write that finds the
/// export no longer running (deleted) kills FFmpeg.
/// Returns what FFmpeg wrote on stderr (errors it survived).
async fn ffmpeg(state: &AppState, id: &str, args: &[String], expected: f64) -> Result<String, Stop> {
    let mut child = Command::new("ffmpeg")
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| Stop::Failed(format!("cannot run ffmpeg: {e}")))?;
    let mut stderr = child.stderr.take();
    // Read alongside stdout so a chatty FFmpeg never blocks on a full pipe.
    let errors = tokio::spawn(async move {
        let mut text = String::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_string(&mut text).await;
        }
        text
    });
    let started = Instant::now();
    let mut last = Instant::now();
    let mut parser = ProgressParser::default();
    if let Some(stdout) = child.stdout.take() {
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let Some(sample) = parser.feed(&line) else { continue };
            if sample.ended || last.elapsed() < PERSIST_EVERY {
                continue;
            }
            last = Instant::now();
            let percent = cut::percent(sample.out_time_us, expected);
            let eta = cut::eta_secs(started.elapsed(), sample.out_time_us, expected);
            let eid = id.to_string();
            if !state.db.run(move |c| db::exports::progress(c, &eid, percent, eta)).await? {
                let _ = child.kill().await;
                return Err(Stop::Cancelled);
            }
            let eid = id.to_string();
            if let Ok(Some(row)) = state.db.run(move |c| db::exports::find(c, &eid)).await {
                announce(state, row).await;
            }
        }
    }
    let status = child.wait().await.map_err(|e| Stop::Failed(format!("ffmpeg: {e}")))?;
    let stderr = errors.await.unwrap_or_default();
    if !status.success() {
        let tail: String =
            stderr.trim().chars().rev().take(500).collect::<Vec<_>>().into_iter().rev().collect();
        return Err(Stop::Failed(format!("ffmpeg failed ({status}): {tail}")));
    }
    Ok(stderr)
}
