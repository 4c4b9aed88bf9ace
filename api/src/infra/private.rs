//! Owner-only files: the data dir (0700) and what in it holds secrets or data (0600), so other
//! local users read neither the rendered nginx.conf, the secrets nor the SQLite database.

use std::path::Path;

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
