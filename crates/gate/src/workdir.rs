//! Applies a parsed patch to a checkout directory: computes every file's new content in memory first, and
//! writes only when every hunk of every file applied, so a FAIL never leaves a half-patched tree to the checks.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::apply::{HunkError, MatchMode, apply_hunks};
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
        let content = match apply_hunks(
            old_content,
            &fp.hunks,
            mode,
            deleting && mode == MatchMode::Strict,
        ) {
            Ok(c) => c,
            Err(failures) => {
                for f in failures {
                    let code = match f.error {
                        HunkError::Ambiguous { .. } => ReasonCode::PatchAmbiguous,
                        _ => ReasonCode::PatchDoesNotApply,
                    };
                    reasons.push(
                        Reason::new(code, f.message(&name))
                            .with_file(Some(name.clone()))
                            .with_hunk(f.hunk),
                    );
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
    let content = std::fs::read(&target).map_err(|e| GateError::io(&target, e))?;
    let mode = if meta.permissions().mode() & 0o111 != 0 {
        MODE_EXECUTABLE
    } else {
        MODE_FILE
    };
    Ok(Ok(Some((content, mode))))
}
