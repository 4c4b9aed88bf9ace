//! Live video for users: transcoding profiles and signed playback URLs (the transcoder's own
//! routes are hooks, in `hooks.rs`).

use actix_web::{get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{require, Authorized, Principal},
    dataplane::profiles::Profile,
    error::{AppResult, ErrorBody},
    services::playback::{self as live_playback, Playback},
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(profiles).service(playback);
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
