//! Chunks that are not in the catalogue because Argus died (or missed a hook) while filing them.
//! A kill can leave a chunk in exactly these places, and the scan covers each:
//! - an FLV in the recording directory that nginx finished (hook lost, or ingest interrupted at
//!   any step — ingest keeps the FLV there until the row exists);
//! - an FLV inside the storage directory, moved there by versions that moved before remuxing;
//! - a `.mp4.part` in the storage directory, a remux interrupted half-way: garbage once stale, as
//!   its FLV is still queued and remuxes again from scratch.

use std::{
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use super::recordings::PART_SUFFIX;
use crate::state::AppState;

/// An FLV unchanged this long is finished (nginx writes a live chunk continuously).
pub const QUIET: Duration = Duration::from_secs(30);
/// A `.mp4.part` unchanged this long belongs to no running remux (the ingest timeout is 10 min).
pub const PART_STALE: Duration = Duration::from_secs(3600);

#[derive(Debug, Default, PartialEq)]
pub struct Unfiled {
    /// FLV chunks to ingest, oldest name first.
    pub chunks: Vec<PathBuf>,
    /// Abandoned partial MP4s to delete.
    pub stale_parts: Vec<PathBuf>,
}

fn idle_for(meta: &std::fs::Metadata, now: SystemTime) -> Duration {
    meta.modified().ok().and_then(|t| now.duration_since(t).ok()).unwrap_or_default()
}

/// Walks the recording directory (top level, where nginx writes) and the storage tree.
pub fn find(record_dir: &Path, storage_dir: &Path, now: SystemTime) -> Unfiled {
    let mut found = Unfiled::default();
    let flv = |p: &Path| p.extension().and_then(|e| e.to_str()) == Some("flv");
    for entry in std::fs::read_dir(record_dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if flv(&path) && entry.metadata().is_ok_and(|m| m.is_file() && idle_for(&m, now) > QUIET) {
            found.chunks.push(path);
        }
    }
    let mut dirs = vec![storage_dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                dirs.push(path);
            } else if flv(&path) && idle_for(&meta, now) > QUIET {
                found.chunks.push(path);
            } else if path.to_string_lossy().ends_with(PART_SUFFIX) && idle_for(&meta, now) > PART_STALE {
                found.stale_parts.push(path);
            }
        }
    }
    found.chunks.sort();
    found
}

/// Queues every unfiled chunk for ingest and deletes stale partial MP4s; returns how many chunks
/// were queued. Ingest is idempotent (a chunk already filed is only cleaned up), so a chunk
/// queued twice is still filed once.
pub async fn file_all(state: &AppState) -> usize {
    let media = &state.settings.media;
    let (record_dir, storage_dir) = (media.record_dir.clone(), media.storage_dir.clone());
    let found = tokio::task::spawn_blocking(move || find(&record_dir, &storage_dir, SystemTime::now()))
        .await
        .unwrap_or_default();
    for part in &found.stale_parts {
        tracing::info!(path = %part.display(), "removing an abandoned partial recording");
        let _ = tokio::fs::remove_file(part).await;
    }
    let mut queued = 0;
    for path in found.chunks {
        tracing::info!(path = %path.display(), "ingesting an unfiled recording");
        if state.ingest.send(path).await.is_err() {
            break;
        }
        queued += 1;
    }
    queued
}
