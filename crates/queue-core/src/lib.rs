//! # queue-core
//!
//! autodev's durable filesystem task queue and its on-disk types. It knows nothing of models, git or HTTP:
//! it moves JSON files between folders with atomic, no-overwrite renames and keeps an append-only audit log.
//!
//! ```
//! use queue_core::{Intent, NewTask, Queue, QueueConfig, TaskState};
//!
//! # fn main() -> Result<(), queue_core::Error> {
//! let dir = tempfile::tempdir().map_err(|e| queue_core::Error::Io { path: ".".into(), source: e })?;
//! let queue = Queue::init(dir.path().join(".autodev_queue"), QueueConfig::default())?;
//! let task = queue.submit(
//!     NewTask {
//!         title: "Reject port 0".into(),
//!         intent: Intent::Fix,
//!         work: "parse_port accepts 0; make it return an error".into(),
//!         targets: vec!["src/config.rs".into()],
//!         repo: "/src/app".into(),
//!         base: "HEAD".into(),
//!         base_commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
//!         checks: None,
//!     },
//!     "cli:me",
//! )?;
//! let claim = queue.claim("worker:1")?.expect("one task is pending");
//! assert_eq!(claim.task.id, task.id);
//! queue.renew(&claim)?; // heartbeat
//! queue.complete(&claim, "GATE_PASSED")?;
//! assert_eq!(queue.status_of(task.id)?.state, TaskState::Done);
//! # Ok(()) }
//! ```
//!
//! ## Layout
//! - [`id`]: task ids `T<YYYYMMDD>-<NNNN>`.
//! - [`task`]: the task file people write and the stored task.
//! - [`event`]: the NDJSON audit log.
//! - [`audit`]: what the log says about a task's submission, gate pass and approval (files are believed only when it
//!   agrees).
//! - [`backend`]: the operations every queue backend offers ([`TaskQueue`]), the filesystem's and a database's.
//! - [`queue`]: folders, claims, leases, status.
//! - [`report`]: worker reports and approval records.
//! - [`exit_codes`]: the documented process exit codes (from `protocol`).
//! - [`fsutil`]: no-overwrite rename and directory fsync.
//! - [`text`]: outside text made safe to show on a terminal or in a chat.
//! - [`explain`]: what a task's failure reason means, in the reader's language.

pub mod audit;
pub mod backend;
pub mod error;
pub mod event;
pub mod explain;
pub mod fsutil;
pub mod id;
pub mod queue;
pub mod report;
pub mod task;
pub mod text;

pub use audit::{Audit, GatedPatch, Submitted, TaskMismatch};
pub use backend::{Claim, DecisionKind, Exclusive, ResultKind, TaskQueue, TaskRow};
pub use error::{Error, Result};
pub use event::{Event, EventKind, EventLog, LogRead};
pub use id::TaskId;
/// The process exit codes (defined in the `protocol` crate; re-exported where they were).
pub use protocol::exit_codes;
pub use queue::{
    CorruptTask, MAX_FAILURE_MESSAGE, NewTask, Queue, QueueConfig, QueueSummary, ReapSummary,
    TaskState, TaskStatus,
};
pub use report::{ApprovalRecord, AttemptRecord, RejectionRecord, Report};
pub use task::{Intent, Task, TaskSpec};
