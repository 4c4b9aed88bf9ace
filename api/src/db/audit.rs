use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{audit_chain::append, schema::audit_logs, DbConn, MultiBackend, PageRequest};
use crate::{domain::AuditAction, error::AppResult};

pub use super::audit_chain::AuditRow;

#[derive(Default, Debug, Clone)]
pub struct AuditFilter {
    pub actor_id: Option<String>,
    pub action: Option<AuditAction>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub ip: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// Appends one row to the hash chain (see [`super::audit_chain::append`]); call it inside the
/// transaction of the change it records.
pub fn insert(conn: &mut DbConn, row: &AuditRow) -> AppResult<()> {
    append(conn, std::slice::from_ref(row))?;
    Ok(())
}

/// Appends rows, in this order, to the hash chain after one read of its head.
pub fn insert_all(conn: &mut DbConn, rows: &[AuditRow]) -> AppResult<usize> {
    append(conn, rows)
}

fn filtered(f: &AuditFilter) -> audit_logs::BoxedQuery<'static, MultiBackend> {
    let mut q = audit_logs::table.into_boxed();
    if let Some(v) = &f.actor_id {
        q = q.filter(audit_logs::actor_id.eq(v.clone()));
    }
    if let Some(v) = &f.action {
        q = q.filter(audit_logs::action.eq(v.as_str()));
    }
    if let Some(v) = &f.entity_type {
        q = q.filter(audit_logs::entity_type.eq(v.clone()));
    }
    if let Some(v) = &f.entity_id {
        q = q.filter(audit_logs::entity_id.eq(v.clone()));
    }
    if let Some(v) = &f.ip {
        q = q.filter(audit_logs::ip.eq(v.clone()));
    }
    if let Some(v) = f.from {
        q = q.filter(audit_logs::created_at.ge(v));
    }
    if let Some(v) = f.to {
        q = q.filter(audit_logs::created_at.le(v));
    }
    q
}

pub fn list(conn: &mut DbConn, filter: &AuditFilter, page: PageRequest) -> AppResult<(Vec<AuditRow>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((audit_logs::created_at.desc(), audit_logs::id.desc()))
        .limit(page.limit)
        .offset(page.offset())
        .select(AuditRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Keyset page for exports: rows strictly older than `before` (created_at, id), newest first.
pub fn export_chunk(
    conn: &mut DbConn,
    filter: &AuditFilter,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<AuditRow>> {
    let mut q = filtered(filter);
    if let Some((at, id)) = before {
        q = q.filter(
            audit_logs::created_at.lt(at).or(audit_logs::created_at.eq(at).and(audit_logs::id.lt(id))),
        );
    }
    Ok(q.order((audit_logs::created_at.desc(), audit_logs::id.desc()))
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?)
}
