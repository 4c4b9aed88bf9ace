//! The audit trail: every mutation, login and denial, with actor, before/after state and origin;
//! its search and its CSV/JSON export.

use chrono::{DateTime, NaiveDateTime, Utc};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::paging::{Page, Paging};
use crate::{
    auth::{Permission, Principal, RequestMeta},
    db::{
        self,
        audit::{AuditFilter, AuditRow},
        DbConn,
    },
    domain::{ActorType, AuditAction},
    error::{AppError, AppResult},
    state::AppState,
};

/// Who did it.
#[derive(Clone, Debug)]
pub struct Actor {
    pub kind: ActorType,
    pub id: Option<String>,
    pub name: Option<String>,
}

impl Actor {
    pub fn system() -> Actor {
        Actor { kind: ActorType::System, id: None, name: Some("argus".into()) }
    }
    pub fn nginx() -> Actor {
        Actor { kind: ActorType::Nginx, id: None, name: Some("nginx-rtmp".into()) }
    }
    /// An unauthenticated caller naming itself (e.g. a failed login's username).
    pub fn anonymous(name: &str) -> Actor {
        Actor { kind: ActorType::Anonymous, id: None, name: Some(name.chars().take(200).collect()) }
    }
    pub fn user(id: &str, name: &str) -> Actor {
        Actor { kind: ActorType::User, id: Some(id.into()), name: Some(name.into()) }
    }
}

impl From<&Principal> for Actor {
    fn from(p: &Principal) -> Actor {
        Actor { kind: p.actor_type(), id: Some(p.actor_id().into()), name: Some(p.actor_name().into()) }
    }
}

/// What happened.
#[derive(Clone, Debug)]
pub struct Change {
    pub action: AuditAction,
    pub entity_type: Option<&'static str>,
    pub entity_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    pub fn new(action: AuditAction) -> Change {
        Change { action, entity_type: None, entity_id: None, before: None, after: None }
    }
    pub fn on(mut self, entity_type: &'static str, id: &str) -> Change {
        self.entity_type = Some(entity_type);
        self.entity_id = Some(id.to_string());
        self
    }
    pub fn before(mut self, v: impl Serialize) -> Change {
        self.before = serde_json::to_value(v).ok();
        self
    }
    pub fn after(mut self, v: impl Serialize) -> Change {
        self.after = serde_json::to_value(v).ok();
        self
    }
}

/// The row for `change`; written with `db::audit::insert`, which chains it.
pub fn row(actor: &Actor, meta: &RequestMeta, change: Change) -> AuditRow {
    AuditRow {
        id: db::new_id(),
        actor_type: actor.kind,
        actor_id: actor.id.clone(),
        actor_name: actor.name.clone(),
        action: change.action,
        entity_type: change.entity_type.map(str::to_string),
        entity_id: change.entity_id,
        before_state: change.before.map(|v| v.to_string()),
        after_state: change.after.map(|v| v.to_string()),
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
        created_at: db::now(),
    }
}

/// The audit entry of a change, to be written with [`write`] inside the change's own
/// `Db::transaction`: the change and its entry commit together or not at all.
pub fn entry(actor: &Actor, meta: &RequestMeta, change: Change) -> AuditRow {
    row(actor, meta, change)
}

/// Writes an entry made by [`entry`] on the caller's connection (inside its transaction).
pub fn write(conn: &mut DbConn, entry: &AuditRow) -> AppResult<()> {
    db::audit::insert(conn, entry)
}

/// Writes entries made by [`entry`], in this order, on the caller's connection (one chain
/// append for all).
pub fn write_all(conn: &mut DbConn, entries: &[AuditRow]) -> AppResult<()> {
    db::audit::insert_all(conn, entries).map(|_| ())
}

/// Records an event that is not part of a database change (a login, an access) on its own.
pub async fn record(state: &AppState, actor: &Actor, meta: &RequestMeta, change: Change) -> AppResult<()> {
    let row = row(actor, meta, change);
    state.db.transaction(move |c| db::audit::insert(c, &row)).await
}

/// Walks the hash chain; `broken` names the first row that does not fit.
pub async fn verify_chain(db: &db::Db) -> AppResult<db::audit_chain::VerifyReport> {
    db.run(db::audit_chain::verify).await
}

/// Records without making the caller wait (denials, failed logins): a lost entry is logged.
pub fn record_in_background(state: &AppState, actor: Actor, meta: RequestMeta, change: Change) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = record(&state, &actor, &meta, change).await {
            tracing::error!(error = %e, "audit entry lost");
        }
    });
}

pub fn denied(
    state: &AppState,
    principal: &Principal,
    meta: &RequestMeta,
    permission: Permission,
    method: &str,
    route: &str,
) {
    let change = Change::new(AuditAction::AccessDenied)
        .after(serde_json::json!({ "permission": permission.as_str(), "method": method, "route": route }));
    record_in_background(state, principal.into(), meta.clone(), change);
}

#[derive(Serialize, Debug, Clone, utoipa::ToSchema)]
pub struct AuditLogView {
    pub id: String,
    pub actor_type: ActorType,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: AuditAction,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<AuditRow> for AuditLogView {
    fn from(r: AuditRow) -> Self {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        AuditLogView {
            id: r.id,
            actor_type: r.actor_type,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: parse(r.before_state),
            after: parse(r.after_state),
            ip: r.ip,
            user_agent: r.user_agent,
            created_at: r.created_at.and_utc(),
        }
    }
}

/// `GET /audit-logs` filters (also those of the export).
#[derive(Deserialize, Debug, Clone, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Actor id (user or token).
    pub user_id: Option<String>,
    pub action: Option<AuditAction>,
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

pub async fn list(state: &AppState, query: AuditQuery, paging: Paging) -> AppResult<Page<AuditLogView>> {
    let (filter, page) = (query.filter(), paging.request());
    let (rows, total) = state.db.run(move |c| db::audit::list(c, &filter, page)).await?;
    Ok(Page::new(rows, total, page).map(AuditLogView::from))
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Json,
}

/// Rows per database read of an export.
const EXPORT_CHUNK: i64 = 500;

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
                r.actor_type.to_string(),
                opt(&r.actor_id),
                opt(&r.actor_name),
                r.action.to_string(),
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

/// Where an export stands between two body chunks.
struct Export {
    state: AppState,
    filter: AuditFilter,
    format: ExportFormat,
    /// `(created_at, id)` of the last row sent; rows are read newest first after it.
    cursor: Option<(NaiveDateTime, String)>,
    first: bool,
    done: bool,
}

/// Next database page, newest first, after the cursor of the previous one.
async fn export_chunk(
    state: &AppState,
    filter: AuditFilter,
    cursor: Option<(NaiveDateTime, String)>,
) -> AppResult<(Vec<AuditLogView>, Option<(NaiveDateTime, String)>)> {
    let rows = state.db.run(move |c| db::audit::export_chunk(c, &filter, cursor, EXPORT_CHUNK)).await?;
    let next = if rows.len() as i64 == EXPORT_CHUNK {
        rows.last().map(|r| (r.created_at, r.id.clone()))
    } else {
        None
    };
    Ok((rows.into_iter().map(AuditLogView::from).collect(), next))
}

/// Next body chunk: a database page rendered as CSV lines or JSON array elements.
async fn next_chunk(mut s: Export) -> Option<(AppResult<Vec<u8>>, Export)> {
    if s.done {
        return None;
    }
    let (rows, next) = match export_chunk(&s.state, s.filter.clone(), s.cursor.take()).await {
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
    Some((Ok(out), s))
}

/// The filtered audit log as CSV or JSON, read and rendered page by page while it is sent (no
/// size limit in memory).
pub fn export(
    state: AppState,
    query: AuditQuery,
    format: ExportFormat,
) -> impl Stream<Item = AppResult<Vec<u8>>> {
    let start = Export { state, filter: query.filter(), format, cursor: None, first: true, done: false };
    futures_util::stream::unfold(start, next_chunk)
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
