//! Recorded playback: a signed HLS VOD playlist of a camera's footage over a range, and its
//! segments (signed links: players send no headers).

use actix_web::{get, http::header, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{require, Authorized},
    error::{AppResult, ErrorBody},
    services::recorded_playback::{self, RangeQuery, RecordedPlayback, SignedRangeQuery},
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(issue).service(playlist).service(segment);
}

/// A signed, expiring HLS VOD playlist of the camera's footage over a range (at most 24 h),
/// across chunk boundaries, with a discontinuity at each gap. Audited.
#[utoipa::path(tag = "recordings", params(("id" = String, Path), RangeQuery), responses((status = 200, body = RecordedPlayback), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "`no_footage`: nothing recorded in the range")), security(("bearer" = []), ("api_key" = [])))]
#[get("/cameras/{id}/playback/recorded")]
async fn issue(
    auth: Authorized<require::RecordingRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<RangeQuery>,
) -> AppResult<web::Json<RecordedPlayback>> {
    Ok(web::Json(recorded_playback::issue(&state, &auth.principal, &id, q.into_inner(), &auth.meta).await?))
}

/// The playlist (signed link from `GET /cameras/{id}/playback/recorded`).
#[utoipa::path(tag = "recordings", params(("camera_id" = String, Path), SignedRangeQuery), responses((status = 200, content_type = "application/vnd.apple.mpegurl", body = String), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(()))]
#[get("/playback/recorded/{camera_id}/index.m3u8")]
async fn playlist(
    state: web::Data<AppState>,
    camera_id: web::Path<String>,
    q: web::Query<SignedRangeQuery>,
) -> AppResult<HttpResponse> {
    let text = recorded_playback::playlist(&state, &camera_id, &q).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.apple.mpegurl")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(text))
}

/// One segment of the playlist as MPEG-TS, cut from the recording as it streams.
#[utoipa::path(tag = "recordings", params(("camera_id" = String, Path), ("recording_id" = String, Path), ("n" = u32, Path, description = "segment number within the recording"), SignedRangeQuery), responses((status = 200, content_type = "video/mp2t"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(()))]
#[get("/playback/recorded/{camera_id}/{recording_id}/{n}.ts")]
async fn segment(
    state: web::Data<AppState>,
    path: web::Path<(String, String, u32)>,
    q: web::Query<SignedRangeQuery>,
) -> AppResult<HttpResponse> {
    let (camera_id, recording_id, n) = path.into_inner();
    let body = recorded_playback::segment(&state, &camera_id, &recording_id, n as usize, &q).await?;
    Ok(HttpResponse::Ok().content_type("video/mp2t").streaming(body))
}
