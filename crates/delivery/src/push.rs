//! Pushing `autodev/<id>` with the git binary: no user configuration (`gate::scrubbed_git`), an explicit
//! refspec and never `--force`. The remote is looked at first (`ls-remote`): absent → push; at our commit →
//! already pushed; elsewhere → [`Error::RemoteBranchMoved`].
//!
//! An HTTPS token reaches git only through `GIT_CONFIG_*` variables of the one command that needs it (an
//! `http.extraHeader`), never the command line (visible in `ps`) and never `.git/config`; git's stderr is
//! scrubbed before it goes into an error.

use std::ffi::OsString;
use std::path::Path;
use std::process::Stdio;

use base64::Engine;

use crate::secret::Secrets;
use crate::{Error, Result};

/// What the remote had before we pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pushed {
    /// The push created the branch.
    Now,
    /// The remote already had our commit.
    Already,
}

/// How git authenticates to an HTTP(S) remote: a header for this one command, or nothing.
#[derive(Clone, Default)]
pub(crate) struct GitAuth {
    header: Option<String>,
}

impl GitAuth {
    /// `Authorization: Basic base64(x-access-token:TOKEN)`: GitHub takes any user name with a token as the
    /// password; Gitea and Forgejo take a token as the password too.
    pub(crate) fn basic_token(token: &str) -> GitAuth {
        let b64 =
            base64::engine::general_purpose::STANDARD.encode(format!("x-access-token:{token}"));
        GitAuth {
            header: Some(format!("Authorization: Basic {b64}")),
        }
    }

    /// The base64 form, so scrubbing can remove it from git's output as well.
    pub(crate) fn secret_forms(&self) -> Vec<String> {
        self.header
            .iter()
            .filter_map(|h| h.strip_prefix("Authorization: Basic ").map(str::to_owned))
            .collect()
    }

    fn env(&self) -> Vec<(&'static str, OsString)> {
        let mut env = Vec::new();
        if let Some(h) = &self.header {
            env.push(("GIT_CONFIG_COUNT", "1".into()));
            env.push(("GIT_CONFIG_KEY_0", "http.extraHeader".into()));
            env.push(("GIT_CONFIG_VALUE_0", h.into()));
        }
        // SSH remotes authenticate with the user's agent or command; the scrubbed environment drops them.
        for k in ["SSH_AUTH_SOCK", "GIT_SSH_COMMAND", "GIT_SSH"] {
            if let Some(v) = std::env::var_os(k) {
                env.push((k, v));
            }
        }
        env
    }
}

/// A remote name git would accept and that cannot be mistaken for an option.
pub(crate) fn valid_remote_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.contains("..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

/// The push URL of `remote` in `repo`, or [`Error::RemoteUnknown`].
pub(crate) fn remote_url(repo: &Path, remote: &str) -> Result<String> {
    if !valid_remote_name(remote) {
        return Err(Error::RemoteUnknown {
            remote: remote.to_owned(),
        });
    }
    let out = git(
        repo,
        &["remote", "get-url", "--push", remote],
        &GitAuth::default(),
    )?;
    if !out.ok || out.stdout.is_empty() {
        return Err(Error::RemoteUnknown {
            remote: remote.to_owned(),
        });
    }
    Ok(out.stdout)
}

/// Pushes `refs/heads/<branch>` (at `commit`) to `remote` unless it is there already; refuses when the remote
/// branch points elsewhere.
pub(crate) fn push_branch(
    repo: &Path,
    remote: &str,
    branch: &str,
    commit: &str,
    auth: &GitAuth,
    secrets: &Secrets,
) -> Result<Pushed> {
    match remote_head(repo, remote, branch, auth, secrets)? {
        Some(c) if c == commit => return Ok(Pushed::Already),
        Some(other) => return Err(moved(remote, branch, other, commit)),
        None => {}
    }
    let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
    // No --force, no `+` in the refspec: the remote refuses anything but creating the branch or fast-forwarding it.
    let out = git(repo, &["push", "--porcelain", "--", remote, &refspec], auth)?;
    if out.ok {
        return Ok(Pushed::Now);
    }
    // Someone may have pushed between our look and our push: judge what is there now.
    match remote_head(repo, remote, branch, auth, secrets)? {
        Some(c) if c == commit => Ok(Pushed::Already),
        Some(other) => Err(moved(remote, branch, other, commit)),
        None if out.stdout.lines().any(|l| l.starts_with('!')) => Err(Error::PushRejected {
            remote: remote.to_owned(),
            branch: branch.to_owned(),
            message: secrets.scrub(&rejection_text(&out)),
        }),
        None => Err(unreachable(repo, remote, &out.stderr, secrets)),
    }
}

/// What git said about a refused ref: the porcelain line's reason plus stderr (`remote: ...` hook output).
fn rejection_text(out: &Output) -> String {
    let reasons: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with('!'))
        .filter_map(|l| l.split('\t').nth(2))
        .collect();
    format!("{} {}", reasons.join("; "), out.stderr)
        .trim()
        .to_owned()
}

fn moved(remote: &str, branch: &str, remote_commit: String, local_commit: &str) -> Error {
    Error::RemoteBranchMoved {
        remote: remote.to_owned(),
        branch: branch.to_owned(),
        remote_commit,
        local_commit: local_commit.to_owned(),
    }
}

/// The commit `refs/heads/<branch>` points to on the remote, if it exists.
pub(crate) fn remote_head(
    repo: &Path,
    remote: &str,
    branch: &str,
    auth: &GitAuth,
    secrets: &Secrets,
) -> Result<Option<String>> {
    let refname = format!("refs/heads/{branch}");
    let out = git(
        repo,
        &["ls-remote", "--heads", "--", remote, &refname],
        auth,
    )?;
    if !out.ok {
        return Err(unreachable(repo, remote, &out.stderr, secrets));
    }
    Ok(out.stdout.lines().find_map(|l| {
        let (sha, name) = l.split_once('\t')?;
        (name == refname).then(|| sha.to_owned())
    }))
}

fn unreachable(repo: &Path, remote: &str, stderr: &str, secrets: &Secrets) -> Error {
    let url = remote_url(repo, remote).unwrap_or_default();
    Error::RemoteUnreachable {
        remote: remote.to_owned(),
        url: secrets.scrub(&url),
        stderr: secrets.scrub(stderr),
    }
}

struct Output {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn git(repo: &Path, args: &[&str], auth: &GitAuth) -> Result<Output> {
    let mut cmd = gate::scrubbed_git(repo);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in auth.env() {
        cmd.env(k, v);
    }
    let out = cmd.output().map_err(|e| Error::Git {
        dir: repo.to_path_buf(),
        args: args.join(" "),
        stderr: format!("cannot run git: {e}"),
    })?;
    Ok(Output {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
    })
}
