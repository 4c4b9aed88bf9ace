//! Free space on a filesystem, for the HOT disk floor (`statvfs(3)`).

use std::{ffi::CString, io, os::unix::ffi::OsStrExt, path::Path};

/// A filesystem's size and the bytes an unprivileged writer may still use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiskSpace {
    pub total: u64,
    pub available: u64,
}

/// The space of the filesystem holding `path` (which must exist).
#[allow(clippy::useless_conversion)] // the statvfs field types vary between targets
pub fn space(path: &Path) -> io::Result<DiskSpace> {
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
    // SAFETY: `stat` is plain data that statvfs fills in; `c_path` is a valid C string.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stat) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let unit = u64::from(stat.f_frsize);
    let (blocks, avail) = (u64::from(stat.f_blocks), u64::from(stat.f_bavail));
    Ok(DiskSpace { total: blocks.saturating_mul(unit), available: avail.saturating_mul(unit) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filesystem_of_a_directory_has_a_size_and_free_space_within_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = space(dir.path()).expect("statvfs");
        assert!(s.total > 0 && s.available <= s.total, "{s:?}");
        assert!(space(&dir.path().join("missing")).is_err());
    }
}
