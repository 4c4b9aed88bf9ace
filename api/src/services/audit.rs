//! The audit trail: every mutation, login and denial, with actor, before/after state and origin.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::{
    auth::{Permission, Principal, RequestMeta},
    db::{
        self,
        audit::{AuditFilter, AuditRow},
        DbConn, Page, PageRequest,
    },
    error::AppResult,
    state::AppState,
};

/// Who did it.
#[derive(Clone, Debug)]
pub struct Actor {
    pub kind: &'static str,
    pub id: Option<String>,
    pub name: Option<String>,
}

impl Actor {
    pub fn system() -> Actor {
        Actor { kind: "system", id: None, name: Some("argus".into()) }
    }
    pub fn nginx() -> Actor {
        Actor { kind: "nginx", id: None, name: Some("nginx-rtmp".into()) }
    }
    /// An unauthenticated caller naming itself (e.g. a failed login's username).
    pub fn anonymous(name: &str) -> Actor {
        Actor { kind: "anonymous", id: None, name: Some(name.chars().take(200).collect()) }
    }
    pub fn user(id: &str, name: &str) -> Actor {
        Actor { kind: "user", id: Some(id.into()), name: Some(name.into()) }
    }
}

impl From<&Principal> for Actor {
    fn from(p: &Principal) -> Actor {
        Actor { kind: p.actor_type(), id: Some(p.actor_id().into()), name: Some(p.actor_name().into()) }
    }
}

/// What happened.
#[derive(Clone, Debug, Default)]
pub struct Change {
    pub action: &'static str,
    pub entity_type: Option<&'static str>,
    pub entity_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    pub fn new(action: &'static str) -> Change {
        Change { action, ..Default::default() }
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
        actor_type: actor.kind.to_string(),
        actor_id: actor.id.clone(),
        actor_name: actor.name.clone(),
        action: change.action.to_string(),
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
    let change = Change::new("access.denied")
        .after(serde_json::json!({ "permission": permission.as_str(), "method": method, "route": route }));
    record_in_background(state, principal.into(), meta.clone(), change);
}

#[derive(Serialize, Debug, Clone, utoipa::ToSchema)]
pub struct AuditLogView {
    pub id: String,
    pub actor_type: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
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

pub async fn list(state: &AppState, filter: AuditFilter, page: PageRequest) -> AppResult<Page<AuditLogView>> {
    let (rows, total) = state.db.run(move |c| db::audit::list(c, &filter, page)).await?;
    Ok(Page::new(rows, total, page).map(AuditLogView::from))
}

/// Next chunk of an export, newest first, after the cursor of the previous chunk.
pub async fn export_chunk(
    state: &AppState,
    filter: AuditFilter,
    cursor: Option<(NaiveDateTime, String)>,
    size: i64,
) -> AppResult<(Vec<AuditLogView>, Option<(NaiveDateTime, String)>)> {
    let rows = state.db.run(move |c| db::audit::export_chunk(c, &filter, cursor, size)).await?;
    let next =
        if rows.len() as i64 == size { rows.last().map(|r| (r.created_at, r.id.clone())) } else { None };
    Ok((rows.into_iter().map(AuditLogView::from).collect(), next))
}
