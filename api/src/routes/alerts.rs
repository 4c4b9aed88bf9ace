use actix_web::{get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{require, Authorized},
    error::{AppResult, ErrorBody},
    services::{
        alerts::{
            manage::{self, AlertQuery, AlertSummary},
            AlertView,
        },
        paging::{Page, Paging},
    },
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(summary).service(get_one).service(acknowledge).service(resolve);
}

/// Alerts the caller may see, most recently seen first.
#[utoipa::path(tag = "alerts", params(AlertQuery, Paging), responses((status = 200, body = Page<AlertView>), (status = 400, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/alerts")]
async fn list(
    auth: Authorized<require::AlertRead>,
    state: web::Data<AppState>,
    q: web::Query<AlertQuery>,
    paging: web::Query<Paging>,
) -> AppResult<web::Json<Page<AlertView>>> {
    Ok(web::Json(manage::list(&state, &auth.principal, q.into_inner(), paging.into_inner()).await?))
}

/// The bell: open and acknowledged alerts, and the not-resolved ones by type.
#[utoipa::path(tag = "alerts", responses((status = 200, body = AlertSummary)), security(("bearer" = []), ("api_key" = [])))]
#[get("/alerts/summary")]
async fn summary(
    auth: Authorized<require::AlertRead>,
    state: web::Data<AppState>,
) -> AppResult<web::Json<AlertSummary>> {
    Ok(web::Json(manage::summary(&state, &auth.principal).await?))
}

/// One alert.
#[utoipa::path(tag = "alerts", responses((status = 200, body = AlertView), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/alerts/{id}")]
async fn get_one(
    auth: Authorized<require::AlertRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<AlertView>> {
    Ok(web::Json(manage::find_visible(&state, &auth.principal, &id).await?))
}

/// Acknowledge an open alert (409 when it is resolved).
#[utoipa::path(tag = "alerts", responses((status = 200, body = AlertView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[post("/alerts/{id}/acknowledge")]
async fn acknowledge(
    auth: Authorized<require::AlertManage>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<AlertView>> {
    Ok(web::Json(manage::acknowledge(&state, &auth.principal, &id, &auth.meta).await?))
}

/// Resolve an alert by hand (409 when it is already resolved).
#[utoipa::path(tag = "alerts", responses((status = 200, body = AlertView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[post("/alerts/{id}/resolve")]
async fn resolve(
    auth: Authorized<require::AlertManage>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<AlertView>> {
    Ok(web::Json(manage::resolve(&state, &auth.principal, &id, &auth.meta).await?))
}
