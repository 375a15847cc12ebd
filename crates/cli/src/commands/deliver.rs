//! `autodev deliver`: applies or publishes approved tasks as `delivery.toml` `on_approve` says, and publishes
//! `/publish` requests. The log decides what is due (`delivery::deliver`), so a restart neither loses nor repeats
//! a delivery.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use delivery::deliver::{self, Due, Outcome};
use delivery::{EnvSource, PublishOptions};
use queue_core::{TaskQueue, exit_codes};

use i18n::{Lang, t};

use crate::cli::DeliverArgs;

pub(super) fn run(addr: &super::QueueAddr, args: DeliverArgs, lang: Lang) -> anyhow::Result<u8> {
    super::init_logging();
    let queue = super::open_any(addr)?;
    let queue_dir = super::current_dir(lang)?;
    let queue_dir = queue.local_root().map_or(queue_dir, Path::to_path_buf);
    let queue_dir = queue_dir.as_path();
    let Some(_lock) =
        deliver::try_lock(&*queue).with_context(|| t!(lang, "cli-err-deliver-lock"))?
    else {
        anyhow::bail!(t!(lang, "cli-deliver-locked", queue = &queue.location()));
    };
    if args.once {
        let failed = round(&*queue, queue_dir, true, lang)?;
        return Ok(if failed == 0 {
            exit_codes::OK
        } else {
            exit_codes::REJECTED
        });
    }
    let every = Duration::from_secs(args.interval.max(1));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .with_context(|| t!(lang, "cli-err-runtime"))?;
    rt.block_on(async move {
        let shutdown = super::shutdown_on_signal(t!(
            lang,
            "cli-signal-received",
            what = t!(lang, "cli-deliver-stopping")
        ));
        let said = t!(lang, "cli-deliver-every", secs = every.as_secs());
        tracing::info!(queue = %queue.location(), "{said}");
        loop {
            let q = Arc::clone(&queue);
            let dir = queue_dir.to_path_buf();
            // A round runs to its end even when a signal comes: a delivery is never cut in half on purpose.
            let done = tokio::task::spawn_blocking(move || round(&*q, &dir, false, lang));
            match done.await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    let error = crate::errors::describe(&e, lang);
                    let said = t!(lang, "cli-deliver-round-failed", error = &error);
                    tracing::warn!("{said}")
                }
                Err(e) => {
                    let said = t!(lang, "cli-deliver-round-panicked", error = &e);
                    tracing::error!("{said}")
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => return Ok(exit_codes::OK),
                _ = tokio::time::sleep(every) => {}
            }
        }
    })
}

/// Delivers every due task once; the number that failed.
fn round(queue: &dyn TaskQueue, queue_dir: &Path, once: bool, lang: Lang) -> anyhow::Result<usize> {
    let due = deliver::due_now(queue, once).with_context(|| t!(lang, "cli-err-read-log"))?;
    let mut failed = 0;
    for d in due {
        if !deliver_one(queue, queue_dir, &d, lang)? {
            failed += 1;
        }
    }
    Ok(failed)
}

/// Delivers one task and says what happened; false when it failed (the failure is in the log).
fn deliver_one(
    queue: &dyn TaskQueue,
    queue_dir: &Path,
    due: &Due,
    lang: Lang,
) -> anyhow::Result<bool> {
    let opts = PublishOptions {
        remote: None,
        ready: false,
        actor: format!("deliver:{}", super::actor().trim_start_matches("cli:")),
        committer: super::apply::committer(queue, queue_dir, due.id, None, None),
        env: EnvSource::Process,
    };
    let id = due.id;
    let outcome =
        deliver::deliver(queue, due, &opts).with_context(|| t!(lang, "cli-err-log-failure"))?;
    match outcome {
        Outcome::Skipped => Ok(true),
        Outcome::Applied { branch, commit } => {
            let said = t!(lang, "cli-deliver-applied");
            tracing::info!(%id, %branch, commit = %short(&commit), "{said}");
            Ok(true)
        }
        Outcome::Published(p) => {
            let pr = p
                .pr_url
                .clone()
                .unwrap_or_else(|| t!(lang, "cli-deliver-no-pr"));
            let said = t!(lang, "cli-deliver-published");
            tracing::info!(%id, branch = %p.branch, remote = %p.remote, %pr, "{said}");
            Ok(true)
        }
        Outcome::Failed(e) => {
            let error = e.localized(lang);
            let said = if e.is_retryable() {
                t!(lang, "cli-deliver-failed-retry", error = &error)
            } else {
                t!(lang, "cli-deliver-failed-wait", error = &error)
            };
            tracing::warn!(%id, code = e.code(), "{said}");
            Ok(false)
        }
    }
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}
