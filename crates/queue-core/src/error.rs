//! queue-core's error type.

use std::path::{Path, PathBuf};

use crate::TaskId;

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors returned by the queue. None of them means "the task is lost": every failing operation leaves the task
/// where it was.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A filesystem call failed. Returned by every operation; usually not retryable without fixing the cause
    /// (permissions, disk full, read-only mount).
    #[error("{op} {path}: {source}", op = "filesystem error at", path = path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The queue directory does not exist or was never initialised. Returned by [`crate::Queue::open`].
    #[error("no queue at {}: run `autodev init` first (or pass --queue / set AUTODEV_QUEUE)", path.display())]
    NotInitialised {
        /// The directory that was expected to hold a queue.
        path: PathBuf,
    },
    /// A file in the queue does not decode. Returned by status and claim; the file is left in place.
    #[error("corrupt queue file {}: {detail}", path.display())]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// The caller's lease is gone: it expired and another process took the task back, or the task was finished
    /// by someone else. Returned by renew/complete/release; not retryable — drop the work.
    #[error("lease on {task} lost (expired and taken back, or finished elsewhere)")]
    LeaseLost {
        /// The task.
        task: TaskId,
    },
    /// No such task in any state folder. Returned by status lookups.
    #[error("no task {0} in this queue")]
    UnknownTask(TaskId),
    /// No free id is left for the day (more than a billion tasks).
    #[error("task ids for {day} are exhausted")]
    IdsExhausted {
        /// `YYYYMMDD`.
        day: String,
    },
    /// `EVENT_LOG_WRITE_FAILED`: a record could not be appended to `events.ndjson` in
    /// [`crate::event::APPEND_TRIES`] tries (disk full, I/O error, read-only mount). Returned by every operation
    /// that logs. [`crate::Queue::submit`] and [`crate::Queue::claim`] then changed nothing; `complete`, `fail`
    /// and `release` had already moved the task (only its event is missing: [`crate::Queue::reconcile_log`]
    /// writes a missing final event later). Retryable once the cause is fixed.
    #[error(
        "could not append {event} to {} after {tries} tries: {source}; free disk space, or fix whatever keeps \
         the log from being written (permissions, mount), then try again",
        path.display()
    )]
    LogAppend {
        /// The log.
        path: PathBuf,
        /// The event's type, e.g. `TASK_SUBMITTED`.
        event: &'static str,
        /// How many times it was tried.
        tries: u32,
        /// The last OS error.
        #[source]
        source: std::io::Error,
    },
    /// `TASK_FILE_CORRUPT`: the task's file exists but is not a task autodev can read (empty, damaged JSON, a
    /// directory, unreadable, or naming another id). Returned by [`crate::Queue::status_of`]; other tasks are not
    /// affected. Not retryable: restore the file or move it out of the queue.
    #[error(
        "task {id}'s file {} cannot be read: {detail}; restore it from a backup, or move it out of the queue",
        path.display()
    )]
    TaskCorrupt {
        /// The task.
        id: TaskId,
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
}

impl Error {
    /// A stable code for people and scripts: `IO_ERROR`, `QUEUE_NOT_INITIALISED`, `QUEUE_FILE_CORRUPT`,
    /// `LEASE_LOST`, `TASK_UNKNOWN`, `IDS_EXHAUSTED`, `EVENT_LOG_WRITE_FAILED`, `TASK_FILE_CORRUPT`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { .. } => "IO_ERROR",
            Error::NotInitialised { .. } => "QUEUE_NOT_INITIALISED",
            Error::Corrupt { .. } => "QUEUE_FILE_CORRUPT",
            Error::LeaseLost { .. } => "LEASE_LOST",
            Error::UnknownTask(_) => "TASK_UNKNOWN",
            Error::IdsExhausted { .. } => "IDS_EXHAUSTED",
            Error::LogAppend { .. } => "EVENT_LOG_WRITE_FAILED",
            Error::TaskCorrupt { .. } => "TASK_FILE_CORRUPT",
        }
    }

    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
