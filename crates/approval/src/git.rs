//! The `git` binary with an explicit working directory and a scrubbed environment (`gate::scrubbed_git`):
//! inherited `GIT_DIR`/`GIT_INDEX_FILE` would point commands at the wrong repository or index, and
//! user configuration (`core.hooksPath`, `core.fsmonitor`, `core.autocrlf`) would run programs or rewrite bytes.

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::{Error, Result};

/// A git command in `dir` with the gate's scrubbed environment and forced configuration.
pub(crate) fn command(dir: &Path) -> Command {
    gate::scrubbed_git(dir)
}

/// What a finished git command said.
pub(crate) struct Output {
    pub(crate) ok: bool,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs `git ARGS` in `dir` with optional stdin and extra environment; never fails on a non-zero exit.
pub(crate) fn output(
    dir: &Path,
    args: &[&str],
    stdin: Option<&[u8]>,
    env: &[(&str, &OsStr)],
) -> Result<Output> {
    let mut cmd = command(dir);
    cmd.args(args);
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
    let err = |stderr: String| Error::Git {
        dir: dir.to_path_buf(),
        args: args.join(" "),
        stderr,
    };
    let mut child = cmd
        .spawn()
        .map_err(|e| err(format!("cannot run git: {e}")))?;
    if let Some(input) = stdin
        && let Some(mut pipe) = child.stdin.take()
    {
        // A write error means git exited early; its status and stderr say why.
        let _ = pipe.write_all(input);
    }
    let out = child.wait_with_output().map_err(|e| err(e.to_string()))?;
    Ok(Output {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
    })
}

/// Runs `git ARGS`; a non-zero exit is [`Error::Git`]. Returns trimmed stdout.
pub(crate) fn run(
    dir: &Path,
    args: &[&str],
    stdin: Option<&[u8]>,
    env: &[(&str, &OsStr)],
) -> Result<String> {
    let out = output(dir, args, stdin, env)?;
    if out.ok {
        Ok(out.stdout)
    } else {
        Err(Error::Git {
            dir: dir.to_path_buf(),
            args: args.join(" "),
            stderr: out.stderr,
        })
    }
}
