use actix_web::{get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{require, Authorized},
    error::AppResult,
    services::{self, stats::DashboardStats},
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(stats);
}

/// Camera counts for the dashboard.
#[utoipa::path(tag = "dashboard", responses((status = 200, body = DashboardStats)), security(("bearer" = []), ("api_key" = [])))]
#[get("/dashboard/stats")]
async fn stats(
    auth: Authorized<require::StatsRead>,
    state: web::Data<AppState>,
) -> AppResult<web::Json<DashboardStats>> {
    Ok(web::Json(services::stats::get(&state, &auth.principal).await?))
}
