use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    schema::{api_token_cameras, api_tokens},
    DbConn, PageRequest,
};
use crate::error::AppResult;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = api_tokens)]
pub struct ApiTokenRow {
    pub id: String,
    pub remark: String,
    pub prefix: String,
    pub secret_hash: String,
    /// JSON array of permission names.
    pub permissions: String,
    pub all_cameras: bool,
    /// JSON array of CIDR strings; empty = any address.
    pub ip_allowlist: String,
    pub rate_limit_per_hour: i32,
    pub expires_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// Inserts the token and its camera scope in one transaction (MultiConnection has no
/// multi-row insert, so the scope rows go one by one).
pub fn insert(conn: &mut DbConn, row: &ApiTokenRow, camera_ids: &[String]) -> AppResult<()> {
    conn.transaction(|c| {
        diesel::insert_into(api_tokens::table).values(row).execute(c)?;
        for camera_id in camera_ids {
            diesel::insert_into(api_token_cameras::table)
                .values((api_token_cameras::token_id.eq(&row.id), api_token_cameras::camera_id.eq(camera_id)))
                .execute(c)?;
        }
        Ok(())
    })
}

pub fn find(conn: &mut DbConn, id: &str) -> AppResult<Option<ApiTokenRow>> {
    Ok(api_tokens::table.find(id).select(ApiTokenRow::as_select()).first(conn).optional()?)
}

pub fn find_by_hash(conn: &mut DbConn, hash: &str) -> AppResult<Option<ApiTokenRow>> {
    Ok(api_tokens::table
        .filter(api_tokens::secret_hash.eq(hash))
        .select(ApiTokenRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn camera_ids(conn: &mut DbConn, token_id: &str) -> AppResult<Vec<String>> {
    Ok(api_token_cameras::table
        .filter(api_token_cameras::token_id.eq(token_id))
        .select(api_token_cameras::camera_id)
        .order(api_token_cameras::camera_id.asc())
        .load(conn)?)
}

pub fn list(conn: &mut DbConn, page: PageRequest) -> AppResult<(Vec<ApiTokenRow>, i64)> {
    let total = api_tokens::table.count().get_result(conn)?;
    let rows = api_tokens::table
        .order((api_tokens::created_at.desc(), api_tokens::id.asc()))
        .limit(page.limit)
        .offset(page.offset())
        .select(ApiTokenRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn revoke(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> AppResult<usize> {
    Ok(diesel::update(api_tokens::table.find(id).filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(at))
        .execute(conn)?)
}

pub fn touch(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> AppResult<()> {
    diesel::update(api_tokens::table.find(id)).set(api_tokens::last_used_at.eq(at)).execute(conn)?;
    Ok(())
}
