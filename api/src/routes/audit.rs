use actix_web::{get, web, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{require, Authorized},
    error::AppResult,
    services::{
        self,
        audit::{AuditLogView, AuditQuery, ExportFormat},
        paging::{Page, Paging},
    },
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(export);
}

/// Search the audit log, newest first.
#[utoipa::path(tag = "audit", params(AuditQuery, Paging), responses((status = 200, body = Page<AuditLogView>)), security(("bearer" = []), ("api_key" = [])))]
#[get("/audit-logs")]
async fn list(
    _auth: Authorized<require::AuditRead>,
    state: web::Data<AppState>,
    q: web::Query<AuditQuery>,
    paging: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(services::audit::list(&state, q.into_inner(), paging.into_inner()).await?))
}

#[derive(Deserialize, Debug, utoipa::IntoParams)]
pub struct ExportQuery {
    #[param(inline)]
    pub format: Option<ExportFormat>,
}

/// Export the filtered audit log as CSV or JSON, streamed in pages (no size limit in memory).
#[utoipa::path(tag = "audit", params(AuditQuery, ExportQuery), responses((status = 200, description = "text/csv or application/json stream")), security(("bearer" = []), ("api_key" = [])))]
#[get("/audit-logs/export")]
async fn export(
    _auth: Authorized<require::AuditRead>,
    state: web::Data<AppState>,
    q: web::Query<AuditQuery>,
    f: web::Query<ExportQuery>,
) -> HttpResponse {
    let format = f.format.unwrap_or(ExportFormat::Csv);
    let body = services::audit::export(state.get_ref().clone(), q.into_inner(), format)
        .map(|chunk| chunk.map(web::Bytes::from));
    let (ctype, ext) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        ExportFormat::Json => ("application/json", "json"),
    };
    HttpResponse::Ok()
        .content_type(ctype)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"audit-log.{ext}\"")))
        .streaming(body)
}
