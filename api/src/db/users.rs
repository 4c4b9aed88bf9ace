use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{contains_pattern, schema::users, DbConn, PageRequest};
use crate::error::AppResult;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub email: Option<String>,
    pub password_hash: String,
    pub role: String,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub last_login_at: Option<NaiveDateTime>,
}

#[derive(AsChangeset, Default, Debug)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub email: Option<Option<String>>,
    pub role: Option<String>,
    pub is_active: Option<bool>,
    pub password_hash: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
    pub last_login_at: Option<Option<NaiveDateTime>>,
}

#[derive(Default, Debug, Clone)]
pub struct UserFilter {
    pub q: Option<String>,
    pub role: Option<String>,
    pub is_active: Option<bool>,
}

pub fn insert(conn: &mut DbConn, row: &UserRow) -> AppResult<()> {
    diesel::insert_into(users::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: &str) -> AppResult<Option<UserRow>> {
    Ok(users::table.find(id).select(UserRow::as_select()).first(conn).optional()?)
}

pub fn find_by_username(conn: &mut DbConn, username: &str) -> AppResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn count(conn: &mut DbConn) -> AppResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn update(conn: &mut DbConn, id: &str, changes: &UserChanges) -> AppResult<usize> {
    Ok(diesel::update(users::table.find(id)).set(changes).execute(conn)?)
}

fn filtered(filter: &UserFilter) -> users::BoxedQuery<'static, super::MultiBackend> {
    let mut q = users::table.into_boxed();
    if let Some(text) = filter.q.as_deref().filter(|t| !t.is_empty()) {
        let pattern = contains_pattern(text);
        q = q.filter(
            users::username.like(pattern.clone()).escape('\\').or(users::email.like(pattern).escape('\\')),
        );
    }
    if let Some(role) = &filter.role {
        q = q.filter(users::role.eq(role.clone()));
    }
    if let Some(active) = filter.is_active {
        q = q.filter(users::is_active.eq(active));
    }
    q
}

pub fn list(conn: &mut DbConn, filter: &UserFilter, page: PageRequest) -> AppResult<(Vec<UserRow>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((users::created_at.asc(), users::id.asc()))
        .limit(page.limit)
        .offset(page.offset())
        .select(UserRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}
