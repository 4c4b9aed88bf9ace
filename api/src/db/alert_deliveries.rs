//! The alert outbox and delivery log (written by [`crate::services::alert_channels`]). A worker
//! claims due rows with a lease (`claimed_by`, `claimed_until`) under a conditional UPDATE, and
//! records the outcome only while it still holds the lease, so two replicas never both send a
//! row and a crashed worker's rows are claimed again once the lease has expired.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::alert_deliveries, DbConn, PageRequest};
use crate::error::AppResult;

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
/// Given up (the channel was disabled or deleted meanwhile).
pub const FAILED: &str = "failed";

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = alert_deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub channel_id: String,
    pub alert_id: Option<String>,
    pub event: String,
    pub payload: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

/// How one attempt ended.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub at: NaiveDateTime,
    pub status: Option<i32>,
    pub error: Option<String>,
    /// `None` = delivered; `Some(t)` = try again at `t`.
    pub retry_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, row: &DeliveryRow) -> AppResult<()> {
    diesel::insert_into(alert_deliveries::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: &str) -> AppResult<Option<DeliveryRow>> {
    Ok(alert_deliveries::table.find(id).select(DeliveryRow::as_select()).first(conn).optional()?)
}

/// A channel's deliveries, newest first, and how many it has.
pub fn list(conn: &mut DbConn, channel_id: &str, page: PageRequest) -> AppResult<(Vec<DeliveryRow>, i64)> {
    let query = || alert_deliveries::table.filter(alert_deliveries::channel_id.eq(channel_id.to_string()));
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order((alert_deliveries::created_at.desc(), alert_deliveries::id.desc()))
        .limit(page.limit)
        .offset(page.offset())
        .select(DeliveryRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Ids of pending rows due at `now` and not leased by a live worker, oldest first.
pub fn due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> AppResult<Vec<String>> {
    Ok(alert_deliveries::table
        .filter(alert_deliveries::state.eq(PENDING))
        .filter(alert_deliveries::next_attempt_at.le(now))
        .filter(alert_deliveries::claimed_until.is_null().or(alert_deliveries::claimed_until.lt(now)))
        .order((alert_deliveries::next_attempt_at.asc(), alert_deliveries::id.asc()))
        .limit(limit)
        .select(alert_deliveries::id)
        .load(conn)?)
}

/// Leases `id` to `worker` until `until` if it is still due and unleased; false when another
/// worker got it first.
pub fn claim(
    conn: &mut DbConn,
    id: &str,
    worker: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> AppResult<bool> {
    let n = diesel::update(
        alert_deliveries::table
            .find(id)
            .filter(alert_deliveries::state.eq(PENDING))
            .filter(alert_deliveries::next_attempt_at.le(now))
            .filter(alert_deliveries::claimed_until.is_null().or(alert_deliveries::claimed_until.lt(now))),
    )
    .set((alert_deliveries::claimed_by.eq(worker), alert_deliveries::claimed_until.eq(until)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records an attempt on a row `worker` still leases; false when the lease was lost.
pub fn record(conn: &mut DbConn, id: &str, worker: &str, attempt: &Attempt) -> AppResult<bool> {
    let leased = alert_deliveries::table
        .find(id)
        .filter(alert_deliveries::state.eq(PENDING))
        .filter(alert_deliveries::claimed_by.eq(worker));
    let common = (
        alert_deliveries::attempts.eq(alert_deliveries::attempts + 1),
        alert_deliveries::last_attempt_at.eq(attempt.at),
        alert_deliveries::last_status.eq(attempt.status),
        alert_deliveries::last_error.eq(attempt.error.clone()),
        alert_deliveries::claimed_by.eq(None::<String>),
        alert_deliveries::claimed_until.eq(None::<NaiveDateTime>),
    );
    let n = match attempt.retry_at {
        None => diesel::update(leased)
            .set((
                common,
                alert_deliveries::state.eq(DELIVERED),
                alert_deliveries::delivered_at.eq(attempt.at),
            ))
            .execute(conn)?,
        Some(at) => {
            diesel::update(leased).set((common, alert_deliveries::next_attempt_at.eq(at))).execute(conn)?
        }
    };
    Ok(n == 1)
}

/// Gives up the pending deliveries of a channel (disabled): they end `failed` with `reason`.
pub fn give_up(conn: &mut DbConn, channel_id: &str, reason: &str) -> AppResult<usize> {
    Ok(diesel::update(
        alert_deliveries::table
            .filter(alert_deliveries::channel_id.eq(channel_id))
            .filter(alert_deliveries::state.eq(PENDING)),
    )
    .set((
        alert_deliveries::state.eq(FAILED),
        alert_deliveries::last_error.eq(reason),
        alert_deliveries::claimed_by.eq(None::<String>),
        alert_deliveries::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?)
}

/// Gives up one row `worker` leases (its channel is disabled or gone).
pub fn give_up_one(conn: &mut DbConn, id: &str, worker: &str, reason: &str) -> AppResult<bool> {
    let n = diesel::update(
        alert_deliveries::table
            .find(id)
            .filter(alert_deliveries::state.eq(PENDING))
            .filter(alert_deliveries::claimed_by.eq(worker)),
    )
    .set((
        alert_deliveries::state.eq(FAILED),
        alert_deliveries::last_error.eq(reason),
        alert_deliveries::claimed_by.eq(None::<String>),
        alert_deliveries::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Deletes finished (delivered or given up) deliveries created before `before`; pending ones
/// stay until they are sent or given up.
pub fn prune_finished(conn: &mut DbConn, before: NaiveDateTime) -> AppResult<usize> {
    let old = alert_deliveries::table
        .filter(alert_deliveries::state.ne(PENDING))
        .filter(alert_deliveries::created_at.lt(before));
    Ok(diesel::delete(old).execute(conn)?)
}
