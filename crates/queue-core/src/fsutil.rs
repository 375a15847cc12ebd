//! Durable filesystem primitives: no-overwrite rename, directory fsync, atomic file creation.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Renames `from` to `to`, failing with `AlreadyExists` instead of replacing `to`, and with `NotFound` when
/// `from` is gone (someone else moved it first — this is how exclusive claims are decided).
///
/// Linux: `renameat2(RENAME_NOREPLACE)`; where the filesystem does not support it, `link` + `unlink`, which is
/// equally exclusive (`link` never replaces).
pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let f = CString::new(from.as_os_str().as_bytes())?;
        let t = CString::new(to.as_os_str().as_bytes())?;
        // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                f.as_ptr(),
                libc::AT_FDCWD,
                t.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::ENOTSUP) => {}
            _ => return Err(err),
        }
    }
    std::fs::hard_link(from, to)?;
    std::fs::remove_file(from)
}

/// fsyncs a directory so that entries created, removed or renamed in it survive a crash.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    match File::open(dir)?.sync_all() {
        Ok(()) => Ok(()),
        // Some filesystems (and Docker Desktop's shared folders) refuse fsync on directories; as PostgreSQL's
        // durable_rename does, treat that as "nothing more can be done".
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::EBADF)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Creates `path` (which must not exist) holding `bytes`, and fsyncs it. On any failure (a full disk part-way
/// through) the file is removed, so nothing half-written is left behind. The directory is not fsynced: this is
/// for staging files that are renamed into place afterwards.
pub fn create_durable(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let res = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).open(path)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(path);
    }
    res
}

/// Writes `bytes` to a new file `tmp` (which must not exist), fsyncs it, and moves it to `dest` without
/// overwriting; fsyncs `dest`'s directory. On any failure the temporary file is removed.
pub fn write_new_durable(tmp: &Path, dest: &Path, bytes: &[u8]) -> io::Result<()> {
    let res = (|| {
        create_durable(tmp, bytes)?;
        rename_noreplace(tmp, dest)?;
        if let Some(parent) = dest.parent() {
            sync_dir(parent)?;
        }
        Ok(())
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    res
}

/// Writes `bytes` to `tmp`, fsyncs it and renames it over `dest` (replacing it), then fsyncs the directory.
/// Readers of `dest` see the old bytes or the new ones, never an empty or half-written file; on failure `dest`
/// is untouched.
pub fn write_replace_durable(tmp: &Path, dest: &Path, bytes: &[u8]) -> io::Result<()> {
    let res = (|| {
        create_durable(tmp, bytes)?;
        std::fs::rename(tmp, dest)?;
        if let Some(parent) = dest.parent() {
            sync_dir(parent)?;
        }
        Ok(())
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noreplace_refuses_to_overwrite_and_reports_missing_source() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a");
        let b = d.path().join("b");
        std::fs::write(&a, "A").unwrap();
        std::fs::write(&b, "B").unwrap();
        let e = rename_noreplace(&a, &b).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "B");
        std::fs::remove_file(&b).unwrap();
        rename_noreplace(&a, &b).unwrap();
        let e = rename_noreplace(&a, &b).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }
}
