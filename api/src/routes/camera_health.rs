//! A camera's health history: its connection sessions and its availability.

use actix_web::{get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{require, Authorized},
    error::{AppResult, ErrorBody},
    services::{
        availability::{self, Availability, SessionQuery, SessionView},
        paging::{Page, Paging},
    },
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(sessions).service(camera_availability);
}

/// A camera's connection history (publish sessions), newest first; `from`/`to` keep the
/// sessions overlapping that range.
#[utoipa::path(tag = "cameras", params(SessionQuery, Paging), responses((status = 200, body = Page<SessionView>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/cameras/{id}/sessions")]
async fn sessions(
    auth: Authorized<require::CameraRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<SessionQuery>,
    paging: web::Query<Paging>,
) -> AppResult<web::Json<Page<SessionView>>> {
    let page =
        availability::sessions(&state, &auth.principal, &id, q.into_inner(), paging.into_inner()).await?;
    Ok(web::Json(page))
}

/// A camera's uptime and recording continuity over the last 24 hours and 7 days.
#[utoipa::path(tag = "cameras", responses((status = 200, body = Availability), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/cameras/{id}/availability")]
async fn camera_availability(
    auth: Authorized<require::CameraRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<Availability>> {
    Ok(web::Json(availability::availability(&state, &auth.principal, &id).await?))
}
