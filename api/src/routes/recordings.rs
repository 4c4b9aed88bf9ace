use actix_web::{delete, get, put, web, FromRequest, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::recording_bytes;
use crate::{
    auth::{require, Authorized},
    domain::AuditAction,
    error::{AppResult, ErrorBody},
    services::{
        paging::{Page, Paging},
        recording_links::{self, LinkKind, LinkQuery, RecordingLinks},
        recordings::{self, RecordingQuery, RecordingView},
        storage::reading::Readable,
        timeline::{self, Timeline, TimelineQuery},
    },
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(get_one)
        .service(links)
        .service(download)
        .service(stream)
        .service(remove)
        .service(hold)
        .service(release)
        .service(camera_timeline);
}

/// Recordings, newest first (filters: camera, date range, duration).
#[utoipa::path(tag = "recordings", params(RecordingQuery, Paging), responses((status = 200, body = Page<RecordingView>)), security(("bearer" = []), ("api_key" = [])))]
#[get("/recordings")]
async fn list(
    auth: Authorized<require::RecordingRead>,
    state: web::Data<AppState>,
    q: web::Query<RecordingQuery>,
    paging: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(recordings::list(&state, &auth.principal, q.into_inner(), paging.into_inner()).await?))
}

/// One recording.
#[utoipa::path(tag = "recordings", responses((status = 200, body = RecordingView), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/recordings/{id}")]
async fn get_one(
    auth: Authorized<require::RecordingRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<RecordingView>> {
    Ok(web::Json(recordings::find_visible(&state, &auth.principal, &id).await?.into()))
}

/// The file of the recording a request may open: through a signed link, or as an authorized
/// caller (`Authorization`, `X-API-Key` or `?access_token=`), whose access is audited.
async fn open_file(
    state: &AppState,
    req: &HttpRequest,
    id: &str,
    kind: LinkKind,
    link: &LinkQuery,
) -> actix_web::Result<Readable> {
    if link.is_signed() {
        let row = recording_links::open(state, id, kind, link).await?;
        return Ok(state.storage.open(&row.id).await?);
    }
    let auth = Authorized::<require::RecordingRead>::extract(req).await?;
    let row = recordings::find_visible(state, &auth.principal, id).await?;
    // A player issues many range requests: audit only the first.
    let first_request = req.headers().get("range").is_none_or(|v| v.to_str().ok() == Some("bytes=0-"));
    if kind == LinkKind::Download || first_request {
        let action = if kind == LinkKind::Download {
            AuditAction::RecordingDownloaded
        } else {
            AuditAction::RecordingPlayed
        };
        recordings::audit_access(state, &auth.principal, &auth.meta, &row, action).await?;
    }
    Ok(state.storage.open(&row.id).await?)
}

/// Signed, expiring stream and download URLs for players and plain links (audited).
#[utoipa::path(tag = "recordings", responses((status = 200, body = RecordingLinks), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/recordings/{id}/links")]
async fn links(
    auth: Authorized<require::RecordingRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<RecordingLinks>> {
    Ok(web::Json(recording_links::issue(&state, &auth.principal, &id, &auth.meta).await?))
}

/// Download the MP4: authorized, or through a signed link (`expires`, `sig`).
#[utoipa::path(tag = "recordings", params(LinkQuery), responses((status = 200, content_type = "video/mp4"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = []), ()))]
#[get("/recordings/{id}/download")]
async fn download(
    state: web::Data<AppState>,
    id: web::Path<String>,
    link: web::Query<LinkQuery>,
    req: HttpRequest,
) -> actix_web::Result<HttpResponse> {
    let readable = open_file(&state, &req, &id, LinkKind::Download, &link).await?;
    Ok(recording_bytes::respond(&req, readable, true).await?)
}

/// Play the MP4 in a browser (HTTP Range): authorized, or through a signed link.
#[utoipa::path(tag = "recordings", params(LinkQuery), responses((status = 200, content_type = "video/mp4"), (status = 206, description = "partial content"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = []), ()))]
#[get("/recordings/{id}/stream")]
async fn stream(
    state: web::Data<AppState>,
    id: web::Path<String>,
    link: web::Query<LinkQuery>,
    req: HttpRequest,
) -> actix_web::Result<HttpResponse> {
    let readable = open_file(&state, &req, &id, LinkKind::Stream, &link).await?;
    Ok(recording_bytes::respond(&req, readable, false).await?)
}

/// Delete a recording (file and row); 409 under legal hold.
#[utoipa::path(tag = "recordings", responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[delete("/recordings/{id}")]
async fn remove(
    auth: Authorized<require::RecordingDelete>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    recordings::delete(&state, &auth.principal, &id, &auth.meta).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Put a recording under legal hold: it never moves tier, never expires, cannot be deleted.
#[utoipa::path(tag = "recordings", responses((status = 200, body = RecordingView), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[put("/recordings/{id}/hold")]
async fn hold(
    auth: Authorized<require::RecordingHold>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<RecordingView>> {
    Ok(web::Json(recordings::set_hold(&state, &auth.principal, &id, true, &auth.meta).await?))
}

/// Lift a recording's own legal hold (a camera's hold stays until lifted on the camera).
#[utoipa::path(tag = "recordings", responses((status = 200, body = RecordingView), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[delete("/recordings/{id}/hold")]
async fn release(
    auth: Authorized<require::RecordingHold>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<RecordingView>> {
    Ok(web::Json(recordings::set_hold(&state, &auth.principal, &id, false, &auth.meta).await?))
}

/// A camera's footage over a range (at most 31 days): recorded intervals, chunks merged where
/// they touch, and the gaps between them with their cause.
#[utoipa::path(tag = "recordings", params(TimelineQuery), responses((status = 200, body = Timeline), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/cameras/{id}/timeline")]
async fn camera_timeline(
    auth: Authorized<require::RecordingRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<TimelineQuery>,
) -> AppResult<web::Json<Timeline>> {
    Ok(web::Json(timeline::timeline(&state, &auth.principal, &id, q.into_inner()).await?))
}
