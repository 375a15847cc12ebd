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
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
