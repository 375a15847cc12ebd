//! Applies a parsed patch to a checkout directory: computes every file's new content in memory first, and
//! writes only when every hunk of every file applied, so a FAIL never leaves a half-patched tree to the checks.

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use crate::apply::{Budget, HunkError, MatchMode, apply_hunks_within};
use crate::error::{GateError, Result};
use crate::patch::{MODE_EXECUTABLE, MODE_FILE, Patch};
use crate::report::{Reason, ReasonCode};

/// A file's content and git mode.
type Entry = (Vec<u8>, u32);

/// Applies `patch` under `root`. The outer error is infrastructure (I/O); the inner one the patch's fault.
pub(crate) fn apply_to_dir(
    root: &Path,
    patch: &Patch,
    mode: MatchMode,
) -> Result<std::result::Result<(), Vec<Reason>>> {
    let mut overlay: BTreeMap<String, Option<Entry>> = BTreeMap::new();
    let mut reasons = Vec::new();
    // One budget for the whole patch: many small files must not multiply the allowance.
    let mut budget = Budget::default();
    for fp in &patch.files {
        let name = fp.display_path().to_owned();
        let refuse = |message: String| {
            Reason::new(ReasonCode::PatchDoesNotApply, format!("{name}: {message}"))
                .with_file(Some(name.clone()))
        };
        let source = match &fp.old_path {
            None => None,
            Some(old) => match read(root, &overlay, old)? {
                Ok(Some(entry)) => Some(entry),
                Ok(None) => {
                    reasons.push(refuse(format!("{old} does not exist in the base revision")));
                    continue;
                }
                Err(why) => {
                    reasons.push(refuse(why));
                    continue;
                }
            },
        };
        if let Some(new) = &fp.new_path
            && fp.old_path.as_deref() != Some(new.as_str())
        {
            match read(root, &overlay, new)? {
                Ok(None) => {}
                Ok(Some(_)) | Err(_) => {
                    reasons.push(refuse(format!("{new} already exists")));
                    continue;
                }
            }
        }
        let old_content = source.as_ref().map(|(c, _)| c.as_slice()).unwrap_or(b"");
        let deleting = fp.new_path.is_none();
        let content = match apply_hunks_within(
            old_content,
            &fp.hunks,
            mode,
            deleting && mode == MatchMode::Strict,
            &mut budget,
        ) {
            Ok(c) => c,
            Err(failures) => {
                let mut too_costly = false;
                for f in failures {
                    let code = match f.error {
                        HunkError::Ambiguous { .. } => ReasonCode::PatchAmbiguous,
                        HunkError::TooCostly { .. } => {
                            too_costly = true;
                            ReasonCode::PatchTooCostly
                        }
                        _ => ReasonCode::PatchDoesNotApply,
                    };
                    reasons.push(
                        Reason::new(code, f.message(&name))
                            .with_file(Some(name.clone()))
                            .with_hunk(f.hunk),
                    );
                }
                if too_costly {
                    // The budget is spent: every later file would fail the same way.
                    return Ok(Err(reasons));
                }
                continue;
            }
        };
        if let Some(old) = &fp.old_path
            && (deleting || (fp.new_path.as_deref() != Some(old.as_str()) && !fp.is_copy))
        {
            overlay.insert(old.clone(), None);
        }
        if let Some(new) = &fp.new_path {
            let file_mode = fp
                .new_mode
                .or(source.as_ref().map(|(_, m)| *m))
                .unwrap_or(MODE_FILE);
            overlay.insert(new.clone(), Some((content, file_mode)));
        }
    }
    if !reasons.is_empty() {
        return Ok(Err(reasons));
    }
    // Deletions sort before paths beneath them ("a" < "a/b"), so a file replaced by a directory works.
    for (path, entry) in &overlay {
        let target = root.join(path);
        match entry {
            None => match std::fs::remove_file(&target) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(GateError::io(&target, e)),
            },
            Some((content, file_mode)) => {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| GateError::io(parent, e))?;
                }
                std::fs::write(&target, content).map_err(|e| GateError::io(&target, e))?;
                let perm = if *file_mode == MODE_EXECUTABLE {
                    0o755
                } else {
                    0o644
                };
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(perm))
                    .map_err(|e| GateError::io(&target, e))?;
            }
        }
    }
    Ok(Ok(()))
}

/// The current content of `path`: the overlay's pending state, else the disk. `Ok(Err)` is a patch problem.
fn read(
    root: &Path,
    overlay: &BTreeMap<String, Option<Entry>>,
    path: &str,
) -> Result<std::result::Result<Option<Entry>, String>> {
    if let Some(state) = overlay.get(path) {
        return Ok(Ok(state.clone()));
    }
    let target = root.join(path);
    let meta = match std::fs::symlink_metadata(&target) {
        Ok(m) => m,
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                || e.raw_os_error() == Some(libc::ENOTDIR) =>
        {
            return Ok(Ok(None));
        }
        Err(e) => return Err(GateError::io(&target, e)),
    };
    if meta.file_type().is_symlink() {
        return Ok(Err(format!("{path} is a symlink")));
    }
    if meta.is_dir() {
        return Ok(Err(format!("{path} is a directory")));
    }
    if !meta.is_file() {
        return Ok(Err(format!(
            "{path} is not a regular file (a FIFO, socket or device)"
        )));
    }
    let content = match read_regular(&target) {
        Ok(Some(c)) => c,
        Ok(None) => {
            return Ok(Err(format!(
                "{path} changed into something that is not a regular file"
            )));
        }
        Err(e) => return Err(GateError::io(&target, e)),
    };
    let mode = if meta.permissions().mode() & 0o111 != 0 {
        MODE_EXECUTABLE
    } else {
        MODE_FILE
    };
    Ok(Ok(Some((content, mode))))
}

/// Reads `target` only if it is a regular file: `O_NOFOLLOW` refuses a symlink swapped in after the `lstat`,
/// `O_NONBLOCK` keeps a FIFO from blocking the open, and the type is checked again on the open descriptor.
/// `Ok(None)` when it is not a regular file.
fn read_regular(target: &Path) -> std::io::Result<Option<Vec<u8>>> {
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(target)
    {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(None);
    }
    let mut content = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // Bounded by the size seen on the descriptor: a file that grows while being read cannot stretch it.
    file.take(meta.len()).read_to_end(&mut content)?;
    Ok(Some(content))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::patch::parse;

    fn copy_from(source: &str) -> Patch {
        let text = format!(
            "diff --git a/{source} b/copy.txt\nsimilarity index 100%\ncopy from {source}\ncopy to copy.txt\n"
        );
        parse(text.as_bytes(), false).unwrap()
    }

    fn refused(dir: &Path, source: &str) -> String {
        let started = std::time::Instant::now();
        let reasons = apply_to_dir(dir, &copy_from(source), MatchMode::Strict)
            .unwrap()
            .unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert!(!dir.join("copy.txt").exists(), "nothing written");
        reasons[0].message.clone()
    }

    /// Attack: a FIFO as a copy source hung the gate in `read` while it held a slot. Git cannot commit a FIFO, so
    /// this is the last line of defence behind the policy: only regular files are ever opened.
    #[test]
    fn fifo_source_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let msg = refused(dir.path(), "pipe");
        assert!(msg.contains("not a regular file"), "{msg}");
    }

    /// Attack: `copy from` a link to `/dev/zero` or a secret; never followed.
    #[test]
    fn symlink_source_is_refused_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero")).unwrap();
        let msg = refused(dir.path(), "zero");
        assert!(msg.contains("symlink"), "{msg}");
    }

    #[test]
    fn regular_source_is_copied() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "hello\n").unwrap();
        apply_to_dir(dir.path(), &copy_from("a.txt"), MatchMode::Strict)
            .unwrap()
            .unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("copy.txt")).unwrap(),
            b"hello\n"
        );
    }

    #[test]
    fn read_regular_refuses_devices_and_links() {
        assert_eq!(read_regular(Path::new("/dev/zero")).unwrap(), None);
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/etc/hostname", dir.path().join("l")).unwrap();
        assert_eq!(read_regular(&dir.path().join("l")).unwrap(), None);
    }
}
