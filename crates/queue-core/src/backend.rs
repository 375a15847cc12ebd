//! The queue as the worker, CLI and tests use it, whatever keeps it: the filesystem ([`crate::Queue`]) or a
//! database (the `queue-pg` crate). Every backend gives the same guarantees, which one conformance suite checks on
//! each (`crates/queue-pg/tests/it/conformance.rs`):
//!
//! - a task is claimed by one holder at a time, under a fresh token; [`TaskQueue::renew`], [`TaskQueue::complete`],
//!   [`TaskQueue::fail`], [`TaskQueue::release`] and [`TaskQueue::put_result`] with a token that no longer holds
//!   change nothing and return [`crate::Error::LeaseLost`];
//! - an expired lease is taken back by [`TaskQueue::reap_expired`] with the try number + 1, or failed with
//!   `MAX_ATTEMPTS_EXCEEDED` when the tries are used up;
//! - every change of state has its event in the log, in the order it happened.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{Event, EventKind, NewTask, QueueConfig, ReapSummary, Result, Task, TaskId, TaskState};

/// One task as a listing shows it: the same fields on every backend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRow {
    /// The id.
    pub id: TaskId,
    /// Where it is in its life.
    pub state: TaskState,
    /// The try number of the latest claim.
    pub attempts: u32,
    /// One-line summary.
    pub title: String,
    /// The holder, while claimed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When the current lease runs out, while claimed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// The reason code of the failure, for a failed task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
}

/// A held queue-wide lock ([`TaskQueue::try_exclusive`]); released when dropped.
pub type Exclusive = Box<dyn std::any::Any + Send + Sync>;

/// A result a worker stores for a task. Each has a fixed name, the same on every backend (on the filesystem,
/// `results/<id>.<ext>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResultKind {
    /// `patch`: the unified diff the gate judged.
    Patch,
    /// `report.json`: the worker's report of its tries.
    Report,
    /// `gate.json`: the gate's report.
    Gate,
}

impl ResultKind {
    /// Every kind.
    pub const ALL: [ResultKind; 3] = [ResultKind::Patch, ResultKind::Report, ResultKind::Gate];

    /// The file extension (and the database's `kind` column).
    pub fn ext(self) -> &'static str {
        match self {
            ResultKind::Patch => "patch",
            ResultKind::Report => "report.json",
            ResultKind::Gate => "gate.json",
        }
    }

    /// The kind with extension `ext`.
    pub fn from_ext(ext: &str) -> Option<ResultKind> {
        ResultKind::ALL.into_iter().find(|k| k.ext() == ext)
    }
}

/// A person's decision on a task's gated patch: at most one per task (an approval and a rejection exclude each
/// other).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecisionKind {
    /// `approved/<id>.approved.json` ([`crate::ApprovalRecord`]).
    Approval,
    /// `rejected/<id>.rejected.json` ([`crate::RejectionRecord`]).
    Rejection,
}

/// The queue's operations. Object safe: the worker and CLI hold an `Arc<dyn TaskQueue>`.
///
/// Calls block (a filesystem rename, a database round trip): from async code they are short enough to make in
/// place, as the filesystem queue's always were.
pub trait TaskQueue: Send + Sync + std::fmt::Debug {
    /// Where the queue is, for people: a folder, or a database address without its password.
    fn location(&self) -> String;

    /// The queue's folder, for a filesystem queue: the gate keeps model-written checks out of it. `None` for a
    /// database, which no check can reach through the filesystem.
    fn local_root(&self) -> Option<&Path>;

    /// The shared settings (lease, tries).
    fn config(&self) -> &QueueConfig;

    /// Queues a validated task and logs `TASK_SUBMITTED`; an error means nothing was queued.
    fn submit(&self, new: NewTask, actor: &str) -> Result<Task>;

    /// Claims the oldest pending task for `owner` under a fresh token, logging `TASK_CLAIMED`; `None` when there
    /// is none or the queue is paused.
    fn claim(&self, owner: &str) -> Result<Option<Claim>>;

    /// Extends the lease (heartbeat); [`crate::Error::LeaseLost`] once the claim no longer holds.
    fn renew(&self, claim: &Claim) -> Result<()>;

    /// Finishes a held task as done (`TASK_COMPLETED` with `outcome`).
    fn complete(&self, claim: &Claim, outcome: &str) -> Result<()>;

    /// Finishes a held task as failed (`TASK_FAILED`), the message clipped to [`crate::MAX_FAILURE_MESSAGE`].
    fn fail(&self, claim: &Claim, reason: &str, message: &str) -> Result<()>;

    /// Gives a held task back to pending without using a try (`TASK_RELEASED`).
    fn release(&self, claim: &Claim, reason: &str) -> Result<()>;

    /// Takes back every expired claim: requeued with the try + 1, or failed when the tries are used up.
    fn reap_expired(&self, actor: &str) -> Result<ReapSummary>;

    /// Whether workers must not claim.
    fn paused(&self) -> Result<bool>;

    /// Pauses the queue; false if it already was (nothing logged then).
    fn pause(&self, actor: &str, reason: &str) -> Result<bool>;

    /// Resumes the queue; false if it was not paused.
    fn resume(&self, actor: &str) -> Result<bool>;

    /// Appends an event to the audit log.
    fn record(&self, kind: EventKind, task: Option<TaskId>, actor: &str) -> Result<()>;

    /// Stores a result of the held task, replacing an earlier one, only while `claim` holds: a worker whose lease
    /// was taken back must not overwrite what the new holder writes ([`crate::Error::LeaseLost`]).
    fn put_result(&self, claim: &Claim, kind: ResultKind, bytes: &[u8]) -> Result<()>;

    /// A stored result, if there is one.
    fn get_result(&self, id: TaskId, kind: ResultKind) -> Result<Option<Vec<u8>>>;

    /// The events after `cursor` (0: from the start), in order, and the cursor to continue from.
    fn events_after(&self, cursor: u64) -> Result<(Vec<Event>, u64)>;

    /// Every task, oldest first.
    fn tasks(&self) -> Result<Vec<TaskRow>>;

    /// The task with id `id` as stored, and its state; [`crate::Error::UnknownTask`] if there is none.
    fn task(&self, id: TaskId) -> Result<(Task, TaskState)>;

    /// Tasks per state, cheap enough for a metrics gauge: `pending`, `claimed`, `done`, `failed`.
    fn counts(&self) -> Result<Vec<(&'static str, usize)>>;

    /// The events about task `id`, in order (what [`crate::Audit`] reads).
    fn task_events(&self, id: TaskId) -> Result<Vec<Event>>;

    /// The reason code of the task's last `TASK_FAILED`, if it has one.
    fn last_failure_reason(&self, id: TaskId) -> Result<Option<String>> {
        Ok(self
            .task_events(id)?
            .into_iter()
            .rev()
            .find_map(|e| match e.kind {
                EventKind::TaskFailed { reason, .. } => Some(reason),
                _ => None,
            }))
    }

    /// The stored decision record of `kind` on task `id`, as written (approval judges whether the log confirms
    /// it).
    fn get_decision(&self, id: TaskId, kind: DecisionKind) -> Result<Option<Vec<u8>>>;

    /// Stores a decision record with its event (`APPROVED` or `REJECTED`); `false` when a record of that kind is
    /// there already (nothing written). On a database the record, the event and the task's new state commit
    /// together, and a task holds at most one decision of either kind.
    fn put_decision(
        &self,
        id: TaskId,
        kind: DecisionKind,
        record: &[u8],
        event: Event,
    ) -> Result<bool>;

    /// Held while a decision is made, so that two deciders do not race (the filesystem's lock file, released
    /// when dropped). `None` where [`TaskQueue::put_decision`] is atomic on its own (a database).
    fn decision_lock(&self, id: TaskId) -> Result<Option<std::fs::File>>;

    /// Takes the queue-wide lock `name` (`deliver`: the one deliverer of a queue; `telegram`: its one bot), held
    /// while the returned guard lives and dropped by the kernel or the server when the process dies, however it
    /// dies. `None` when another process holds it, on any machine sharing the queue.
    fn try_exclusive(&self, name: &str) -> Result<Option<Exclusive>>;

    /// Waits up to `timeout` for a sign that there may be work (a submission, a release); returns early when
    /// one comes. A backend without notifications just sleeps: polling is always the fallback.
    fn wait_for_work(&self, timeout: Duration) {
        std::thread::sleep(timeout);
    }
}

/// A held claim. Renew it more often than `lease_secs`; end it with complete, fail or release.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The task as stored.
    pub task: Task,
    /// Who holds it.
    pub owner: String,
    /// This claim's token: the fence every later call of the holder is checked against.
    pub token: String,
    pub(crate) path: std::path::PathBuf,
}

impl Claim {
    /// A claim held in a backend that has no claimed file (a database): `task` under `token`.
    pub fn held(task: Task, owner: impl Into<String>, token: impl Into<String>) -> Claim {
        Claim {
            task,
            owner: owner.into(),
            token: token.into(),
            path: std::path::PathBuf::new(),
        }
    }

    /// The claimed file, for a filesystem queue (empty for a database).
    pub fn path(&self) -> &Path {
        &self.path
    }
}
