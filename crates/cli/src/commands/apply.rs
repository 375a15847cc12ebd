//! `autodev apply`.

use std::io::Write;
use std::path::Path;

use approval::{ApplyOptions, Identity};
use i18n::{Lang, t};
use queue_core::exit_codes;

use crate::cli::ApplyArgs;

pub(super) fn run(addr: &super::QueueAddr, args: ApplyArgs, lang: Lang) -> anyhow::Result<u8> {
    let queue = super::open_any(addr)?;
    let repo = match &args.repo {
        Some(dir) => Some(super::current_dir(lang)?.join(dir)),
        None => None,
    };
    if let Some(dir) = &repo
        && let Ok((task, _)) = queue.task(args.id)
        && let Some(base) = &task.base_commit
    {
        // Fetched if missing; if it still is, committing says so with the base's sha.
        gate::ensure_commit(dir, base);
    }
    let fallback = repo.clone().unwrap_or(super::current_dir(lang)?);
    let committer = committer(
        &*queue,
        repo.as_deref().unwrap_or(&fallback),
        args.id,
        args.committer_name,
        args.committer_email,
    );
    let opts = ApplyOptions {
        to_worktree: args.to_worktree,
        committer,
        actor: super::actor(),
        repo,
    };
    match approval::apply(&*queue, args.id, &opts) {
        Ok(a) => {
            let mut out = std::io::stdout().lock();
            if args.json {
                let v = serde_json::json!({"id": args.id, "commit": a.commit, "branch": a.branch, "newly": a.newly});
                writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
            } else {
                writeln!(out, "{}", applied(args.id, &a, args.to_worktree, lang))?;
            }
            Ok(exit_codes::OK)
        }
        Err(e) => super::approve::refused(e, lang),
    }
}

/// What `apply` did, in `lang`.
fn applied(id: queue_core::TaskId, a: &approval::Applied, to_worktree: bool, lang: Lang) -> String {
    let (branch, commit) = (&a.branch, &a.commit);
    match (to_worktree, a.newly) {
        (true, true) => t!(lang, "cli-applied-worktree", id = &id),
        (true, false) => t!(lang, "cli-already-applied-worktree", id = &id),
        (false, true) => t!(
            lang,
            "cli-committed",
            id = &id,
            branch = branch,
            commit = commit
        ),
        (false, false) => t!(
            lang,
            "cli-already-committed",
            id = &id,
            branch = branch,
            commit = commit
        ),
    }
}

/// The committer from flags, else git's configuration in the task's repository, else the fallback.
pub(super) fn committer(
    queue: &dyn queue_core::TaskQueue,
    fallback_dir: &Path,
    id: queue_core::TaskId,
    name: Option<String>,
    email: Option<String>,
) -> Identity {
    match (name, email) {
        (Some(name), Some(email)) => Identity { name, email },
        (name, email) => {
            // Only look at git's configuration for what was not given.
            let repo = match queue.task(id) {
                Ok((t, _)) if t.repo.is_dir() => t.repo,
                _ => fallback_dir.to_path_buf(),
            };
            let from_git = Identity::from_git_config(&repo);
            Identity {
                name: name.unwrap_or(from_git.name),
                email: email.unwrap_or(from_git.email),
            }
        }
    }
}
