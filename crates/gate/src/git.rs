//! Runs the `git` binary with an explicit working directory and a scrubbed environment.
//!
//! Why the binary and not libgit2: `git clone --shared`, `checkout --force` and `clean -ffdx` are one command
//! each and are what users already trust. Why scrubbed: in a hook, git exports `GIT_DIR`, `GIT_INDEX_FILE` and
//! friends; inherited by a command meant for the gate's own checkout they would point it at the user's index.
//! User and system configuration are ignored too (`core.autocrlf` would rewrite CRLF files; `core.hooksPath`
//! or `core.fsmonitor` would run programs).

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{GateError, Result};

/// A `git` command in `dir` with the gate's hygiene: only PATH/HOME/TMPDIR kept, no user or system
/// configuration, hooks, fsmonitor and autocrlf off. For other crates that run git on a user's repository
/// (the approval crate commits with it).
pub fn scrubbed_git(dir: &Path) -> Command {
    Git::new("git").command(dir)
}

/// Whether the clone at `repo` has commit `sha`; when it does not, fetches from the clone's own remotes
/// (`git fetch --all`) and looks again. For a clone on another machine than the one a task was submitted from
/// (`autodev worker --repo`, `autodev apply --repo`): the task names its base by sha, which a clone made before
/// it lacks.
pub fn ensure_commit(repo: &Path, sha: &str) -> bool {
    let has = || {
        scrubbed_git(repo)
            .args(["cat-file", "-e", &format!("{sha}^{{commit}}")])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if has() {
        return true;
    }
    // The user's own git, configuration and credentials: these are the user's remotes. No prompt.
    let fetched = Command::new("git")
        .current_dir(repo)
        .env("GIT_TERMINAL_PROMPT", "0")
        .args(["fetch", "--quiet", "--all"])
        .stdin(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    fetched && has()
}

/// A `git` invocation factory.
#[derive(Debug, Clone)]
pub(crate) struct Git {
    bin: PathBuf,
}

/// Configuration forced on every invocation.
const FORCED_CONFIG: &[&str] = &[
    "core.hooksPath=/dev/null",
    "core.autocrlf=false",
    "core.safecrlf=false",
    "core.fsmonitor=false",
    "core.symlinks=true",
    "advice.detachedHead=false",
    "gc.auto=0",
];

impl Git {
    pub(crate) fn new(bin: impl Into<PathBuf>) -> Git {
        Git { bin: bin.into() }
    }

    /// A command in `dir` with only the variables git needs.
    pub(crate) fn command(&self, dir: &Path) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.current_dir(dir).env_clear();
        for key in ["PATH", "HOME", "TMPDIR"] {
            if let Some(v) = std::env::var_os(key) {
                cmd.env(key, v);
            }
        }
        cmd.env("LC_ALL", "C")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_TERMINAL_PROMPT", "0")
            // Read-only commands must not refresh the user's index behind their back.
            .env("GIT_OPTIONAL_LOCKS", "0");
        for c in FORCED_CONFIG {
            cmd.arg("-c").arg(c);
        }
        cmd
    }

    /// Runs `git ARGS` in `dir`; returns stdout, or [`GateError::Git`] with stderr.
    pub(crate) fn run<I, S>(&self, dir: &Path, args: I) -> Result<Vec<u8>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run_with(dir, args, None, &[])
    }

    /// Like [`Git::run`], with stdin bytes and extra environment.
    pub(crate) fn run_with<I, S>(
        &self,
        dir: &Path,
        args: I,
        stdin: Option<&[u8]>,
        env: &[(&str, &OsStr)],
    ) -> Result<Vec<u8>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<S> = args.into_iter().collect();
        let shown = args
            .iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let mut cmd = self.command(dir);
        cmd.args(&args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let err = |stderr: String| GateError::Git {
            dir: dir.to_owned(),
            args: shown.clone(),
            stderr,
        };
        let mut child = cmd
            .spawn()
            .map_err(|e| err(format!("cannot run {}: {e}", self.bin.display())))?;
        if let Some(input) = stdin
            && let Some(mut pipe) = child.stdin.take()
        {
            // A write error means git exited early; its status and stderr say why.
            let _ = pipe.write_all(input);
        }
        let out = child.wait_with_output().map_err(|e| err(e.to_string()))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            return Err(err(if stderr.is_empty() {
                format!("exit status {}", out.status)
            } else {
                stderr
            }));
        }
        Ok(out.stdout)
    }

    /// Runs and returns stdout as trimmed text.
    pub(crate) fn text<I, S>(&self, dir: &Path, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Ok(String::from_utf8_lossy(&self.run(dir, args)?)
            .trim()
            .to_owned())
    }

    /// Whether `git ARGS` succeeds (for probes such as `rev-parse --verify`).
    pub(crate) fn ok<I, S>(&self, dir: &Path, args: I) -> bool
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run(dir, args).is_ok()
    }
}

/// A user repository, located read-only.
#[derive(Debug, Clone)]
pub(crate) struct RepoInfo {
    /// The top of the working tree.
    pub(crate) top: PathBuf,
    /// The common git directory (shared by linked worktrees).
    pub(crate) common_dir: PathBuf,
}

/// Finds the working tree that contains `path`.
pub(crate) fn locate_repo(git: &Git, path: &Path) -> Result<RepoInfo> {
    let not_found = |detail: String| GateError::RepoNotFound {
        path: path.to_owned(),
        detail,
    };
    if !path.is_dir() {
        return Err(not_found("no such directory".to_owned()));
    }
    let out = git
        .text(path, ["rev-parse", "--show-toplevel", "--git-common-dir"])
        .map_err(|e| not_found(e.to_string()))?;
    let mut lines = out.lines();
    let (Some(top), Some(common)) = (lines.next(), lines.next()) else {
        return Err(not_found("git rev-parse gave no working tree".to_owned()));
    };
    let top = PathBuf::from(top);
    let common = PathBuf::from(common);
    // `--git-common-dir` is relative to the directory git ran in.
    let common_dir = if common.is_absolute() {
        common
    } else {
        path.join(common)
    };
    let common_dir = common_dir
        .canonicalize()
        .map_err(|e| GateError::io(&common_dir, e))?;
    Ok(RepoInfo { top, common_dir })
}

/// Resolves `rev` to a full commit id.
pub(crate) fn resolve_commit(git: &Git, repo: &RepoInfo, rev: &str) -> Result<String> {
    let unknown = || GateError::UnknownBase {
        repo: repo.top.clone(),
        rev: rev.to_owned(),
    };
    if rev.starts_with('-') || rev.is_empty() {
        return Err(unknown());
    }
    git.text(
        &repo.top,
        [
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| unknown())
    .and_then(|s| if s.is_empty() { Err(unknown()) } else { Ok(s) })
}

/// Reads `path` from `commit`'s tree, if it is a file there.
pub(crate) fn read_blob(
    git: &Git,
    repo: &RepoInfo,
    commit: &str,
    path: &str,
) -> Result<Option<Vec<u8>>> {
    let spec = format!("{commit}:{path}");
    let kind = match git.text(&repo.top, ["cat-file", "-t", &spec]) {
        Ok(k) => k,
        Err(_) => return Ok(None),
    };
    if kind != "blob" {
        return Ok(None);
    }
    git.run(&repo.top, ["cat-file", "blob", &spec]).map(Some)
}
