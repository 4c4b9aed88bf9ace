//! Runs of the scheduled jobs (written by [`crate::services::job_runs`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::job_runs, DbConn, PageRequest};
use crate::{domain::JobOutcome, error::AppResult};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = job_runs)]
pub struct JobRunRow {
    pub id: String,
    pub job: String,
    /// The node (`ARGUS_NODE_ID`) that ran it.
    pub node: String,
    pub started_at: NaiveDateTime,
    pub finished_at: NaiveDateTime,
    pub duration_ms: i64,
    pub outcome: JobOutcome,
    /// What the run handled (rows moved, chunks rotated, …); 0 when it failed or was skipped.
    pub items: i64,
    pub error: Option<String>,
}

pub fn insert(conn: &mut DbConn, row: &JobRunRow) -> AppResult<()> {
    diesel::insert_into(job_runs::table).values(row).execute(conn)?;
    Ok(())
}

/// The runs of `job`, newest first, one page, and how many there are.
pub fn page(conn: &mut DbConn, job: &str, page: PageRequest) -> AppResult<(Vec<JobRunRow>, i64)> {
    let total = job_runs::table.filter(job_runs::job.eq(job)).count().get_result(conn)?;
    let rows = job_runs::table
        .filter(job_runs::job.eq(job))
        .order((job_runs::started_at.desc(), job_runs::id.desc()))
        .limit(page.limit)
        .offset(page.offset())
        .select(JobRunRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Deletes runs that started before `before`; returns how many.
pub fn prune(conn: &mut DbConn, before: NaiveDateTime) -> AppResult<usize> {
    Ok(diesel::delete(job_runs::table.filter(job_runs::started_at.lt(before))).execute(conn)?)
}
