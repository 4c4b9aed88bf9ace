//! Alert channels (written by [`crate::services::alert_channels`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::alert_channels, DbConn};
use crate::error::AppResult;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = alert_channels)]
pub struct ChannelRow {
    pub id: String,
    pub name: String,
    /// "webhook" | "email".
    pub kind: String,
    pub url: Option<String>,
    /// Comma-separated addresses.
    pub email_to: Option<String>,
    pub secret: Option<String>,
    /// JSON array of alert types, or "" = every type.
    pub alert_types: String,
    /// JSON array of camera ids, or "" = every camera.
    pub camera_ids: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<NaiveDateTime>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The editable part of a channel (PATCH).
#[derive(AsChangeset, Default, Debug, Clone)]
#[diesel(table_name = alert_channels)]
pub struct ChannelChanges {
    pub name: Option<String>,
    pub url: Option<Option<String>>,
    pub email_to: Option<Option<String>>,
    pub alert_types: Option<String>,
    pub camera_ids: Option<String>,
    pub enabled: Option<bool>,
    pub disabled_reason: Option<Option<String>>,
    pub failing_since: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, row: &ChannelRow) -> AppResult<()> {
    diesel::insert_into(alert_channels::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: &str) -> AppResult<Option<ChannelRow>> {
    Ok(alert_channels::table.find(id).select(ChannelRow::as_select()).first(conn).optional()?)
}

/// Every channel, oldest first (there are few).
pub fn all(conn: &mut DbConn) -> AppResult<Vec<ChannelRow>> {
    Ok(alert_channels::table
        .order((alert_channels::created_at.asc(), alert_channels::id.asc()))
        .select(ChannelRow::as_select())
        .load(conn)?)
}

pub fn enabled(conn: &mut DbConn) -> AppResult<Vec<ChannelRow>> {
    Ok(alert_channels::table
        .filter(alert_channels::enabled.eq(true))
        .order(alert_channels::created_at.asc())
        .select(ChannelRow::as_select())
        .load(conn)?)
}

pub fn update(conn: &mut DbConn, id: &str, changes: &ChannelChanges) -> AppResult<bool> {
    Ok(diesel::update(alert_channels::table.find(id)).set(changes).execute(conn)? == 1)
}

/// Deletes the channel (its deliveries go with it); whether it existed.
pub fn delete(conn: &mut DbConn, id: &str) -> AppResult<bool> {
    use super::schema::alert_deliveries;
    diesel::delete(alert_deliveries::table.filter(alert_deliveries::channel_id.eq(id))).execute(conn)?;
    Ok(diesel::delete(alert_channels::table.find(id)).execute(conn)? == 1)
}

/// A failed attempt: the channel is failing since `now` unless it already was.
pub fn mark_failing(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> AppResult<()> {
    diesel::update(alert_channels::table.find(id).filter(alert_channels::failing_since.is_null()))
        .set(alert_channels::failing_since.eq(now))
        .execute(conn)?;
    Ok(())
}

/// A delivered attempt: the channel is healthy again.
pub fn mark_healthy(conn: &mut DbConn, id: &str) -> AppResult<()> {
    diesel::update(alert_channels::table.find(id).filter(alert_channels::failing_since.is_not_null()))
        .set(alert_channels::failing_since.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    Ok(())
}

/// Disables a channel failing since before `cutoff`; false when it was not (or already disabled),
/// so of two workers only one reports it.
pub fn disable_if_failing_since(
    conn: &mut DbConn,
    id: &str,
    cutoff: NaiveDateTime,
    reason: &str,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let n = diesel::update(
        alert_channels::table
            .find(id)
            .filter(alert_channels::enabled.eq(true))
            .filter(alert_channels::failing_since.le(cutoff)),
    )
    .set((
        alert_channels::enabled.eq(false),
        alert_channels::disabled_reason.eq(reason),
        alert_channels::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
