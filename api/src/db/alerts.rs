//! Alerts (written by [`crate::services::alerts`]). The service keeps at most one not-resolved
//! alert per (kind, subject) by reading [`active`] and writing inside one transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::alerts, DbConn, PageRequest};
use crate::{
    domain::{AlertKind, AlertSeverity, AlertState},
    error::{AppError, AppResult},
};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = alerts)]
pub struct AlertRow {
    pub id: String,
    pub kind: AlertKind,
    pub severity: AlertSeverity,
    pub state: AlertState,
    pub camera_id: Option<String>,
    pub subject: String,
    pub message: String,
    pub count: i64,
    pub first_seen: NaiveDateTime,
    pub last_seen: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub acknowledged_by: Option<String>,
    pub resolved_at: Option<NaiveDateTime>,
    pub resolved_by: Option<String>,
    /// `<kind>|<subject>` while not resolved (unique), `None` once resolved.
    pub active_key: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Which alerts a list shows.
#[derive(Default, Debug, Clone)]
pub struct AlertFilter {
    /// `None` = every state.
    pub states: Option<Vec<AlertState>>,
    pub kind: Option<AlertKind>,
    pub severity: Option<AlertSeverity>,
    pub camera_id: Option<String>,
    /// `None` = every alert; `Some(ids)` = only alerts of these cameras (no camera-less ones).
    pub only_camera_ids: Option<Vec<String>>,
}

const NOT_RESOLVED: [&str; 2] = ["open", "acknowledged"];

/// The `active_key` of (kind, subject).
pub fn active_key(kind: AlertKind, subject: &str) -> String {
    format!("{kind}|{subject}")
}

/// Inserts a new alert. When a concurrent transaction opened the same (kind, subject) first,
/// the error is transient: `Db::transaction` runs the caller again, which then finds that alert.
pub fn insert(conn: &mut DbConn, row: &AlertRow) -> AppResult<()> {
    use diesel::result::{DatabaseErrorKind, Error};
    match diesel::insert_into(alerts::table).values(row).execute(conn) {
        Ok(_) => Ok(()),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Err(moved_on()),
        Err(e) => Err(e.into()),
    }
}

pub fn find(conn: &mut DbConn, id: &str) -> AppResult<Option<AlertRow>> {
    Ok(alerts::table.find(id).select(AlertRow::as_select()).first(conn).optional()?)
}

/// The not-resolved alert of (kind, subject), if any.
pub fn active(conn: &mut DbConn, kind: AlertKind, subject: &str) -> AppResult<Option<AlertRow>> {
    Ok(alerts::table
        .filter(alerts::kind.eq(kind))
        .filter(alerts::subject.eq(subject))
        .filter(alerts::state.eq_any(NOT_RESOLVED))
        .order(alerts::first_seen.desc())
        .select(AlertRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every not-resolved alert of `kind`.
pub fn active_of_kind(conn: &mut DbConn, kind: AlertKind) -> AppResult<Vec<AlertRow>> {
    Ok(alerts::table
        .filter(alerts::kind.eq(kind))
        .filter(alerts::state.eq_any(NOT_RESOLVED))
        .select(AlertRow::as_select())
        .load(conn)?)
}

/// A write that found its alert no longer in the state it read (a concurrent ack or resolve):
/// transient, so `Db::transaction` runs the caller again on fresh rows.
fn moved_on() -> AppError {
    let mut e = AppError::conflict("alert changed concurrently");
    e.transient = true;
    e
}

fn changed_one(n: usize) -> AppResult<()> {
    if n == 1 {
        Ok(())
    } else {
        Err(moved_on())
    }
}

/// One more occurrence of a not-resolved alert: `count + 1` in the statement itself, so
/// concurrent bumps all count.
pub fn bump(conn: &mut DbConn, row: &AlertRow, now: NaiveDateTime) -> AppResult<()> {
    let n = diesel::update(alerts::table.find(&row.id).filter(alerts::state.eq_any(NOT_RESOLVED)))
        .set((
            alerts::count.eq(alerts::count + 1),
            alerts::severity.eq(row.severity),
            alerts::message.eq(&row.message),
            alerts::last_seen.eq(now),
            alerts::updated_at.eq(now),
        ))
        .execute(conn)?;
    changed_one(n)
}

/// Sets the observed count, episode start, severity and message of a not-resolved alert.
pub fn observe(conn: &mut DbConn, row: &AlertRow) -> AppResult<()> {
    let n = diesel::update(alerts::table.find(&row.id).filter(alerts::state.eq_any(NOT_RESOLVED)))
        .set((
            alerts::count.eq(row.count),
            alerts::first_seen.eq(row.first_seen),
            alerts::severity.eq(row.severity),
            alerts::message.eq(&row.message),
            alerts::last_seen.eq(row.last_seen),
            alerts::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    changed_one(n)
}

/// Moves an alert from `from` to `row.state`, with who and when.
pub fn transition(conn: &mut DbConn, row: &AlertRow, from: AlertState) -> AppResult<()> {
    let n = diesel::update(alerts::table.find(&row.id).filter(alerts::state.eq(from)))
        .set((
            alerts::state.eq(row.state),
            alerts::acknowledged_at.eq(row.acknowledged_at),
            alerts::acknowledged_by.eq(&row.acknowledged_by),
            alerts::resolved_at.eq(row.resolved_at),
            alerts::resolved_by.eq(&row.resolved_by),
            alerts::active_key.eq(&row.active_key),
            alerts::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    changed_one(n)
}

/// One page, most recently seen first, and how many match.
pub fn list(conn: &mut DbConn, f: &AlertFilter, page: PageRequest) -> AppResult<(Vec<AlertRow>, i64)> {
    let query = || {
        let mut q = alerts::table.into_boxed();
        if let Some(states) = &f.states {
            q = q.filter(alerts::state.eq_any(states.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
        }
        if let Some(kind) = f.kind {
            q = q.filter(alerts::kind.eq(kind));
        }
        if let Some(severity) = f.severity {
            q = q.filter(alerts::severity.eq(severity));
        }
        if let Some(id) = &f.camera_id {
            q = q.filter(alerts::camera_id.eq(id.clone()));
        }
        if let Some(ids) = &f.only_camera_ids {
            q = q.filter(alerts::camera_id.eq_any(ids.clone()));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order((alerts::last_seen.desc(), alerts::id.desc()))
        .limit(page.limit)
        .offset(page.offset())
        .select(AlertRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// (state, kind, how many) of the not-resolved alerts, within `only_camera_ids` when given.
/// Counted here rather than grouped in SQL: there are few, and the enum columns stay typed.
pub fn count_active(
    conn: &mut DbConn,
    only_camera_ids: Option<&[String]>,
) -> AppResult<Vec<(AlertState, AlertKind, i64)>> {
    let mut q = alerts::table.filter(alerts::state.eq_any(NOT_RESOLVED)).into_boxed();
    if let Some(ids) = only_camera_ids {
        q = q.filter(alerts::camera_id.eq_any(ids.to_vec()));
    }
    let rows: Vec<(AlertState, AlertKind)> = q.select((alerts::state, alerts::kind)).load(conn)?;
    let mut counts: std::collections::BTreeMap<(AlertState, AlertKind), i64> = Default::default();
    for key in rows {
        *counts.entry(key).or_default() += 1;
    }
    Ok(counts.into_iter().map(|((s, k), n)| (s, k, n)).collect())
}

/// Deletes alerts resolved before `before` (log retention); open and acknowledged ones stay.
pub fn prune_resolved(conn: &mut DbConn, before: NaiveDateTime) -> AppResult<usize> {
    let old =
        alerts::table.filter(alerts::state.eq(AlertState::Resolved)).filter(alerts::resolved_at.lt(before));
    Ok(diesel::delete(old).execute(conn)?)
}
