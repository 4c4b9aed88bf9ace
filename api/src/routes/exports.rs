use actix_web::{delete, get, post, web, FromRequest, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::recording_bytes;
use crate::{
    auth::{require, Authorized, RequestMeta},
    error::{AppResult, ErrorBody},
    services::{
        exports::{self, CreateExport, ExportQuery, ExportView, Opener},
        paging::{Page, Paging},
        recording_links::LinkQuery,
        storage::reading::Readable,
    },
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create).service(list).service(get_one).service(remove).service(download);
}

/// Export a range of a camera's footage as one MP4 (in the background: poll the export or watch
/// `export.progress` on the WebSocket). 422 `no_footage` when no recording overlaps the range.
#[utoipa::path(tag = "exports", request_body = CreateExport, responses((status = 202, body = ExportView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[post("/cameras/{id}/exports")]
async fn create(
    auth: Authorized<require::RecordingRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<CreateExport>,
) -> AppResult<HttpResponse> {
    let view = exports::create(&state, &auth.principal, &id, body.into_inner(), &auth.meta).await?;
    Ok(HttpResponse::Accepted().json(view))
}

/// Exports of the cameras the caller can see, newest first.
#[utoipa::path(tag = "exports", params(ExportQuery, Paging), responses((status = 200, body = Page<ExportView>)), security(("bearer" = []), ("api_key" = [])))]
#[get("/exports")]
async fn list(
    auth: Authorized<require::RecordingRead>,
    state: web::Data<AppState>,
    q: web::Query<ExportQuery>,
    paging: web::Query<Paging>,
) -> AppResult<web::Json<Page<ExportView>>> {
    Ok(web::Json(exports::list(&state, &auth.principal, q.into_inner(), paging.into_inner()).await?))
}

/// One export.
#[utoipa::path(tag = "exports", responses((status = 200, body = ExportView), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/exports/{id}")]
async fn get_one(
    auth: Authorized<require::RecordingRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<ExportView>> {
    let row = exports::find_visible(&state, &auth.principal, &id).await?;
    Ok(web::Json(exports::view(&state, row)?))
}

/// Cancel a queued or running export, or remove a finished one with its file.
#[utoipa::path(tag = "exports", responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[delete("/exports/{id}")]
async fn remove(
    auth: Authorized<require::RecordingRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    exports::delete(&state, &auth.principal, &id, &auth.meta).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Download a finished export's MP4 (HTTP Range supported): through its signed link
/// (`expires`, `sig`), or as an authorized caller. Audited.
#[utoipa::path(tag = "exports", params(LinkQuery), responses((status = 200, content_type = "video/mp4"), (status = 206, description = "partial content"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = []), ()))]
#[get("/exports/{id}/download")]
async fn download(
    state: web::Data<AppState>,
    id: web::Path<String>,
    link: web::Query<LinkQuery>,
    req: HttpRequest,
) -> actix_web::Result<HttpResponse> {
    let meta = RequestMeta::from_request(&req);
    // A player or a resumed download issues many range requests: audit only the first.
    let first = req.headers().get("range").is_none_or(|v| v.to_str().ok() == Some("bytes=0-"));
    let path = if link.is_signed() {
        exports::open_download(&state, &id, Opener::Link(&link), &meta, first).await?
    } else {
        let auth = Authorized::<require::RecordingRead>::extract(&req).await?;
        exports::open_download(&state, &id, Opener::Caller(&auth.principal), &meta, first).await?
    };
    Ok(recording_bytes::respond(&req, Readable::File(path), true).await?)
}
