//! Clip exports: a range of one camera's footage cut into one faststart MP4 in the background
//! ([`worker`]), listed, downloaded through a signed link, cancelled or removed, and expired
//! after `ARGUS_EXPORT_TTL_DAYS`. Every creation, download, deletion and expiry is audited.

pub mod cut;
pub mod worker;

use std::path::PathBuf;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::{
    audit::{self, Actor, Change},
    cameras,
    paging::{Page, Paging},
    recording_links::{self, LinkKind, LinkQuery},
};
use crate::{
    auth::{Permission, Principal, RequestMeta},
    db::{
        self,
        audit::AuditRow,
        exports::{ExportFilter, ExportRow},
    },
    domain::{ActorType, AuditAction, ExportState},
    error::{AppError, AppResult, ErrorCode},
    realtime::hub::Event,
    state::AppState,
};

/// The WebSocket event of every state change and of progress (at most ~1/s while running).
pub const PROGRESS_EVENT: &str = "export.progress";

/// Longest note on an export.
pub const MAX_NOTE: usize = 500;

/// Who asked for an export, as the audit trail names actors.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct RequestedBy {
    #[serde(rename = "type")]
    pub kind: ActorType,
    pub id: Option<String>,
    pub name: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct ExportView {
    pub id: String,
    pub camera_id: String,
    pub requested_by: RequestedBy,
    pub note: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub state: ExportState,
    #[schema(minimum = 0, maximum = 100)]
    pub progress_percent: i32,
    /// Seconds left at the rate so far, while running.
    pub eta_secs: Option<i32>,
    pub size_bytes: Option<i64>,
    pub checksum_sha256: Option<String>,
    /// The clip's media duration.
    pub duration_ms: Option<i64>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Relative signed URL of the MP4 (valid for the playback TTL), once `done`.
    pub download_url: Option<String>,
}

/// The view of `row`; a finished export carries a freshly signed download link.
pub fn view(state: &AppState, row: ExportRow) -> AppResult<ExportView> {
    let download_url = match row.state {
        ExportState::Done => {
            let expires = Utc::now().timestamp() + state.settings.media.playback_ttl_secs;
            Some(recording_links::signed_path(
                &state.media.playback_secret,
                &row.id,
                LinkKind::ExportDownload,
                expires,
            )?)
        }
        _ => None,
    };
    let utc = |t: Option<NaiveDateTime>| t.map(|t| t.and_utc());
    Ok(ExportView {
        id: row.id,
        camera_id: row.camera_id,
        requested_by: RequestedBy {
            kind: row.requested_by_type,
            id: row.requested_by_id,
            name: row.requested_by_name,
        },
        note: row.note,
        from: row.range_from.and_utc(),
        to: row.range_to.and_utc(),
        state: row.state,
        progress_percent: row.progress_percent,
        eta_secs: row.eta_secs,
        size_bytes: row.size_bytes,
        checksum_sha256: row.checksum_sha256,
        duration_ms: row.duration_ms,
        error: row.error,
        created_at: row.created_at.and_utc(),
        started_at: utc(row.started_at),
        finished_at: utc(row.finished_at),
        expires_at: utc(row.expires_at),
        download_url,
    })
}

/// Pushes `export.progress` with the export's view to the clients that may see its camera.
pub async fn announce(state: &AppState, row: ExportRow) {
    let camera_id = row.camera_id.clone();
    match view(state, row) {
        Ok(v) => {
            let data = serde_json::json!({ "export": v });
            state.hub.publish(Event::new(PROGRESS_EVENT, Some(&camera_id), data)).await
        }
        Err(e) => tracing::error!(error = %e, "export event not sent"),
    }
}

#[derive(Deserialize, Debug, utoipa::ToSchema)]
pub struct CreateExport {
    /// Start of the clip (RFC 3339).
    pub from: DateTime<Utc>,
    /// End of the clip (RFC 3339), after `from`, at most `ARGUS_EXPORT_MAX_HOURS` later.
    pub to: DateTime<Utc>,
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

#[derive(Deserialize, Debug, Default, utoipa::IntoParams)]
pub struct ExportQuery {
    pub camera_id: Option<String>,
    pub state: Option<ExportState>,
}

fn check_range(from: DateTime<Utc>, to: DateTime<Utc>, max_hours: u32) -> AppResult<()> {
    let bad = |message: String| {
        AppError::bad_request(message.clone())
            .with_details(serde_json::json!({ "to": [{ "code": "range", "message": message }] }))
    };
    if to <= from {
        return Err(bad("`to` must be after `from`".into()));
    }
    if to - from > TimeDelta::hours(max_hours.into()) {
        return Err(bad(format!("an export may span at most {max_hours} hours")));
    }
    Ok(())
}

/// Queues an export of `[from, to)` of a camera the principal may see: 400 for a bad range, 404
/// for a camera out of scope, 422 `no_footage` when no recording overlaps the range.
pub async fn create(
    state: &AppState,
    principal: &Principal,
    camera_id: &str,
    body: CreateExport,
    meta: &RequestMeta,
) -> AppResult<ExportView> {
    check_range(body.from, body.to, state.settings.media.export_max_hours)?;
    if body.note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(AppError::field("note", "length", "must be at most 500 characters"));
    }
    let camera = cameras::find_visible(state, principal, camera_id).await?;
    let (from, to) = (body.from.naive_utc(), body.to.naive_utc());
    let cid = camera.id.clone();
    let footage = state.db.run(move |c| db::recordings::overlapping(c, &cid, from, to)).await?;
    if footage.is_empty() {
        let rfc = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        let message = format!("no recording of this camera overlaps {} – {}", rfc(body.from), rfc(body.to));
        return Err(AppError::new(ErrorCode::NoFootage, message)
            .with_details(serde_json::json!({ "gap": { "from": body.from, "to": body.to } })));
    }
    let actor = Actor::from(principal);
    let row = ExportRow {
        id: db::new_id(),
        camera_id: camera.id,
        requested_by_type: actor.kind,
        requested_by_id: actor.id.clone(),
        requested_by_name: actor.name.clone(),
        note: body.note.filter(|n| !n.trim().is_empty()),
        range_from: from,
        range_to: to,
        state: ExportState::Queued,
        node: None,
        progress_percent: 0,
        eta_secs: None,
        size_bytes: None,
        checksum_sha256: None,
        duration_ms: None,
        file_path: None,
        error: None,
        created_at: db::now(),
        started_at: None,
        finished_at: None,
        expires_at: None,
    };
    let change = Change::new(AuditAction::ExportCreated).on("export", &row.id).after(serde_json::json!({
        "camera_id": row.camera_id, "from": body.from, "to": body.to, "note": row.note,
    }));
    let entry = audit::entry(&actor, meta, change);
    let inserted = row.clone();
    state
        .db
        .transaction(move |c| {
            db::exports::insert(c, &inserted)?;
            audit::write(c, &entry)
        })
        .await?;
    announce(state, row.clone()).await;
    view(state, row)
}

pub async fn list(
    state: &AppState,
    principal: &Principal,
    q: ExportQuery,
    paging: Paging,
) -> AppResult<Page<ExportView>> {
    let page = paging.request();
    if q.camera_id.as_deref().is_some_and(|id| !principal.can_see_camera(id)) {
        return Ok(Page::new(vec![], 0, page));
    }
    let filter = ExportFilter {
        camera_id: q.camera_id,
        state: q.state,
        only_camera_ids: principal.camera_scope().map(|ids| ids.to_vec()),
    };
    let (rows, total) = state.db.run(move |c| db::exports::list(c, &filter, page)).await?;
    let items = rows.into_iter().map(|r| view(state, r)).collect::<AppResult<Vec<_>>>()?;
    Ok(Page::new(items, total, page))
}

/// An export of a camera the principal may see, or 404.
pub async fn find_visible(state: &AppState, principal: &Principal, id: &str) -> AppResult<ExportRow> {
    let eid = id.to_string();
    let row = state.db.run(move |c| db::exports::find(c, &eid)).await?;
    row.filter(|r| principal.can_see_camera(&r.camera_id))
        .ok_or_else(|| AppError::not_found("export not found"))
}

/// Cancels a queued or running export (the worker sees its row gone and stops FFmpeg) or removes
/// a finished one with its file. Someone else's export needs `recording.delete`.
pub async fn delete(state: &AppState, principal: &Principal, id: &str, meta: &RequestMeta) -> AppResult<()> {
    let row = find_visible(state, principal, id).await?;
    let own = row.requested_by_type == principal.actor_type()
        && row.requested_by_id.as_deref() == Some(principal.actor_id());
    if !own && !principal.has(Permission::RecordingDelete) {
        return Err(AppError::forbidden("deleting another's export needs recording.delete"));
    }
    let change = Change::new(AuditAction::ExportDeleted).on("export", id).before(view(state, row.clone())?);
    remove(state, &row, audit::entry(&principal.into(), meta, change)).await
}

/// Deletes the row with its audit entry, then the file (a crash between leaves only a file,
/// which the next removal of the export dir's leftovers can take).
async fn remove(state: &AppState, row: &ExportRow, entry: AuditRow) -> AppResult<()> {
    let eid = row.id.clone();
    let existed = state
        .db
        .transaction(move |c| {
            let existed = db::exports::delete(c, &eid)?;
            if existed {
                audit::write(c, &entry)?;
            }
            Ok(existed)
        })
        .await?;
    if !existed {
        return Err(AppError::not_found("export not found"));
    }
    if let Some(path) = &row.file_path {
        if let Err(e) = tokio::fs::remove_file(path).await {
            tracing::warn!(path, error = %e, "export deleted but its file was not");
        }
    }
    Ok(())
}

/// Who opens an export's file: a signed link, or an authorized caller.
pub enum Opener<'a> {
    Link(&'a LinkQuery),
    Caller(&'a Principal),
}

/// The file of a finished export, audited `export.downloaded` when `audited` (a player's
/// follow-up range requests are not). 403 for a bad link, 404 unknown, out of scope or not done.
pub async fn open_download(
    state: &AppState,
    id: &str,
    opener: Opener<'_>,
    meta: &RequestMeta,
    audited: bool,
) -> AppResult<PathBuf> {
    let (row, actor) = match opener {
        Opener::Link(q) => {
            recording_links::check(&state.media.playback_secret, id, LinkKind::ExportDownload, q)?;
            let eid = id.to_string();
            let row = state.db.run(move |c| db::exports::find(c, &eid)).await?;
            let actor = Actor { kind: ActorType::Anonymous, id: None, name: Some("signed link".into()) };
            (row.ok_or_else(|| AppError::not_found("export not found"))?, actor)
        }
        Opener::Caller(p) => (find_visible(state, p, id).await?, Actor::from(p)),
    };
    let path = match (&row.state, &row.file_path) {
        (ExportState::Done, Some(path)) => PathBuf::from(path),
        _ => return Err(AppError::not_found("export has no file (not done)")),
    };
    if audited {
        let change = Change::new(AuditAction::ExportDownloaded)
            .on("export", &row.id)
            .after(serde_json::json!({ "camera_id": row.camera_id }));
        audit::record(state, &actor, meta, change).await?;
    }
    Ok(path)
}

/// Rows removed per expiry pass (the next hourly pass takes the rest).
const EXPIRY_BATCH: i64 = 500;

/// Deletes exports past their `expires_at` (row and audit entry, then file); returns how many.
pub async fn expire(state: &AppState, now: NaiveDateTime) -> AppResult<u64> {
    let rows = state.db.run(move |c| db::exports::expired(c, now, EXPIRY_BATCH)).await?;
    let mut removed = 0;
    for row in rows {
        let change =
            Change::new(AuditAction::ExportExpired).on("export", &row.id).before(view(state, row.clone())?);
        let entry = audit::entry(&Actor::system(), &RequestMeta::default(), change);
        match remove(state, &row, entry).await {
            Ok(()) => removed += 1,
            // Deleted meanwhile by someone else.
            Err(e) if e.code == ErrorCode::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}
