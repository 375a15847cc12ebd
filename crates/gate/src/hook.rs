//! Git hooks that gate merges and pushes: `pre-merge-commit` and `pre-push`.
//!
//! [`install_hook`] writes small `sh` scripts that run `autodev gate --hook KIND`; [`run_hook`] is what that
//! command does. Scripts carry [`HOOK_MARKER`], so [`uninstall_hook`] removes only what autodev wrote, and
//! [`install_hook`] refuses to replace anyone else's hook unless forced (the old one is kept as a backup and
//! restored on uninstall).

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{GateError, Result};
use crate::gate::{Gate, GateRequest};
use crate::git::{self, Git};
use crate::report::GateReport;

/// The line that marks a hook as autodev's.
pub const HOOK_MARKER: &str = "# autodev-gate-hook v1";

/// The most standard input a pre-push hook accepts: git writes one line per pushed ref (two object ids and two
/// ref names, a few hundred bytes), so 1 MiB is thousands of refs. More is refused rather than held in memory.
pub const MAX_HOOK_STDIN_BYTES: u64 = 1024 * 1024;

/// Suffix of the backup kept when `--force` replaces a foreign hook.
const BACKUP_SUFFIX: &str = ".autodev-backup";

/// Which hook is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HookKind {
    /// Runs inside `git merge` before the merge commit is written: gates what the merge brings to HEAD.
    PreMergeCommit,
    /// Runs inside `git push`: gates every pushed range (read from standard input).
    PrePush,
}

impl HookKind {
    pub const ALL: [HookKind; 2] = [HookKind::PreMergeCommit, HookKind::PrePush];

    /// The hook's file name, which is also its `--hook` value.
    pub fn name(self) -> &'static str {
        match self {
            HookKind::PreMergeCommit => "pre-merge-commit",
            HookKind::PrePush => "pre-push",
        }
    }
}

/// Options for [`install_hook`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstallOptions {
    /// Replace hooks autodev did not write (they are kept as `<hook>.autodev-backup`).
    pub force: bool,
    /// The `autodev` binary to bake into the scripts (the CLI passes its own path). `AUTODEV_BIN` in the
    /// environment overrides it when the hook runs; with neither, `autodev` is looked up on PATH.
    pub autodev_bin: Option<PathBuf>,
}

/// The repository's hooks directory (honours `core.hooksPath`, including the user's global setting).
pub fn hooks_dir(repo: &Path) -> Result<PathBuf> {
    // Not the scrubbed `Git`: that one forces core.hooksPath=/dev/null. Only GIT_* variables are dropped.
    let mut cmd = Command::new("git");
    cmd.current_dir(repo)
        .args(["rev-parse", "--git-path", "hooks"]);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("GIT_") {
            cmd.env_remove(k);
        }
    }
    let out = cmd
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| GateError::RepoNotFound {
            path: repo.to_owned(),
            detail: format!("cannot run git: {e}"),
        })?;
    if !out.status.success() {
        let detail = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        return Err(GateError::RepoNotFound {
            path: repo.to_owned(),
            detail,
        });
    }
    let rel = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    Ok(if rel.is_absolute() {
        rel
    } else {
        repo.join(rel)
    })
}

/// The script for one hook.
pub fn hook_script(kind: HookKind, autodev_bin: Option<&Path>) -> String {
    let baked = autodev_bin
        .map(|p| shell_quote(&p.to_string_lossy()))
        .unwrap_or_else(|| "''".to_owned());
    let name = kind.name();
    format!(
        r#"#!/bin/sh
{HOOK_MARKER}
# Installed by `autodev gate install-hook`; remove with `autodev gate uninstall-hook`.
# Runs `autodev gate --hook {name}`: a FAIL (or an error) blocks the operation. Bypass once with --no-verify.
baked={baked}
bin="${{AUTODEV_BIN:-$baked}}"
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  bin=$(command -v autodev) || {{
    echo "autodev gate hook: autodev not found (set AUTODEV_BIN or put autodev on PATH)" >&2
    exit 2
  }}
fi
exec "$bin" gate --hook {name}
"#
    )
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.lines().any(|l| l.trim() == HOOK_MARKER))
}

/// Writes both hooks. Returns the paths written. Fails with [`GateError::ForeignHook`] (writing nothing) when
/// a hook autodev did not write exists and `force` is off.
pub fn install_hook(repo: &Path, options: &InstallOptions) -> Result<Vec<PathBuf>> {
    let dir = hooks_dir(repo)?;
    std::fs::create_dir_all(&dir).map_err(|e| GateError::io(&dir, e))?;
    // Check both before writing either, so a refusal leaves nothing half-installed.
    for kind in HookKind::ALL {
        let path = dir.join(kind.name());
        if path.exists() && !is_ours(&path) && !options.force {
            return Err(GateError::ForeignHook { path });
        }
    }
    let mut written = Vec::new();
    for kind in HookKind::ALL {
        let path = dir.join(kind.name());
        if path.exists() && !is_ours(&path) {
            let backup = backup_path(&path);
            std::fs::rename(&path, &backup).map_err(|e| GateError::io(&path, e))?;
        }
        let tmp = dir.join(format!(".{}.autodev-tmp", kind.name()));
        std::fs::write(&tmp, hook_script(kind, options.autodev_bin.as_deref()))
            .map_err(|e| GateError::io(&tmp, e))?;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| GateError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| GateError::io(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

fn backup_path(path: &Path) -> PathBuf {
    let mut s: OsString = path.as_os_str().to_owned();
    s.push(BACKUP_SUFFIX);
    PathBuf::from(s)
}

/// Removes the hooks autodev installed (restoring any backup); leaves foreign hooks alone. Returns the paths
/// removed.
pub fn uninstall_hook(repo: &Path) -> Result<Vec<PathBuf>> {
    let dir = hooks_dir(repo)?;
    let mut removed = Vec::new();
    for kind in HookKind::ALL {
        let path = dir.join(kind.name());
        if !is_ours(&path) {
            continue;
        }
        std::fs::remove_file(&path).map_err(|e| GateError::io(&path, e))?;
        let backup = backup_path(&path);
        if backup.exists() {
            std::fs::rename(&backup, &path).map_err(|e| GateError::io(&backup, e))?;
        }
        removed.push(path);
    }
    Ok(removed)
}

/// One gated change in hook mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookRun {
    /// What was gated, for people: `merge topic into 5d6e7f8a9b`, `refs/heads/x 1a2b3c4..5d6e7f8`.
    pub label: String,
    pub report: GateReport,
}

/// The diff flags that make output parseable whatever the user's diff configuration says.
const DIFF_ARGS: &[&str] = &[
    "diff",
    "--binary",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "-M",
];

/// Reads a hook's standard input, stopping one byte past [`MAX_HOOK_STDIN_BYTES`]: more is refused with
/// [`GateError::HookInput`] without reading on (an endless pipe or `/dev/zero` answers at once).
pub fn read_hook_stdin(input: impl Read) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    input
        .take(MAX_HOOK_STDIN_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| GateError::HookInput(format!("cannot read standard input: {e}")))?;
    check_stdin_size(&buf)?;
    Ok(buf)
}

fn check_stdin_size(stdin: &[u8]) -> Result<()> {
    if stdin.len() as u64 > MAX_HOOK_STDIN_BYTES {
        return Err(GateError::HookInput(format!(
            "standard input is more than {MAX_HOOK_STDIN_BYTES} bytes (git writes one line per pushed ref); \
             nothing was gated. Push fewer refs at once"
        )));
    }
    Ok(())
}

/// What `autodev gate --hook KIND` does. `stdin` is the hook's standard input (pre-push ranges), at most
/// [`MAX_HOOK_STDIN_BYTES`] (more is [`GateError::HookInput`]; read it with [`read_hook_stdin`]).
/// Returns one [`HookRun`] per gated change; an empty list means there was nothing to gate (which passes).
pub fn run_hook(gate: &Gate, repo: &Path, kind: HookKind, stdin: &[u8]) -> Result<Vec<HookRun>> {
    check_stdin_size(stdin)?;
    let git = Git::new(gate.config().git.clone());
    let info = git::locate_repo(&git, repo)?;
    match kind {
        HookKind::PreMergeCommit => {
            let head = git::resolve_commit(&git, &info, "HEAD")?;
            // git writes MERGE_HEAD only after this hook, but the index already holds the merge result: its
            // diff to HEAD is exactly what the merge commit will add, even when both sides changed.
            let index = std::env::var_os("GIT_INDEX_FILE").map(|p| {
                let p = PathBuf::from(p);
                if p.is_absolute() { p } else { info.top.join(p) }
            });
            let mut args: Vec<&str> = DIFF_ARGS.to_vec();
            args.extend(["--cached", head.as_str()]);
            let env: Vec<(&str, &std::ffi::OsStr)> = index
                .as_ref()
                .map(|p| vec![("GIT_INDEX_FILE", p.as_os_str())])
                .unwrap_or_default();
            let patch = git.run_with(&info.top, &args, None, &env)?;
            if patch.is_empty() {
                return Ok(Vec::new());
            }
            let what = std::env::var("GIT_REFLOG_ACTION").unwrap_or_else(|_| "merge".to_owned());
            let label = format!("{what} into {}", short(&head));
            let report = gate.check(&GateRequest::new(&info.top, head, patch))?;
            Ok(vec![HookRun { label, report }])
        }
        HookKind::PrePush => {
            let mut runs = Vec::new();
            for line in String::from_utf8_lossy(stdin).lines() {
                let fields: Vec<&str> = line.split_whitespace().collect();
                if fields.is_empty() {
                    continue;
                }
                let [local_ref, local_sha, _remote_ref, remote_sha] = fields[..] else {
                    return Err(GateError::HookInput(format!(
                        "unexpected pre-push line {line:?}"
                    )));
                };
                if is_zero(local_sha) {
                    continue; // a deletion pushes no content
                }
                let base = if is_zero(remote_sha) {
                    match new_branch_base(&git, &info.top, local_sha)? {
                        Some(b) => b,
                        None => continue,
                    }
                } else if git.ok(
                    &info.top,
                    ["cat-file", "-e", &format!("{remote_sha}^{{commit}}")],
                ) {
                    remote_sha.to_owned()
                } else {
                    return Err(GateError::HookInput(format!(
                        "the remote's {remote_sha} for {local_ref} is not known locally; fetch first"
                    )));
                };
                let mut args: Vec<&str> = DIFF_ARGS.to_vec();
                args.extend([base.as_str(), local_sha]);
                let patch = git.run(&info.top, &args)?;
                if patch.is_empty() {
                    continue;
                }
                let label = format!("{local_ref} {}..{}", short(&base), short(local_sha));
                let report = gate.check(&GateRequest::new(&info.top, base, patch))?;
                runs.push(HookRun { label, report });
            }
            Ok(runs)
        }
    }
}

fn is_zero(sha: &str) -> bool {
    sha.bytes().all(|b| b == b'0')
}

fn short(sha: &str) -> &str {
    sha.get(..10).unwrap_or(sha)
}

/// For a new remote branch: the parent of the oldest commit no remote-tracking ref has. `None` when every
/// commit is already on a remote, or the branch starts at a root commit (nothing to apply a diff to).
fn new_branch_base(git: &Git, top: &Path, local: &str) -> Result<Option<String>> {
    let list = git.text(
        top,
        [
            "rev-list",
            "--topo-order",
            "--reverse",
            local,
            "--not",
            "--remotes",
        ],
    )?;
    let Some(oldest) = list.lines().next() else {
        return Ok(None);
    };
    let parent = format!("{oldest}^");
    Ok(git
        .text(top, ["rev-parse", "--verify", "--quiet", &parent])
        .ok()
        .filter(|s| !s.is_empty()))
}

#[cfg(test)]
mod stdin_tests {
    use super::*;

    #[test]
    fn hook_stdin_is_bounded_at_one_mib() {
        let limit = MAX_HOOK_STDIN_BYTES as usize;
        let at = vec![b'\n'; limit];
        assert_eq!(read_hook_stdin(&at[..]).map(|b| b.len()).ok(), Some(limit));
        let over = vec![b'\n'; limit + 1];
        let err = read_hook_stdin(&over[..]).err();
        assert!(
            matches!(&err, Some(GateError::HookInput(m)) if m.contains("more than 1048576 bytes")),
            "{err:?}"
        );
        // An endless reader is not read to its end.
        let endless = std::io::repeat(b'x');
        assert!(read_hook_stdin(endless).is_err());
    }
}
