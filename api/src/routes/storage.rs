//! The storage lifecycle's dry run.

use actix_web::{get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{require, Authorized},
    db,
    error::{AppResult, ErrorBody},
    services::{
        paging::{Page, Paging},
        storage::plan::PlannedAction,
    },
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(plan);
}

/// What the next storage run would move or delete and why (`reason`: `retention`, `quota`,
/// `disk_floor` or `age`), in the order it would, without doing it (the run's own selection;
/// paged, with the total).
#[utoipa::path(tag = "storage", params(Paging), responses((status = 200, body = Page<PlannedAction>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/storage/plan")]
async fn plan(
    auth: Authorized<require::RecordingDelete>,
    state: web::Data<AppState>,
    paging: web::Query<Paging>,
) -> AppResult<web::Json<Page<PlannedAction>>> {
    Ok(web::Json(state.storage.plan(db::now(), &auth.principal, paging.request()).await?))
}
