//! The data layer. This module is the only place that knows there are two database backends:
//! one `DbConn` (diesel `MultiConnection`) over SQLite or MySQL/MariaDB, picked from the URL scheme.

pub mod alert_channels;
pub mod alert_deliveries;
pub mod alerts;
pub mod api_tokens;
pub mod audit;
pub mod audit_chain;
pub mod breaker;
pub mod cameras;
mod enum_columns;
pub mod exports;
pub mod footage_tombstones;
pub mod job_runs;
pub mod object_deletions;
pub mod recording_tiers;
pub mod recording_totals;
pub mod recordings;
pub mod schema;
pub mod sessions;
pub mod storage_usage;
pub mod stream_sessions;
pub mod timeline;
pub mod users;

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::{connection::SimpleConnection, Connection, MysqlConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{AppError, AppResult};

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    Mysql(MysqlConnection),
}

/// Rows per multi-row INSERT: far below SQLite's 32,766 bound parameters and MySQL's packet size.
const INSERT_CHUNK: usize = 256;

/// One multi-row `INSERT` per chunk of `rows`. MultiConnection cannot express a multi-row insert
/// through its shared backend type, so this is done per backend.
macro_rules! insert_many {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let mut inserted = 0usize;
        for chunk in $rows.chunks($crate::db::INSERT_CHUNK) {
            inserted += match $conn {
                $crate::db::DbConn::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                $crate::db::DbConn::Mysql(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
        Ok::<usize, $crate::error::AppError>(inserted)
    }};
}
pub(crate) use insert_many;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Mysql,
}

impl Backend {
    pub fn from_url(url: &str) -> AppResult<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("mysql://") {
            Ok(Backend::Mysql)
        } else {
            Err(AppError::internal("DATABASE_URL must start with sqlite:// or mysql://"))
        }
    }
}

/// Public so a test can revert and re-run one migration around rows it sets up (a backfill).
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const MYSQL_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/mysql");

/// r2d2 manager that picks the backend from the URL itself, so a MySQL connection failure shows
/// MySQL's real error instead of MultiConnection's generic "invalid connection url".
#[derive(Debug)]
pub struct DbConnManager {
    url: String,
    breaker: std::sync::Arc<breaker::Breaker>,
}

/// `sqlite://./data/argus.db`, `sqlite:///abs/path.db` or `sqlite:relative.db` → filesystem path.
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url)
}

impl r2d2::ManageConnection for DbConnManager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        let result = self.establish();
        match &result {
            Ok(_) => self.breaker.connect_succeeded(),
            Err(e) => self.breaker.connect_failed(&e.to_string()),
        }
        result
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1").map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

impl DbConnManager {
    fn establish(&self) -> Result<DbConn, diesel::r2d2::Error> {
        use diesel::r2d2::Error as E;
        match Backend::from_url(&self.url) {
            Ok(Backend::Sqlite) => {
                let mut conn =
                    SqliteConnection::establish(sqlite_path(&self.url)).map_err(E::ConnectionError)?;
                // WAL lets readers run beside the writer; busy_timeout makes concurrent writers
                // wait instead of failing with "database is locked".
                // busy_timeout first, so the pragmas after it wait for a lock instead of failing.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(E::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
            Ok(Backend::Mysql) => {
                let mut conn = MysqlConnection::establish(&self.url).map_err(E::ConnectionError)?;
                conn.batch_execute("SET time_zone = '+00:00'").map_err(E::QueryError)?;
                Ok(DbConn::Mysql(conn))
            }
            Err(e) => Err(E::ConnectionError(diesel::ConnectionError::InvalidConnectionUrl(e.message))),
        }
    }
}

pub type Pool = r2d2::Pool<DbConnManager>;

/// Cheap to clone; every query runs through [`Db::run`] on the blocking thread pool.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    breaker: std::sync::Arc<breaker::Breaker>,
}

impl Db {
    /// Builds the pool and checks one connection, so a wrong URL fails at start-up.
    pub fn connect(url: &str, max_size: u32) -> AppResult<Db> {
        let backend = Backend::from_url(url)?;
        let file = sqlite_path(url);
        if backend == Backend::Sqlite && !file.starts_with(":memory:") {
            // Owner-only before SQLite first opens it, for the server and every CLI command alike.
            crate::infra::private::private_sqlite(std::path::Path::new(file))
                .map_err(|e| AppError::internal(format!("cannot create {file}: {e}")))?;
        }
        if backend == Backend::Sqlite {
            // WAL (readers beside the writer) is a property of the file: set it once, from one
            // connection, before the pool opens several at the same time.
            let mut conn = SqliteConnection::establish(sqlite_path(url))
                .map_err(|e| AppError::unavailable(format!("cannot open the database: {e}")))?;
            conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")?;
        }
        let breaker = std::sync::Arc::new(breaker::Breaker::default());
        // The pool's connection timeout also caps r2d2's reconnect backoff at half of it, which
        // bounds how long after the database returns the service notices (see `breaker`).
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .connection_timeout(std::time::Duration::from_secs(1))
            .build_unchecked(DbConnManager { url: url.to_string(), breaker: breaker.clone() });
        // At start-up a database that is still coming up gets 10 s.
        pool.get_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| AppError::unavailable(format!("cannot connect to the database: {e}")))?;
        Ok(Db { pool, backend, breaker })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs blocking diesel code off the async workers.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let breaker = self.breaker.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = breaker.checkout(&pool)?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::internal(format!("database task failed: {e}")))?
    }

    /// Like [`Db::run`] inside one transaction. A transaction the database aborted because of
    /// a concurrent one (deadlock, lock timeout) is run again, up to [`TRANSACTION_ATTEMPTS`]
    /// times with random back-off, so callers never see — or lose work to — an ordinary write conflict.
    pub async fn transaction<T, F>(&self, mut f: F) -> AppResult<T>
    where
        F: FnMut(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| {
            let mut attempt = 1;
            loop {
                let result = match conn {
                    DbConn::Sqlite(_) => sqlite_immediate_transaction(conn, &mut f),
                    DbConn::Mysql(_) => conn.transaction(&mut f),
                };
                match result {
                    Err(e) if e.transient && attempt < TRANSACTION_ATTEMPTS => {
                        tracing::info!(attempt, error = %e, "transaction conflict; retrying");
                        // Random back-off: colliding writers must not retry in lockstep.
                        let ms = rand::random_range(1..=10 * u64::from(attempt));
                        std::thread::sleep(std::time::Duration::from_millis(ms));
                        attempt += 1;
                    }
                    other => return other,
                }
            }
        })
        .await
    }

    /// Applies pending migrations, then chains audit rows written before the chain existed.
    pub async fn migrate(&self) -> AppResult<Vec<String>> {
        let applied = self.run(run_migrations).await?;
        while self.transaction(|c| audit_chain::backfill(c, audit_chain::BACKFILL_CHUNK)).await?
            == audit_chain::BACKFILL_CHUNK
        {}
        Ok(applied)
    }

    pub async fn ping(&self) -> AppResult<()> {
        self.run(|conn| conn.batch_execute("SELECT 1").map_err(AppError::from)).await
    }
}

/// SQLite's default deferred transaction reads under a shared lock and fails with "database is
/// locked" (without waiting) when it later needs to write while another writer is active.
/// `BEGIN IMMEDIATE` takes the write lock up front, so concurrent writers queue on busy_timeout.
/// Attempts of one transaction that keeps colliding with concurrent ones.
pub const TRANSACTION_ATTEMPTS: u32 = 8;

fn sqlite_immediate_transaction<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> AppResult<T>,
) -> AppResult<T> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    if let DbConn::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    }
    let result = f(conn);
    if let DbConn::Sqlite(c) = conn {
        match &result {
            Ok(_) => AnsiTransactionManager::commit_transaction(c)?,
            Err(_) => {
                if let Err(e) = AnsiTransactionManager::rollback_transaction(c) {
                    tracing::error!(error = %e, "sqlite rollback failed");
                }
            }
        }
    }
    result
}

fn run_migrations(conn: &mut DbConn) -> AppResult<Vec<String>> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConn::Mysql(c) => c.run_pending_migrations(MYSQL_MIGRATIONS),
    }
    .map_err(|e| AppError::internal(format!("migration failed: {e}")))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// Current UTC time at microsecond precision: what both backends store losslessly.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// Row ids: UUIDv7, time-ordered, so new rows go to the end of every primary-key index (an
/// InnoDB clustered index, a SQLite B-tree) instead of a random page each. Ids are not secrets.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// `LIKE` pattern matching `text` anywhere, with the wildcards in `text` escaped.
pub fn contains_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Paging request clamped to sane bounds.
#[derive(Clone, Copy, Debug)]
pub struct PageRequest {
    pub page: i64,
    pub limit: i64,
}

impl PageRequest {
    pub const MAX_LIMIT: i64 = 100;
    /// Far past any real table, and `(page - 1) * limit` still fits an i64 (no overflow, no
    /// negative OFFSET reaching the database).
    pub const MAX_PAGE: i64 = 1_000_000_000_000;

    pub fn new(page: Option<i64>, limit: Option<i64>) -> Self {
        PageRequest {
            page: page.unwrap_or(1).clamp(1, Self::MAX_PAGE),
            limit: limit.unwrap_or(25).clamp(1, Self::MAX_LIMIT),
        }
    }
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.limit
    }
}
