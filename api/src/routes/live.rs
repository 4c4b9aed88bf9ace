use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::streaming::{HookAuth, HookGuard};
use crate::{
    auth::{require, Authorized, Principal},
    dataplane::profiles::Profile,
    error::{AppResult, ErrorBody},
    services::{
        live::{self, QualityReport},
        playback::{self as live_playback, Playback},
    },
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(profiles).service(playback).service(transcode_config).service(quality);
}

/// Transcoding profiles a camera can use.
#[utoipa::path(tag = "live", responses((status = 200, body = Vec<Profile>)), security(("bearer" = []), ("api_key" = [])))]
#[get("/profiles")]
async fn profiles(
    _auth: Authorized<require::CameraRead>,
    state: web::Data<AppState>,
) -> web::Json<Vec<Profile>> {
    web::Json(state.profiles.values().cloned().collect())
}

/// Signed, expiring HLS URLs for a camera (master playlist and each rendition). Audited.
#[utoipa::path(tag = "live", responses((status = 200, body = Playback), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/cameras/{id}/playback")]
async fn playback(
    auth: Authorized<require::CameraWatch>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<Playback>> {
    let principal: &Principal = &auth;
    Ok(web::Json(live_playback::playback(&state, principal, &id, &auth.meta).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StreamParam {
    pub stream: String,
}

/// For `argus transcode`: the profile of the camera behind a stream name (hook secret).
#[utoipa::path(tag = "streaming", params(HookAuth, StreamParam), responses((status = 200, body = Profile), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/streaming/transcode-config")]
async fn transcode_config(
    state: web::Data<AppState>,
    _hook: HookGuard,
    s: web::Query<StreamParam>,
) -> AppResult<web::Json<Profile>> {
    Ok(web::Json(live::transcode_config(&state, &s.stream).await?))
}

/// For `argus transcode`: FFmpeg progress of a live camera (hook secret).
#[utoipa::path(tag = "streaming", params(HookAuth), request_body = QualityReport, responses((status = 204), (status = 403, body = ErrorBody)))]
#[post("/streaming/quality")]
async fn quality(
    state: web::Data<AppState>,
    _hook: HookGuard,
    body: web::Json<QualityReport>,
) -> AppResult<HttpResponse> {
    live::record_quality(&state, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
