use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::Paging;
use crate::{
    auth::{require, Authorized},
    db::{audit::AuditFilter, Page},
    error::{AppError, AppResult},
    services::{self, audit::AuditLogView},
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(export);
}

#[derive(Deserialize, Debug, Clone, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Actor id (user or token).
    pub user_id: Option<String>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub ip: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl AuditQuery {
    fn filter(self) -> AuditFilter {
        AuditFilter {
            actor_id: self.user_id,
            action: self.action,
            entity_type: self.entity_type,
            entity_id: self.entity_id,
            ip: self.ip,
            from: self.from.map(|t| t.naive_utc()),
            to: self.to.map(|t| t.naive_utc()),
        }
    }
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
    Ok(HttpResponse::Ok()
        .json(services::audit::list(&state, q.into_inner().filter(), paging.request()).await?))
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Deserialize, Debug, utoipa::IntoParams)]
pub struct ExportQuery {
    #[param(inline)]
    pub format: Option<ExportFormat>,
}

const CSV_HEADER: &[&str] = &[
    "id",
    "created_at",
    "actor_type",
    "actor_id",
    "actor_name",
    "action",
    "entity_type",
    "entity_id",
    "ip",
    "user_agent",
    "before",
    "after",
];

/// A cell a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading `'`,
/// so attacker-chosen text (a failed login's username, a User-Agent) stays text when opened.
fn neutralise(cell: String) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell,
    }
}

fn csv_rows(rows: &[AuditLogView], header: bool) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| AppError::internal(format!("csv: {e}"));
    if header {
        w.write_record(CSV_HEADER).map_err(err)?;
    }
    for r in rows {
        let text = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        w.write_record(
            [
                r.id.clone(),
                r.created_at.to_rfc3339(),
                r.actor_type.clone(),
                opt(&r.actor_id),
                opt(&r.actor_name),
                r.action.clone(),
                opt(&r.entity_type),
                opt(&r.entity_id),
                opt(&r.ip),
                opt(&r.user_agent),
                text(&r.before),
                text(&r.after),
            ]
            .map(neutralise),
        )
        .map_err(err)?;
    }
    w.into_inner().map_err(|e| AppError::internal(format!("csv: {e}")))
}

struct ExportState {
    app: web::Data<AppState>,
    filter: AuditFilter,
    format: ExportFormat,
    cursor: Option<(NaiveDateTime, String)>,
    first: bool,
    done: bool,
}

/// Next body chunk: a database page rendered as CSV lines or JSON array elements.
async fn next_chunk(mut s: ExportState) -> Option<(Result<web::Bytes, AppError>, ExportState)> {
    if s.done {
        return None;
    }
    let (rows, next) =
        match services::audit::export_chunk(&s.app, s.filter.clone(), s.cursor.take(), 500).await {
            Ok(v) => v,
            Err(e) => {
                s.done = true;
                return Some((Err(e), s));
            }
        };
    let mut out = Vec::new();
    match s.format {
        ExportFormat::Csv => match csv_rows(&rows, s.first) {
            Ok(bytes) => out = bytes,
            Err(e) => {
                s.done = true;
                return Some((Err(e), s));
            }
        },
        ExportFormat::Json => {
            for (i, r) in rows.iter().enumerate() {
                out.extend_from_slice(if s.first && i == 0 { b"[" } else { b"," });
                out.extend_from_slice(serde_json::to_string(r).unwrap_or_default().as_bytes());
            }
            if s.first && rows.is_empty() {
                out.extend_from_slice(b"[");
            }
            if next.is_none() {
                out.extend_from_slice(b"]");
            }
        }
    }
    s.first = false;
    s.done = next.is_none();
    s.cursor = next;
    Some((Ok(web::Bytes::from(out)), s))
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
    let init = ExportState {
        app: state,
        filter: q.into_inner().filter(),
        format,
        cursor: None,
        first: true,
        done: false,
    };
    let body = futures_util::stream::unfold(init, next_chunk);
    let (ctype, ext) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        ExportFormat::Json => ("application/json", "json"),
    };
    HttpResponse::Ok()
        .content_type(ctype)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"audit-log.{ext}\"")))
        .streaming(body)
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_cells_are_prefixed_and_plain_cells_kept() {
        for bad in ["=2+3", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(bad.into()), format!("'{bad}"));
        }
        for ok in ["admin", "", "1=1", "2026-01-01T00:00:00+00:00"] {
            assert_eq!(neutralise(ok.into()), ok);
        }
    }
}
