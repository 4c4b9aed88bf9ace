//! The storage lifecycle: its dry run, and what the tiers hold.

use actix_web::{get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{require, Authorized},
    db,
    error::{AppResult, ErrorBody},
    services::{
        paging::{Page, Paging},
        storage::{plan::PlannedAction, usage::StorageUsage},
    },
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(plan).service(usage);
}

/// What the next storage run would move or delete and why, in the order it would, without
/// doing it (the run's own selection; paged, with the total).
#[utoipa::path(tag = "storage", params(Paging), responses((status = 200, body = Page<PlannedAction>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/storage/plan")]
async fn plan(
    auth: Authorized<require::RecordingDelete>,
    state: web::Data<AppState>,
    paging: web::Query<Paging>,
) -> AppResult<web::Json<Page<PlannedAction>>> {
    Ok(web::Json(state.storage.plan(db::now(), &auth.principal, paging.request()).await?))
}

/// What each tier holds (recordings, bytes, its disk's size and free space when local), what
/// each camera holds per tier and how many bytes a day it records (paged, most bytes first),
/// and how many days HOT's free space lasts at that rate. Tier figures cover all cameras; the
/// per-camera list and the rates only the caller's.
#[utoipa::path(tag = "storage", params(Paging), responses((status = 200, body = StorageUsage), (status = 403, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/storage")]
async fn usage(
    auth: Authorized<require::RecordingDelete>,
    state: web::Data<AppState>,
    paging: web::Query<Paging>,
) -> AppResult<web::Json<StorageUsage>> {
    Ok(web::Json(state.storage.usage(db::now(), &auth.principal, paging.request()).await?))
}
