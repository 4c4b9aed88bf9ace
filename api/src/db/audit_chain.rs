//! The audit log's hash chain: every row stores its place (`chain_seq`), the hash of the row
//! before it (`prev_hash`) and its own hash (`row_hash` = SHA-256 over `prev_hash`, a newline
//! and the row's canonical content, see [`link_hash`]). The chain's last link lives in the
//! one-row `audit_chain_head` table, which every appender locks for the rest of its transaction,
//! so concurrent writers queue instead of forking the chain (a unique index on `chain_seq` makes
//! a fork fail even if a caller got the locking wrong).
//!
//! The first link starts from [`GENESIS`]. Pruning deletes a prefix of the chain; verification
//! then trusts the `prev_hash` of the oldest remaining row as its anchor (the `audit.pruned` row
//! written by the pruning records that anchor).

use chrono::{NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::{
    schema::{audit_chain_head, audit_logs},
    DbConn,
};
use crate::{
    domain::{ActorType, AuditAction},
    error::AppResult,
};

/// `prev_hash` of the first row ever written.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Rows chained per transaction by [`backfill`].
pub const BACKFILL_CHUNK: usize = 1000;
/// Rows read per query while verifying, deleted per statement while pruning.
const PAGE: i64 = 1000;

/// An entry's content. Written only through [`append`] (`db::audit::insert` / `insert_all`), which chain it.
// `treat_none_as_default_value = false`: a `None` is inserted as NULL (these columns have no
// other default), which lets SQLite insert many rows in one statement instead of one per row.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = audit_logs, treat_none_as_default_value = false)]
pub struct AuditRow {
    pub id: String,
    pub actor_type: ActorType,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: AuditAction,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = audit_logs, treat_none_as_default_value = false)]
struct ChainedRow {
    #[diesel(embed)]
    row: AuditRow,
    chain_seq: Option<i64>,
    prev_hash: Option<String>,
    row_hash: Option<String>,
}

/// SHA-256 (hex) over the previous link's hash and this row's content. The content is a JSON
/// array (unambiguous field boundaries) of the sequence number and every column, the time at
/// microsecond precision (what both backends store).
pub fn link_hash(prev: &str, seq: i64, r: &AuditRow) -> String {
    let content = serde_json::json!([
        seq,
        r.id,
        r.created_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        r.actor_type.as_str(),
        r.actor_id,
        r.actor_name,
        r.action.as_str(),
        r.entity_type,
        r.entity_id,
        r.before_state,
        r.after_state,
        r.ip,
        r.user_agent,
    ]);
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(content.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// The head (last sequence number and hash), locked until the surrounding transaction ends.
fn lock_head(c: &mut DbConn) -> AppResult<(i64, String)> {
    let head = audit_chain_head::table.find(1).select((audit_chain_head::seq, audit_chain_head::hash));
    Ok(match c {
        // A locking read: sees the latest head even if this transaction read before.
        DbConn::Mysql(m) => head.for_update().first(m)?,
        // A write takes SQLite's database lock at once (a read first could not upgrade to a
        // write later without failing when another writer went first).
        DbConn::Sqlite(s) => {
            diesel::update(audit_chain_head::table.find(1))
                .set(audit_chain_head::seq.eq(audit_chain_head::seq))
                .execute(s)?;
            head.first(s)?
        }
    })
}

fn set_head(c: &mut DbConn, seq: i64, hash: &str) -> AppResult<()> {
    diesel::update(audit_chain_head::table.find(1))
        .set((audit_chain_head::seq.eq(seq), audit_chain_head::hash.eq(hash)))
        .execute(c)?;
    Ok(())
}

/// Appends `rows`, in order, after one read of the locked head: the only way audit rows are
/// written. Runs in the caller's transaction (as a savepoint), or in its own.
pub fn append(c: &mut DbConn, rows: &[AuditRow]) -> AppResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    c.transaction(|c| {
        let (mut seq, mut prev) = lock_head(c)?;
        let chained: Vec<ChainedRow> = rows
            .iter()
            .map(|r| {
                let mut row = r.clone();
                // Hashed as stored: MySQL would round finer timestamps.
                row.created_at = row.created_at.trunc_subsecs(6);
                seq += 1;
                let hash = link_hash(&prev, seq, &row);
                ChainedRow {
                    row,
                    chain_seq: Some(seq),
                    prev_hash: Some(std::mem::replace(&mut prev, hash.clone())),
                    row_hash: Some(hash),
                }
            })
            .collect();
        let n = super::insert_many!(c, audit_logs::table, &chained)?;
        set_head(c, seq, &prev)?;
        Ok(n)
    })
}

/// Chains up to `limit` rows written before the chain existed (oldest first); returns how many.
pub fn backfill(c: &mut DbConn, limit: usize) -> AppResult<usize> {
    let rows: Vec<AuditRow> = audit_logs::table
        .filter(audit_logs::chain_seq.is_null())
        .order((audit_logs::created_at.asc(), audit_logs::id.asc()))
        .limit(limit as i64)
        .select(AuditRow::as_select())
        .load(c)?;
    if rows.is_empty() {
        return Ok(0);
    }
    let (mut seq, mut prev) = lock_head(c)?;
    for row in &rows {
        seq += 1;
        let hash = link_hash(&prev, seq, row);
        diesel::update(audit_logs::table.find(&row.id))
            .set((
                audit_logs::chain_seq.eq(seq),
                audit_logs::prev_hash.eq(&prev),
                audit_logs::row_hash.eq(&hash),
            ))
            .execute(c)?;
        prev = hash;
    }
    set_head(c, seq, &prev)?;
    Ok(rows.len())
}

/// The first broken link: the row (by id, and place in the chain when it has one) and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BrokenLink {
    pub id: String,
    pub seq: Option<i64>,
    pub reason: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct VerifyReport {
    /// Rows checked.
    pub rows: u64,
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
    /// `prev_hash` of the oldest remaining row: genesis, or the last pruned row's hash.
    pub anchor: Option<String>,
    pub broken: Option<BrokenLink>,
}

/// Walks the chain from its oldest remaining row to the head and names the first broken link.
/// Rows appended while it runs (past the head read at the start) are not checked.
pub fn verify(c: &mut DbConn) -> AppResult<VerifyReport> {
    let (head_seq, head_hash): (i64, String) =
        audit_chain_head::table.find(1).select((audit_chain_head::seq, audit_chain_head::hash)).first(c)?;
    let mut report = VerifyReport { rows: 0, first_seq: None, last_seq: None, anchor: None, broken: None };
    let broken =
        |row: &ChainedRow, reason: String| BrokenLink { id: row.row.id.clone(), seq: row.chain_seq, reason };
    // (seq, hash, id) of the last row checked.
    let mut last: Option<(i64, String, String)> = None;
    'walk: loop {
        let after = last.as_ref().map(|(s, _, _)| *s).unwrap_or(i64::MIN);
        let page: Vec<ChainedRow> = audit_logs::table
            .filter(audit_logs::chain_seq.gt(after))
            .filter(audit_logs::chain_seq.le(head_seq))
            .order(audit_logs::chain_seq.asc())
            .limit(PAGE)
            .select(ChainedRow::as_select())
            .load(c)?;
        let full = page.len() as i64 == PAGE;
        for row in page {
            let seq = row.chain_seq.unwrap_or_default();
            let (Some(prev), Some(stored)) = (&row.prev_hash, &row.row_hash) else {
                report.broken = Some(broken(&row, "hash columns are empty".into()));
                break 'walk;
            };
            match &last {
                None => {
                    if seq == 1 && prev != GENESIS {
                        report.broken =
                            Some(broken(&row, "the first row does not start from genesis".into()));
                        break 'walk;
                    }
                    report.first_seq = Some(seq);
                    report.anchor = Some(prev.clone());
                }
                Some((last_seq, last_hash, last_id)) => {
                    if seq != last_seq + 1 {
                        let reason = format!("rows {}..={} before it are missing", last_seq + 1, seq - 1);
                        report.broken = Some(broken(&row, reason));
                        break 'walk;
                    }
                    if prev != last_hash {
                        let reason = format!("prev_hash is not the hash of the row before it ({last_id})");
                        report.broken = Some(broken(&row, reason));
                        break 'walk;
                    }
                }
            }
            if &link_hash(prev, seq, &row.row) != stored {
                report.broken = Some(broken(&row, "content does not match its hash (row edited)".into()));
                break 'walk;
            }
            report.rows += 1;
            last = Some((seq, stored.clone(), row.row.id.clone()));
        }
        if !full {
            break;
        }
    }
    if report.broken.is_none() {
        report.broken = check_tail(c, last.as_ref(), head_seq, &head_hash)?;
    }
    report.last_seq = last.map(|(s, _, _)| s);
    Ok(report)
}

/// The chain must end at the head (no rows deleted from its end) and every row must be in it.
fn check_tail(
    c: &mut DbConn,
    last: Option<&(i64, String, String)>,
    head_seq: i64,
    head_hash: &str,
) -> AppResult<Option<BrokenLink>> {
    match last {
        Some((seq, hash, id)) if *seq != head_seq || hash != head_hash => {
            return Ok(Some(BrokenLink {
                id: id.clone(),
                seq: Some(*seq),
                reason: format!("rows after it are missing (the chain's head is at {head_seq})"),
            }))
        }
        None if head_seq > 0 => {
            return Ok(Some(BrokenLink {
                id: String::new(),
                seq: None,
                reason: format!("every row is missing (the chain's head is at {head_seq})"),
            }))
        }
        _ => {}
    }
    let unchained: Option<String> = audit_logs::table
        .filter(audit_logs::chain_seq.is_null())
        .select(audit_logs::id)
        .first(c)
        .optional()?;
    Ok(unchained.map(|id| BrokenLink { id, seq: None, reason: "not in the chain".into() }))
}

/// Deletes the chain's prefix of rows older than `cutoff`, [`PAGE`] rows per statement: the
/// rows before the oldest one written at or after `cutoff`, so the rest stays one unbroken
/// chain even where clocks put a row slightly out of order. Returns how many were deleted.
pub fn prune_before(c: &mut DbConn, cutoff: NaiveDateTime) -> AppResult<usize> {
    let keep_from: Option<i64> = audit_logs::table
        .filter(audit_logs::created_at.ge(cutoff))
        .select(diesel::dsl::min(audit_logs::chain_seq))
        .first(c)?;
    let keep_from = match keep_from {
        Some(seq) => seq,
        // Nothing recent: everything up to the head goes.
        None => audit_chain_head::table.find(1).select(audit_chain_head::seq).first::<i64>(c)? + 1,
    };
    let mut deleted = 0;
    loop {
        let oldest: Option<i64> =
            audit_logs::table.select(diesel::dsl::min(audit_logs::chain_seq)).first(c)?;
        let Some(oldest) = oldest.filter(|s| *s < keep_from) else { break };
        let upto = keep_from.min(oldest + PAGE);
        deleted += diesel::delete(audit_logs::table.filter(audit_logs::chain_seq.lt(upto))).execute(c)?;
    }
    Ok(deleted)
}

/// The oldest remaining link (sequence number and `prev_hash`), the anchor of verification.
pub fn anchor(c: &mut DbConn) -> AppResult<Option<(i64, String)>> {
    let row: Option<(Option<i64>, Option<String>)> = audit_logs::table
        .filter(audit_logs::chain_seq.is_not_null())
        .order(audit_logs::chain_seq.asc())
        .select((audit_logs::chain_seq, audit_logs::prev_hash))
        .first(c)
        .optional()?;
    Ok(row.and_then(|(s, p)| Some((s?, p?))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hashed bytes are the spellings the columns always held: rows chained by any earlier
    /// version (when these fields were strings) still verify. The expected hash is SHA-256 over
    /// genesis, a newline and the JSON array written out by hand.
    #[test]
    fn a_link_hashes_the_stored_spellings() {
        let row = AuditRow {
            id: "r1".into(),
            actor_type: ActorType::User,
            actor_id: Some("u1".into()),
            actor_name: Some("admin".into()),
            action: AuditAction::CameraCreated,
            entity_type: Some("camera".into()),
            entity_id: Some("c1".into()),
            before_state: None,
            after_state: Some(r#"{"a":1}"#.into()),
            ip: Some("127.0.0.1".into()),
            user_agent: None,
            created_at: chrono::NaiveDate::from_ymd_opt(2026, 1, 2)
                .and_then(|d| d.and_hms_micro_opt(3, 4, 5, 123_456))
                .expect("valid time"),
        };
        // [7,"r1","2026-01-02T03:04:05.123456","user","u1","admin","camera.created","camera","c1",
        //  null,"{\"a\":1}","127.0.0.1",null]
        assert_eq!(
            link_hash(GENESIS, 7, &row),
            "3a225afc19ea1f3ed3763f2aecc9d0a17f7654eef9ae94a97f457b246650adb2"
        );
    }
}
