//! Delivery after approval (`autodev deliver`): each newly approved task is applied or published once, as its
//! repository's `delivery.toml` `on_approve` says, and each `/publish` request is published.
//!
//! The log is the only state. A task is due when its last *request* — an `APPROVED` event (with `on_approve` set)
//! or a `PUBLISH_REQUESTED` event — has no *completion* after it (`PUBLISHED`; for `on_approve = "apply"`,
//! `APPLIED`) and no final failure after it. Because [`crate::publish`] and [`approval::apply`] are idempotent, a
//! deliverer killed at any point and started again finishes the job without a second commit, push or pull
//! request, and never forgets one: there is nothing to forget but the log.
//!
//! Failures are logged (`DELIVERY_FAILED` with the code, a sentence, and whether it is worth retrying).
//! Retryable ones (network, rate limits, forge errors) are tried again after a growing pause (30 s, doubling, at
//! most 30 minutes, or the forge's own `Retry-After`); refusals (bad token, moved remote branch, missing settings)
//! wait for a person: a new `/publish ID` or `autodev publish ID` starts again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use queue_core::{EventKind, TaskId, TaskQueue};

use crate::config::{DeliveryConfig, OnApprove};
use crate::{Error, PublishOptions, Result};

/// What to do with a due task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Commit it on `autodev/<id>` (`on_approve = "apply"`).
    Apply,
    /// Apply, push and open the pull request (`on_approve = "publish"`, or a `/publish` request).
    Publish,
    /// The repository's `delivery.toml` cannot be read: [`deliver`] logs why (`CONFIG`) and stops there.
    BadConfig,
}

/// Why a task is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// An approval, delivered as `on_approve` says.
    Approved,
    /// A person asked to publish.
    PublishRequested,
}

/// A task waiting for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub id: TaskId,
    pub trigger: Trigger,
    pub action: Action,
    /// Failed tries since the trigger.
    pub failures: u32,
}

/// What happened to one due task.
#[derive(Debug)]
pub enum Outcome {
    /// `delivery.toml` was fixed to `on_approve = "none"` meanwhile: nothing to do.
    Skipped,
    /// Committed on the branch.
    Applied { branch: String, commit: String },
    /// Pushed (and a pull request opened or found).
    Published(crate::Published),
    /// Failed; `DELIVERY_FAILED` was logged.
    Failed(Error),
}

/// Per-task state folded from the log.
#[derive(Debug, Default)]
struct TaskLog {
    /// The repository, from `TASK_SUBMITTED` (where `on_approve` is read).
    repo: Option<PathBuf>,
    trigger: Option<(Trigger, DateTime<Utc>)>,
    published: bool,
    applied: bool,
    failures: u32,
    last_failure: Option<Failure>,
}

#[derive(Debug, Clone)]
struct Failure {
    at: DateTime<Utc>,
    retryable: bool,
    retry_at: Option<DateTime<Utc>>,
}

/// The tasks due at `now`. `ignore_backoff` (a one-shot run) retries retryable failures at once. Each
/// repository's `delivery.toml` is read once per call.
pub fn due(queue: &dyn TaskQueue, now: DateTime<Utc>, ignore_backoff: bool) -> Result<Vec<Due>> {
    let events = crate::all_events(queue)?;
    let mut tasks: BTreeMap<TaskId, TaskLog> = BTreeMap::new();
    for ev in &events {
        let Some(id) = ev.task_id else { continue };
        fold(tasks.entry(id).or_default(), &ev.kind, ev.ts);
    }
    let mut settings: BTreeMap<PathBuf, Option<OnApprove>> = BTreeMap::new();
    let mut out = Vec::new();
    for (id, t) in tasks {
        let Some((trigger, _)) = t.trigger else {
            continue;
        };
        let action = match trigger {
            Trigger::PublishRequested => Action::Publish,
            Trigger::Approved => {
                let Some(repo) = &t.repo else { continue };
                let on = settings
                    .entry(repo.clone())
                    .or_insert_with(|| on_approve(repo).ok());
                match on {
                    Some(OnApprove::None) => continue,
                    Some(OnApprove::Apply) => Action::Apply,
                    Some(OnApprove::Publish) => Action::Publish,
                    None => Action::BadConfig,
                }
            }
        };
        let done = match action {
            Action::Apply => t.applied || t.published,
            Action::Publish => t.published,
            Action::BadConfig => false,
        };
        if done || !retry_now(t.last_failure.as_ref(), t.failures, now, ignore_backoff) {
            continue;
        }
        out.push(Due {
            id,
            trigger,
            action,
            failures: t.failures,
        });
    }
    Ok(out)
}

/// [`due`] now.
pub fn due_now(queue: &dyn TaskQueue, ignore_backoff: bool) -> Result<Vec<Due>> {
    due(queue, Utc::now(), ignore_backoff)
}

/// Folds one event into the task's state. A new request starts over: completions and failures before it no
/// longer count (a publish asked for after an apply still happens).
fn fold(t: &mut TaskLog, kind: &EventKind, at: DateTime<Utc>) {
    match kind {
        EventKind::TaskSubmitted { repo, .. } => t.repo.clone_from(repo),
        // A repeated approval of the same bytes is not a new request once delivered.
        EventKind::Approved { .. } if t.trigger.is_none() => t.restart(Trigger::Approved, at),
        EventKind::PublishRequested {} => t.restart(Trigger::PublishRequested, at),
        EventKind::Published { .. } => t.published = true,
        EventKind::Applied { branch, .. } if branch != "worktree" => t.applied = true,
        EventKind::DeliveryFailed {
            retryable,
            retry_at,
            ..
        } if t.trigger.is_some() => {
            t.failures += 1;
            t.last_failure = Some(Failure {
                at,
                retryable: *retryable,
                retry_at: *retry_at,
            });
        }
        EventKind::Rejected { .. } => t.trigger = None,
        _ => {}
    }
}

impl TaskLog {
    /// A new request: what happened before it no longer counts.
    fn restart(&mut self, trigger: Trigger, at: DateTime<Utc>) {
        let repo = self.repo.take();
        *self = TaskLog {
            repo,
            trigger: Some((trigger, at)),
            ..TaskLog::default()
        };
    }
}

/// Whether a task whose last try failed as `last` may be tried again at `now`.
fn retry_now(
    last: Option<&Failure>,
    failures: u32,
    now: DateTime<Utc>,
    ignore_backoff: bool,
) -> bool {
    let Some(f) = last else { return true };
    if !f.retryable {
        return false;
    }
    if ignore_backoff {
        return true;
    }
    let pause = backoff(failures);
    let earliest = f
        .retry_at
        .unwrap_or(f.at + pause)
        .max(f.at + pause.min(Duration::seconds(30)));
    now >= earliest
}

/// 30 s after the first failure, doubling, at most 30 minutes.
pub fn backoff(failures: u32) -> Duration {
    let secs = 30i64.saturating_mul(1i64 << failures.saturating_sub(1).min(6));
    Duration::seconds(secs.min(30 * 60))
}

/// Delivers one due task; logs `DELIVERY_FAILED` on failure (the returned error is then [`Outcome::Failed`]).
/// `Err` only when the failure itself cannot be logged.
pub fn deliver(queue: &dyn TaskQueue, due: &Due, opts: &PublishOptions) -> Result<Outcome> {
    let result = resolve(queue, due).and_then(|action| match action {
        None => Ok(Outcome::Skipped),
        Some(Action::Apply) => apply(queue, due.id, opts),
        Some(_) => crate::publish(queue, due.id, opts).map(Outcome::Published),
    });
    match result {
        Ok(outcome) => Ok(outcome),
        Err(e) => {
            crate::record_failure(queue, due.id, &e, &opts.actor)?;
            Ok(Outcome::Failed(e))
        }
    }
}

/// The action, with a [`Action::BadConfig`] read again so its error (or a fixed file) decides.
fn resolve(queue: &dyn TaskQueue, due: &Due) -> Result<Option<Action>> {
    if due.action != Action::BadConfig {
        return Ok(Some(due.action));
    }
    let repo = approval::load(queue, due.id)?.task.repo;
    Ok(match on_approve(&repo)? {
        OnApprove::None => None,
        OnApprove::Apply => Some(Action::Apply),
        OnApprove::Publish => Some(Action::Publish),
    })
}

/// Held by the one `autodev deliver` of a queue (`<queue>/deliver.lock` by `flock`, or an advisory lock in the
/// queue's database: dropped when the process dies, however it dies, on whichever machine it runs).
pub struct DeliverLock {
    _held: queue_core::Exclusive,
}

impl std::fmt::Debug for DeliverLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeliverLock")
    }
}

/// Takes the queue's deliverer lock; `Ok(None)` when another process holds it.
pub fn try_lock(queue: &dyn TaskQueue) -> queue_core::Result<Option<DeliverLock>> {
    Ok(queue
        .try_exclusive("deliver")?
        .map(|held| DeliverLock { _held: held }))
}

/// Whether an `autodev deliver` is running on this queue (its lock is held).
pub fn is_running(queue: &dyn TaskQueue) -> bool {
    matches!(try_lock(queue), Ok(None))
}

/// The repository's `on_approve`.
pub fn on_approve(repo: &Path) -> Result<OnApprove> {
    Ok(DeliveryConfig::load(repo)?.on_approve)
}

fn apply(queue: &dyn TaskQueue, id: TaskId, opts: &PublishOptions) -> Result<Outcome> {
    let applied = approval::apply(
        queue,
        id,
        &approval::ApplyOptions {
            to_worktree: false,
            committer: opts.committer.clone(),
            actor: opts.actor.clone(),
            repo: None,
        },
    )?;
    Ok(Outcome::Applied {
        branch: applied.branch,
        commit: applied.commit,
    })
}

/// The last delivery failure logged for the task since its last request, for `status` and the bot.
pub fn last_failure(queue: &dyn TaskQueue, id: TaskId) -> Result<Option<(String, String)>> {
    let events = queue.task_events(id)?;
    let mut last = None;
    for ev in &events {
        match &ev.kind {
            EventKind::PublishRequested {} | EventKind::Published { .. } => last = None,
            EventKind::DeliveryFailed { code, message, .. } => {
                last = Some((code.clone(), message.clone()))
            }
            _ => {}
        }
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::seconds(secs)
    }

    fn failed(retryable: bool) -> EventKind {
        EventKind::DeliveryFailed {
            code: "X".into(),
            message: String::new(),
            retryable,
            retry_at: None,
        }
    }

    fn approved() -> EventKind {
        EventKind::Approved {
            sha256: "s".into(),
            via: "cli".into(),
        }
    }

    fn published() -> EventKind {
        EventKind::Published {
            remote: "origin".into(),
            remote_url: String::new(),
            branch: "b".into(),
            commit: "c".into(),
            forge: "none".into(),
            pr_url: None,
            pr_number: None,
        }
    }

    fn state(events: &[(EventKind, i64)]) -> TaskLog {
        let mut t = TaskLog::default();
        for (k, s) in events {
            fold(&mut t, k, at(*s));
        }
        t
    }

    #[test]
    fn an_approval_is_due_until_delivered() {
        let t = state(&[(approved(), 0)]);
        assert_eq!(t.trigger.map(|x| x.0), Some(Trigger::Approved));
        assert!(!t.published);
        let t = state(&[(approved(), 0), (published(), 1)]);
        assert!(t.published);
        let t = state(&[
            (approved(), 0),
            (
                EventKind::Rejected {
                    reason: "no".into(),
                    via: "cli".into(),
                },
                1,
            ),
        ]);
        assert!(t.trigger.is_none());
    }

    #[test]
    fn a_publish_request_starts_over() {
        let t = state(&[
            (approved(), 0),
            (failed(false), 1),
            (published(), 2),
            (EventKind::PublishRequested {}, 3),
        ]);
        assert_eq!(t.trigger.map(|x| x.0), Some(Trigger::PublishRequested));
        assert!(!t.published);
        assert_eq!(t.failures, 0);
    }

    #[test]
    fn refusals_wait_for_a_person_and_retryable_failures_back_off() {
        let refused = Failure {
            at: at(0),
            retryable: false,
            retry_at: None,
        };
        assert!(!retry_now(Some(&refused), 1, at(10_000), true));
        let flaky = Failure {
            at: at(0),
            retryable: true,
            retry_at: None,
        };
        assert!(!retry_now(Some(&flaky), 1, at(29), false));
        assert!(retry_now(Some(&flaky), 1, at(30), false));
        assert!(!retry_now(Some(&flaky), 3, at(119), false));
        assert!(retry_now(Some(&flaky), 3, at(120), false));
        assert!(
            retry_now(Some(&flaky), 3, at(1), true),
            "a one-shot run retries at once"
        );
        let limited = Failure {
            at: at(0),
            retryable: true,
            retry_at: Some(at(600)),
        };
        assert!(!retry_now(Some(&limited), 1, at(599), false));
        assert!(retry_now(Some(&limited), 1, at(600), false));
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(50), Duration::minutes(30));
    }
}
