//! Owner-only files: the data dir (0700) and what in it holds secrets or data (0600), so other
//! local users read neither the rendered nginx.conf, the secrets nor the SQLite database.

use std::path::{Path, PathBuf};

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(not(unix))]
fn chmod(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

/// Creates `dir` if needed and makes it owner-only.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    chmod(dir, 0o700)
}

/// Makes existing files owner-only (absent ones are skipped).
pub fn private_files<'a>(paths: impl IntoIterator<Item = &'a Path>) -> std::io::Result<()> {
    paths.into_iter().try_for_each(|p| chmod(p, 0o600))
}

/// Writes `content` to a file that is owner-only from its first byte on.
pub fn write_private(path: &Path, content: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path)?;
    // `mode` applies only on creation: an older, wider file is narrowed too.
    chmod(path, 0o600)?;
    file.write_all(content)
}

/// Creates the SQLite database `file` owner-only if it is missing, and narrows an existing one
/// with its `-wal` and `-shm`. SQLite gives the `-wal` and `-shm` files it creates the mode of the
/// database file, so done before SQLite first opens it they are owner-only from their first byte
/// (narrowing them after the pool had opened raced with its first connections).
pub fn private_sqlite(file: &Path) -> std::io::Result<()> {
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    // An empty file is an empty SQLite database. `create_new` never opens an existing one: closing
    // any descriptor of a database drops the POSIX locks SQLite holds on it in this process.
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(file) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let with = |ext: &str| PathBuf::from(format!("{}{ext}", file.display()));
    private_files([file, &with("-wal"), &with("-shm")])
}

#[cfg(all(test, unix))]
mod tests {
    use diesel::{connection::SimpleConnection, Connection, RunQueryDsl, SqliteConnection};
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_new_sqlite_database_and_the_wal_sqlite_creates_later_are_owner_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("nested/argus.db");
        private_sqlite(&db).expect("created");
        let mut conn = SqliteConnection::establish(&db.to_string_lossy()).expect("opens the empty file");
        conn.batch_execute(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);",
        )
        .expect("writes");
        let mode = |ext: &str| {
            let path = PathBuf::from(format!("{}{ext}", db.display()));
            std::fs::metadata(path).expect("exists").permissions().mode() & 0o777
        };
        assert_eq!((mode(""), mode("-wal"), mode("-shm")), (0o600, 0o600, 0o600));
        // An existing database is kept as it is, and narrowed.
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        private_sqlite(&db).expect("again");
        assert_eq!(mode(""), 0o600);
        let count: i64 =
            diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>("(SELECT COUNT(*) FROM t)"))
                .get_result(&mut conn)
                .expect("the row is still there");
        assert_eq!(count, 1);
    }
}
