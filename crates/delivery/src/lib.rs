//! # delivery
//!
//! `autodev publish ID`: an approved patch, committed on `autodev/<id>` ([`approval::apply`], same rules),
//! pushed to a git remote and proposed as a pull request where the forge has an API (GitHub; Gitea/Forgejo),
//! or pushed only.
//!
//! [`publish`] is a sequence of idempotent steps, so running it again after any failure (or a crash) continues
//! where it stopped and never makes a second commit, push or pull request:
//!
//! 1. apply (reports the existing commit when there is one);
//! 2. push: `git ls-remote` the branch first; absent → push with an explicit refspec and **never** `--force`; at
//!    our commit → already pushed; elsewhere → [`Error::RemoteBranchMoved`];
//! 3. pull request: look up the open one for the branch (paged) → report it; else create it; a forge that answers
//!    "already exists" (GitHub 422, Gitea/GitLab 409) → look it up again and report that one;
//! 4. log `PUBLISHED` (once per remote, branch, commit and pull request).
//!
//! Settings come from `.autodev_ssot/delivery.toml` ([`DeliveryConfig`]). The token comes from the environment
//! ([`EnvSource`]) and is never logged, never in an error or event, never in `.git/config`: git gets it as an
//! `http.extraHeader` through the environment of the one command that needs it, and everything git or the forge
//! says is scrubbed of it.
//!
//! [`publish`] is synchronous and runs its own small runtime for HTTP: from async code, call it in
//! `tokio::task::spawn_blocking`.

mod body;
mod config;
pub mod deliver;
mod error;
mod forge;
mod push;
mod secret;

use std::collections::BTreeMap;

use approval::{ApplyOptions, Candidate, Identity};
use queue_core::{EventKind, TaskId, TaskQueue};
use serde::Serialize;

pub use config::{
    DEFAULT_DELIVERY_TOML, DeliveryConfig, FILE as CONFIG_FILE, ForgeSetting, OnApprove,
};
pub use error::{Error, Result, explain_code};
pub use forge::Forge;

use crate::forge::{Client, Created, Pull};
use crate::push::{GitAuth, Pushed};
use crate::secret::{Secrets, Token};

/// Where tokens are read from.
#[derive(Clone, Default)]
pub enum EnvSource {
    /// The process environment.
    #[default]
    Process,
    /// A fixed map (tests, or a caller that read a secrets file).
    Map(BTreeMap<String, String>),
}

impl EnvSource {
    fn get(&self, key: &str) -> Option<String> {
        match self {
            EnvSource::Process => std::env::var(key).ok(),
            EnvSource::Map(m) => m.get(key).cloned(),
        }
    }
}

impl std::fmt::Debug for EnvSource {
    /// Names only: values may be tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnvSource::Process => f.write_str("Process"),
            EnvSource::Map(m) => f
                .debug_tuple("Map")
                .field(&m.keys().collect::<Vec<_>>())
                .finish(),
        }
    }
}

/// How [`publish`] works.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    /// The git remote's name; default `remote` in delivery.toml, else `origin`.
    pub remote: Option<String>,
    /// Open the pull request ready for review instead of as a draft (`WIP:` on Gitea/Forgejo).
    pub ready: bool,
    /// The event actor, e.g. `cli:alice`.
    pub actor: String,
    /// Author and committer of the commit, when apply still has to make it.
    pub committer: Identity,
    /// Where the token is read from.
    pub env: EnvSource,
}

/// What [`publish`] did, or (from [`delivery_status`]) what the log says was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    /// `autodev/<id>`.
    pub branch: String,
    /// The commit on the remote branch.
    pub commit: String,
    /// The remote's name.
    pub remote: String,
    /// The remote's push URL without credentials.
    pub remote_url: String,
    /// The forge.
    pub forge: Forge,
    /// The pull request's web URL (`None` when push only).
    pub pr_url: Option<String>,
    /// The pull request's number.
    pub pr_number: Option<u64>,
    /// False when the remote already had the commit.
    pub newly_pushed: bool,
    /// False when the pull request already existed (or there is none).
    pub newly_opened: bool,
}

/// Applies (if needed), pushes and opens the pull request for an approved task, then logs `PUBLISHED`.
/// Idempotent; see the crate documentation for the steps and [`Error`] for what each failure means.
pub fn publish(queue: &dyn TaskQueue, id: TaskId, opts: &PublishOptions) -> Result<Published> {
    // Everything that can be refused without changing anything comes first: the task, the settings, the remote
    // and the token. Then apply, push and the pull request.
    let repo = approval::load(queue, id)?.task.repo;
    if approval::rejection(queue, id)?.is_none() && approval::confirmed(queue, id)?.is_none() {
        // (A rejected task is refused by apply below with its own code, before anything changes.)
        return Err(approval::Error::NotApproved(id).into());
    }
    let cfg_path = repo.join(config::FILE);
    let cfg = DeliveryConfig::load(&repo)?;
    let remote = opts.remote.clone().unwrap_or_else(|| cfg.remote.clone());
    let url = push::remote_url(&repo, &remote)?;
    let target = forge::resolve(&cfg, &url, &cfg_path)?;
    let token = match &target {
        Some(t) => Some(forge::token(t.forge, cfg.token_env.as_deref(), |k| {
            opts.env.get(k)
        })?),
        None => cfg
            .token_env
            .as_deref()
            .and_then(|k| opts.env.get(k))
            .filter(|t| !t.trim().is_empty())
            .map(|t| Token::new(t.trim().to_owned())),
    };
    let applied = approval::apply(
        queue,
        id,
        &ApplyOptions {
            to_worktree: false,
            committer: opts.committer.clone(),
            actor: opts.actor.clone(),
            repo: None,
        },
    )?;
    let c = approval::load(queue, id)?;
    let mut secrets = Secrets::default();
    let auth = match &token {
        Some(t) if forge::token_goes_to_remote(target.as_ref(), &url) => {
            GitAuth::basic_token(t.expose())
        }
        _ => GitAuth::default(),
    };
    if let Some(t) = &token {
        secrets.add(t.expose());
    }
    for s in auth.secret_forms() {
        secrets.add(s);
    }

    let pushed = push::push_branch(
        &repo,
        &remote,
        &applied.branch,
        &applied.commit,
        &auth,
        &secrets,
    )?;
    let forge = target.as_ref().map_or(Forge::None, |t| t.forge);
    let (pull, newly_opened) = match (target, token) {
        (Some(t), Some(tok)) => {
            let client = Client::new(t, tok, secrets.clone())?;
            let ready = opts.ready || !cfg.draft;
            let (p, newly) = find_or_open(
                queue,
                &c,
                &client,
                &applied.branch,
                ready,
                cfg.base_branch.as_deref(),
            )?;
            (Some(p), newly)
        }
        _ => (None, false),
    };
    let published = Published {
        branch: applied.branch,
        commit: applied.commit,
        remote,
        remote_url: secrets.scrub(&url),
        forge,
        pr_url: pull.as_ref().map(|p| p.html_url.clone()),
        pr_number: pull.as_ref().map(|p| p.number),
        newly_pushed: pushed == Pushed::Now,
        newly_opened,
    };
    record_once(queue, id, &published, &opts.actor)?;
    Ok(published)
}

/// Every event of the queue, in order, read page by page.
pub(crate) fn all_events(queue: &dyn TaskQueue) -> queue_core::Result<Vec<queue_core::Event>> {
    let mut out = Vec::new();
    let mut cursor = 0;
    loop {
        let (page, next) = queue.events_after(cursor)?;
        if page.is_empty() || next == cursor {
            return Ok(out);
        }
        out.extend(page);
        cursor = next;
    }
}

/// Step 3: the open pull request for `branch`, or a new one.
fn find_or_open(
    queue: &dyn TaskQueue,
    c: &Candidate,
    client: &Client,
    branch: &str,
    ready: bool,
    base_branch: Option<&str>,
) -> Result<(Pull, bool)> {
    let forge = client.forge_kind();
    if let Some(p) = client.find_open(branch)? {
        return Ok((p, false));
    }
    let base = match base_branch {
        Some(b) => b.to_owned(),
        None => client
            .default_branch()?
            .or_else(|| branch_like(&c.task.base))
            .unwrap_or_else(|| "main".into()),
    };
    let wip = !ready && forge != Forge::Github;
    let title = body::title(c, wip);
    let text = body::body(c, &gate_checks(queue, c)?);
    match client.create(&title, &text, branch, &base, !ready)? {
        Created::New(p) => Ok((p, true)),
        // Someone (an earlier run that died before logging) opened it: report that one, never a second.
        Created::Exists => client
            .find_open(branch)?
            .map(|p| (p, false))
            .ok_or_else(|| Error::Forge {
                forge: forge.as_str(),
                message: format!(
                    "the forge says a pull request for {branch} exists, but none is open for it"
                ),
            }),
    }
}

/// The task's base when it names a branch (not `HEAD`, not a commit id, not an expression).
fn branch_like(base: &str) -> Option<String> {
    let is_sha = base.len() >= 7 && base.chars().all(|c| c.is_ascii_hexdigit());
    let expr = base.contains(['~', '^', ':', '@', '{']) || base.is_empty() || base == "HEAD";
    (!is_sha && !expr).then(|| base.strip_prefix("refs/heads/").unwrap_or(base).to_owned())
}

/// The checks the log's `GATE_PASSED` for these bytes names (the worker writes them; a check cannot).
fn gate_checks(queue: &dyn TaskQueue, c: &Candidate) -> Result<Vec<String>> {
    let events = queue.task_events(c.task.id)?;
    Ok(events
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::GatePassed { checks, sha256 } if *sha256 == c.sha256 => Some(checks.clone()),
            _ => None,
        })
        .unwrap_or_default())
}

/// Step 4: `PUBLISHED`, unless the log already says exactly this (a rerun) and no `PUBLISH_REQUESTED` came after
/// it (a request is answered by an event of its own, so `autodev deliver` sees it done).
fn record_once(queue: &dyn TaskQueue, id: TaskId, p: &Published, actor: &str) -> Result<()> {
    let same = delivery_status(queue, id)?.is_some_and(|old| {
        old.remote == p.remote
            && old.branch == p.branch
            && old.commit == p.commit
            && old.pr_url == p.pr_url
    });
    if same && !requested_since_published(queue, id)? {
        return Ok(());
    }
    queue.record(
        EventKind::Published {
            remote: p.remote.clone(),
            remote_url: p.remote_url.clone(),
            branch: p.branch.clone(),
            commit: p.commit.clone(),
            forge: p.forge.as_str().into(),
            pr_url: p.pr_url.clone(),
            pr_number: p.pr_number,
        },
        Some(id),
        actor,
    )?;
    Ok(())
}

/// Whether a `PUBLISH_REQUESTED` follows the task's last `PUBLISHED`.
fn requested_since_published(queue: &dyn TaskQueue, id: TaskId) -> Result<bool> {
    let events = queue.task_events(id)?;
    let mut pending = false;
    for e in &events {
        match e.kind {
            EventKind::PublishRequested {} => pending = true,
            EventKind::Published { .. } => pending = false,
            _ => {}
        }
    }
    Ok(pending)
}

/// What the log's last `PUBLISHED` event for the task says (`newly_*` are false), for `autodev status` and the
/// Telegram bot; `None` when the task was never published.
pub fn delivery_status(queue: &dyn TaskQueue, id: TaskId) -> Result<Option<Published>> {
    let events = queue.task_events(id)?;
    Ok(events.iter().rev().find_map(|e| match &e.kind {
        EventKind::Published {
            remote,
            remote_url,
            branch,
            commit,
            forge,
            pr_url,
            pr_number,
        } => Some(Published {
            branch: branch.clone(),
            commit: commit.clone(),
            remote: remote.clone(),
            remote_url: remote_url.clone(),
            forge: match forge.as_str() {
                "github" => Forge::Github,
                "gitea" => Forge::Gitea,
                "forgejo" => Forge::Forgejo,
                _ => Forge::None,
            },
            pr_url: pr_url.clone(),
            pr_number: *pr_number,
            newly_pushed: false,
            newly_opened: false,
        }),
        _ => None,
    }))
}

/// Logs `DELIVERY_FAILED` with the error's code and message (which never hold a token), for callers that deliver
/// without a person watching (on_approve).
pub fn record_failure(queue: &dyn TaskQueue, id: TaskId, err: &Error, actor: &str) -> Result<()> {
    queue.record(
        EventKind::DeliveryFailed {
            code: err.code().into(),
            message: err.to_string(),
            retryable: err.is_retryable(),
            retry_at: err.retry_at(),
        },
        Some(id),
        actor,
    )?;
    Ok(())
}
