//! Recordings: filing nginx's finished FLV chunks (probe, remux to faststart MP4, checksum, row)
//! in a background worker, and the catalogue API over them.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::{
    alerts,
    audit::{self, Change},
    cameras::CACHE_NS,
    paging::{Page, Paging},
    recorded_playback,
};
use crate::{
    auth::{Principal, RequestMeta},
    dataplane::{flv, probe, remux},
    db::{
        self,
        recordings::{RecordingFilter, RecordingRow},
    },
    domain::{AuditAction, StorageTier},
    error::{AppError, AppResult},
    realtime::hub::Event,
    state::AppState,
};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct RecordingView {
    pub id: String,
    pub camera_id: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub duration_ms: i64,
    pub size_bytes: i64,
    pub tier: StorageTier,
    pub checksum_sha256: String,
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub bitrate_kbps: Option<i32>,
    pub created_at: DateTime<Utc>,
    /// Under legal hold (its own; a camera's hold is on the camera).
    pub legal_hold: bool,
}

impl From<RecordingRow> for RecordingView {
    fn from(r: RecordingRow) -> Self {
        RecordingView {
            id: r.id,
            camera_id: r.camera_id,
            started_at: r.started_at.and_utc(),
            ended_at: r.ended_at.and_utc(),
            duration_ms: r.duration_ms,
            size_bytes: r.size_bytes,
            tier: r.tier,
            checksum_sha256: r.checksum_sha256,
            video_codec: r.video_codec,
            audio_codec: r.audio_codec,
            width: r.width,
            height: r.height,
            bitrate_kbps: r.bitrate_kbps,
            created_at: r.created_at.and_utc(),
            legal_hold: r.legal_hold,
        }
    }
}

/// The path nginx reported must be a regular `.flv` file inside the recording directory once
/// symlinks are resolved — a hook can never make Argus move or delete anything else.
pub fn validate_record_path(record_dir: &Path, reported: &str) -> AppResult<PathBuf> {
    let bad = |why: &str| AppError::bad_request(format!("record path refused: {why}"));
    let root = record_dir.canonicalize().map_err(|_| bad("recording directory missing"))?;
    let path = Path::new(reported).canonicalize().map_err(|_| bad("no such file"))?;
    if !path.starts_with(&root) {
        return Err(bad("outside the recording directory"));
    }
    if path.extension().and_then(|e| e.to_str()) != Some("flv") || !path.is_file() {
        return Err(bad("not an FLV file"));
    }
    Ok(path)
}

/// Validates and queues a chunk; the hook answers without waiting for the work.
pub async fn enqueue(state: &AppState, reported: &str) -> AppResult<()> {
    let path = validate_record_path(&state.settings.media.record_dir, reported)?;
    state.ingest.send(path).await.map_err(|_| AppError::unavailable("recording worker stopped"))
}

pub fn spawn_ingest_worker(state: AppState, mut rx: mpsc::Receiver<PathBuf>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(path) = rx.recv().await {
            match ingest(&state, &path).await {
                Ok(Some(rec)) => {
                    tracing::info!(recording = %rec.id, camera = %rec.camera_id, "recording filed");
                    alerts::sources::recording_filed(&state, &rec.camera_id).await;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(path = %path.display(), error = %e, "recording not filed");
                    if let Some(name) = probe::parse_record_path(&path) {
                        let what = format!("a recording chunk could not be filed: {e}");
                        alerts::sources::recording_failed(&state, &name.camera_id, &what).await;
                    }
                }
            }
        }
    })
}

fn tool_failed(e: remux::ToolError) -> AppError {
    AppError::internal(e.to_string())
}

pub(crate) async fn sha256_file(path: PathBuf) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        use sha2::{Digest, Sha256};
        let mut file = std::fs::File::open(&path)?;
        let mut hasher = Sha256::new();
        std::io::copy(&mut file, &mut hasher)?;
        Ok::<_, std::io::Error>(hex::encode(hasher.finalize()))
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?
    .map_err(|e| AppError::internal(format!("checksum: {e}")))
}

/// Suffix of an MP4 still being written: renamed to `.mp4` only once complete and synced.
pub const PART_SUFFIX: &str = "mp4.part";

/// Where the chunk of `camera_id` started at `started` is filed.
fn filed_path(storage_dir: &Path, camera_id: &str, epoch: i64, started: DateTime<Utc>) -> PathBuf {
    storage_dir
        .join(camera_id)
        .join(format!("{:04}/{:02}/{:02}", started.year(), started.month(), started.day()))
        .join(format!("{camera_id}-{epoch}.mp4"))
}

/// Flushes `path` (a file, or a directory after a rename in it) to disk.
async fn sync_path(path: PathBuf) -> AppResult<()> {
    tokio::task::spawn_blocking(move || std::fs::File::open(&path).and_then(|f| f.sync_all()))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
        .map_err(|e| AppError::internal(format!("sync: {e}")))
}

/// Whether the chunk at `source` is already in the catalogue: a row made from it, or — for an
/// FLV an older version moved into the storage directory before remuxing — a row of its MP4.
async fn already_filed(state: &AppState, source: &Path, mp4: &Path) -> AppResult<bool> {
    let s = source.to_string_lossy().to_string();
    if state.db.run(move |c| db::recordings::find_by_source(c, &s)).await?.is_some() {
        return Ok(true);
    }
    let storage = &state.settings.media.storage_dir;
    let storage = tokio::fs::canonicalize(storage).await.unwrap_or_else(|_| storage.clone());
    if !source.starts_with(storage) {
        return Ok(false);
    }
    let f = mp4.to_string_lossy().to_string();
    Ok(state.db.run(move |c| db::recordings::find_by_file_path(c, &f)).await?.is_some())
}

/// Files one chunk. `Ok(None)`: nothing to do (already filed, or an empty chunk: of a refused
/// publisher, or of one that stopped before the chunk's first frame). Every step leaves the
/// source FLV in place until the row exists, so a kill at any point leaves something the
/// unfiled-chunk scan (`services::unfiled`) finishes: the MP4 is written under a `.mp4.part`
/// name, synced, renamed, then the row inserted, then the FLV removed.
pub async fn ingest(state: &AppState, path: &Path) -> AppResult<Option<RecordingView>> {
    let path = tokio::fs::canonicalize(path).await.unwrap_or_else(|_| path.to_path_buf());
    let source = path.to_string_lossy().to_string();
    let probe::ChunkName { camera_id, epoch, .. } = probe::parse_record_path(&path)
        .ok_or_else(|| AppError::bad_request("not an nginx recording name"))?;
    let started =
        DateTime::<Utc>::from_timestamp(epoch, 0).ok_or_else(|| AppError::bad_request("bad epoch"))?;
    let mp4 = filed_path(&state.settings.media.storage_dir, &camera_id, epoch, started);
    if already_filed(state, &path, &mp4).await? {
        tracing::info!(path = %path.display(), "chunk already filed; removing the leftover FLV");
        let _ = tokio::fs::remove_file(&path).await;
        return Ok(None);
    }
    let metadata = tokio::fs::metadata(&path).await.ok();
    let size = metadata.as_ref().map(|m| m.len()).unwrap_or(0);
    let last_write = metadata.and_then(|m| m.modified().ok()).map(DateTime::<Utc>::from);
    let readable = path.clone();
    let has_frames = tokio::task::spawn_blocking(move || flv::has_frames(&readable)).await.unwrap_or(true);
    if size == 0 || !has_frames {
        tracing::info!(path = %path.display(), size, "removing empty chunk (no frames)");
        let _ = tokio::fs::remove_file(&path).await;
        return Ok(None);
    }
    let day_dir = mp4.parent().map(Path::to_path_buf).unwrap_or_default();
    tokio::fs::create_dir_all(&day_dir)
        .await
        .map_err(|e| AppError::internal(format!("cannot create {}: {e}", day_dir.display())))?;
    let part = mp4.with_extension(PART_SUFFIX);
    remux::remux(&source, &part).await.map_err(tool_failed)?;
    sync_path(part.clone()).await?;
    let info = remux::probe_file(&part).await.map_err(tool_failed)?;
    let segment_index = recorded_playback::segments::index_file(&part).await;
    let checksum = sha256_file(part.clone()).await?;
    let size_bytes = tokio::fs::metadata(&part).await.map(|m| m.len() as i64).unwrap_or(0);
    tokio::fs::rename(&part, &mp4)
        .await
        .map_err(|e| AppError::internal(format!("cannot rename {}: {e}", part.display())))?;
    sync_path(day_dir).await?;
    let duration_ms = (info.duration_s * 1000.0).round() as i64;
    let started = probe::chunk_start(started, last_write, duration_ms);
    let row = RecordingRow {
        id: db::new_id(),
        camera_id: camera_id.clone(),
        started_at: started.naive_utc(),
        ended_at: (started + chrono::Duration::milliseconds(duration_ms)).naive_utc(),
        duration_ms,
        size_bytes,
        file_path: mp4.to_string_lossy().to_string(),
        source_path: source,
        tier: StorageTier::Hot,
        checksum_sha256: checksum,
        video_codec: info.video_codec,
        audio_codec: info.audio_codec,
        width: info.width.map(|w| w as i32),
        height: info.height.map(|h| h as i32),
        bitrate_kbps: info.bitrate_kbps.map(|b| b as i32),
        created_at: db::now(),
        legal_hold: false,
    };
    let inserted = row.clone();
    state
        .db
        .transaction(move |c| {
            db::recordings::insert(c, &inserted)?;
            match &segment_index {
                Some(index) => db::recordings::set_segment_index(c, &inserted.id, index),
                None => Ok(()),
            }
        })
        .await?;
    let _ = tokio::fs::remove_file(&path).await;
    let view = RecordingView::from(row);
    state.cache.bump(CACHE_NS).await;
    state
        .hub
        .publish(Event::new("recording.created", Some(&camera_id), serde_json::json!({ "recording": view })))
        .await;
    Ok(Some(view))
}

#[derive(Deserialize, Debug, Default, utoipa::IntoParams)]
pub struct RecordingQuery {
    pub camera_id: Option<String>,
    /// Recordings that end after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Recordings that start before this instant.
    pub to: Option<DateTime<Utc>>,
    #[param(minimum = 0, maximum = 31_536_000)]
    pub min_duration_s: Option<i64>,
    #[param(minimum = 0, maximum = 31_536_000)]
    pub max_duration_s: Option<i64>,
}

/// A year: longer than any recording chunk, and far from overflowing in milliseconds.
const MAX_DURATION_FILTER_S: i64 = 31_536_000;

fn duration_filter_ms(field: &'static str, seconds: Option<i64>) -> AppResult<Option<i64>> {
    match seconds {
        Some(s) if !(0..=MAX_DURATION_FILTER_S).contains(&s) => {
            Err(AppError::field(field, "range", "must be between 0 and 31536000 seconds"))
        }
        other => Ok(other.map(|s| s * 1000)),
    }
}

pub async fn list(
    state: &AppState,
    principal: &Principal,
    q: RecordingQuery,
    paging: Paging,
) -> AppResult<Page<RecordingView>> {
    let page = paging.request();
    if let Some(id) = &q.camera_id {
        if !principal.can_see_camera(id) {
            return Ok(Page::new(vec![], 0, page));
        }
    }
    let filter = RecordingFilter {
        camera_id: q.camera_id,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
        min_duration_ms: duration_filter_ms("min_duration_s", q.min_duration_s)?,
        max_duration_ms: duration_filter_ms("max_duration_s", q.max_duration_s)?,
        only_camera_ids: principal.camera_scope().map(|ids| ids.to_vec()),
    };
    let (rows, total) = state.db.run(move |c| db::recordings::list(c, &filter, page)).await?;
    Ok(Page::new(rows, total, page).map(RecordingView::from))
}

/// A recording the principal may see (its camera in scope), or 404.
pub async fn find_visible(state: &AppState, principal: &Principal, id: &str) -> AppResult<RecordingRow> {
    let rid = id.to_string();
    let row = state.db.run(move |c| db::recordings::find(c, &rid)).await?;
    row.filter(|r| principal.can_see_camera(&r.camera_id))
        .ok_or_else(|| AppError::not_found("recording not found"))
}

/// The tombstone reason of a recording a user deleted.
const USER_DELETION: &str = "user";

/// Deletes the row first, then the file: a kill or a failure in between leaves a file without a
/// row (garbage on disk), never a catalogued recording whose file is gone. Footage under legal
/// hold (its own or its camera's) is refused with 409.
pub async fn delete(state: &AppState, principal: &Principal, id: &str, meta: &RequestMeta) -> AppResult<()> {
    let row = find_visible(state, principal, id).await?;
    let queued = match state.storage.placement(id).await? {
        Some(p) => state.storage.deletions(&p)?,
        None => Vec::new(),
    };
    let (rid, rows) = (id.to_string(), queued.clone());
    let entry = audit::entry(
        &principal.into(),
        meta,
        Change::new(AuditAction::RecordingDeleted)
            .on("recording", id)
            .before(RecordingView::from(row.clone())),
    );
    state
        .db
        .transaction(move |c| {
            if db::recordings::delete_unheld(c, &rid, USER_DELETION)? == 0 {
                return Err(match db::recordings::find(c, &rid)? {
                    Some(_) => {
                        AppError::conflict("the recording is under legal hold (its own or its camera's)")
                    }
                    None => AppError::not_found("recording not found"),
                });
            }
            audit::write(c, &entry)?;
            // Deleted after the commit; a crash before leaves them to the next storage run.
            db::object_deletions::insert(c, &rows)
        })
        .await?;
    if let Err(e) = state.storage.delete_queued(queued).await {
        tracing::error!(path = %row.file_path, error = %e, "recording deleted but its file was not (the next storage run retries)")
    }
    state.cache.bump(CACHE_NS).await;
    Ok(())
}

/// Sets (`hold`) or lifts the recording's own legal hold, audited `recording.hold_set` /
/// `recording.hold_lifted`.
pub async fn set_hold(
    state: &AppState,
    principal: &Principal,
    id: &str,
    hold: bool,
    meta: &RequestMeta,
) -> AppResult<RecordingView> {
    let row = find_visible(state, principal, id).await?;
    let action = if hold { AuditAction::RecordingHoldSet } else { AuditAction::RecordingHoldLifted };
    let change = Change::new(action)
        .on("recording", id)
        .before(serde_json::json!({ "legal_hold": row.legal_hold, "camera_id": row.camera_id }))
        .after(serde_json::json!({ "legal_hold": hold, "camera_id": row.camera_id }));
    let entry = audit::entry(&principal.into(), meta, change);
    let rid = id.to_string();
    let found = state
        .db
        .transaction(move |c| {
            let found = db::recordings::set_hold(c, &rid, hold)?;
            if found {
                audit::write(c, &entry)?;
            }
            Ok(found)
        })
        .await?;
    if !found {
        return Err(AppError::not_found("recording not found"));
    }
    state.cache.bump(CACHE_NS).await;
    Ok(RecordingView { legal_hold: hold, ..row.into() })
}

/// Audits that someone opened a recording (download or play).
pub async fn audit_access(
    state: &AppState,
    principal: &Principal,
    meta: &RequestMeta,
    row: &RecordingRow,
    action: AuditAction,
) -> AppResult<()> {
    audit::record(
        state,
        &principal.into(),
        meta,
        Change::new(action).on("recording", &row.id).after(serde_json::json!({ "camera_id": row.camera_id })),
    )
    .await
}
