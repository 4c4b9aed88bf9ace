//! Size and free space of the filesystem holding a path (`statvfs`).

use std::{ffi::CString, io, os::unix::ffi::OsStrExt, path::Path};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiskSpace {
    pub total: u64,
    /// Bytes an unprivileged writer can still use (`f_bavail`, not the root reserve).
    pub free: u64,
}

pub fn disk_space(path: &Path) -> io::Result<DiskSpace> {
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let mut st = std::mem::MaybeUninit::<libc::statvfs>::zeroed();
    // SAFETY: `c_path` is NUL-terminated and `st` is a valid out-pointer for the call.
    if unsafe { libc::statvfs(c_path.as_ptr(), st.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: statvfs returned 0, so it filled `st`.
    let st = unsafe { st.assume_init() };
    let unit = st.f_frsize as u64;
    Ok(DiskSpace { total: st.f_blocks as u64 * unit, free: st.f_bavail as u64 * unit })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_has_a_disk_with_some_space_and_a_missing_one_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let space = disk_space(dir.path()).expect("statvfs");
        assert!(space.total > 0 && space.free <= space.total, "{space:?}");
        assert!(disk_space(&dir.path().join("missing")).is_err());
    }
}
