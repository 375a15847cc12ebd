//! queue-core's error type.

use std::path::{Path, PathBuf};

use i18n::{Lang, io_error, t};

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
    /// `QUEUE_DATABASE_ERROR`: the queue's database could not be reached or refused a statement (returned by every
    /// operation of a database backend). Nothing changed: each operation is one transaction. Retryable once the
    /// server is back; `autodev doctor` checks the connection.
    #[error("the queue's database {location}: {detail}")]
    Database {
        /// The database, without its password.
        location: String,
        /// What the server or the connection said.
        detail: String,
    },
    /// `QUEUE_SCHEMA_TOO_NEW`: the database was set up by a newer autodev (schema version `found`, this binary
    /// knows up to `known`). Returned when a database queue is opened; not retryable: upgrade autodev.
    #[error(
        "the queue's database has schema version {found}, newer than the {known} this autodev knows: upgrade \
         autodev on this machine (nothing was changed)"
    )]
    SchemaTooNew {
        /// The database's version.
        found: i32,
        /// The newest this binary knows.
        known: i32,
    },
}

impl Error {
    /// A stable code for people and scripts: `IO_ERROR`, `QUEUE_NOT_INITIALISED`, `QUEUE_FILE_CORRUPT`,
    /// `LEASE_LOST`, `TASK_UNKNOWN`, `IDS_EXHAUSTED`, `EVENT_LOG_WRITE_FAILED`, `TASK_FILE_CORRUPT`,
    /// `QUEUE_DATABASE_ERROR`, `QUEUE_SCHEMA_TOO_NEW`.
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
            Error::Database { .. } => "QUEUE_DATABASE_ERROR",
            Error::SchemaTooNew { .. } => "QUEUE_SCHEMA_TOO_NEW",
        }
    }

    /// The sentence in `lang`, where a person reads it: in English the same words as `Display` (logs and JSON keep
    /// `Display`), the OS error by [`i18n::io_error`].
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            Error::Io { path, source } => t!(
                lang,
                "queue-err-io",
                path = &path.display(),
                error = io_error(source, lang)
            ),
            Error::NotInitialised { path } => {
                t!(lang, "queue-err-not-initialised", path = &path.display())
            }
            Error::Corrupt { path, detail } => t!(
                lang,
                "queue-err-corrupt",
                path = &path.display(),
                detail = detail
            ),
            Error::LeaseLost { task } => t!(lang, "queue-err-lease-lost", task = task),
            Error::UnknownTask(id) => t!(lang, "queue-err-unknown-task", id = id),
            Error::IdsExhausted { day } => t!(lang, "queue-err-ids-exhausted", day = day),
            Error::LogAppend {
                path,
                event,
                tries,
                source,
            } => t!(
                lang,
                "queue-err-log-append",
                event = *event,
                path = &path.display(),
                tries = tries,
                error = io_error(source, lang)
            ),
            Error::TaskCorrupt { id, path, detail } => t!(
                lang,
                "queue-err-task-corrupt",
                id = id,
                path = &path.display(),
                detail = detail
            ),
            Error::Database { location, detail } => t!(
                lang,
                "queue-err-database",
                location = location,
                detail = detail
            ),
            Error::SchemaTooNew { found, known } => {
                t!(
                    lang,
                    "queue-err-schema-too-new",
                    found = found,
                    known = known
                )
            }
        }
    }

    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn korean(text: &str) -> bool {
        text.chars().any(|c| ('가'..='힣').contains(&c))
    }

    /// English says what `Display` says (logs and JSON keep `Display`); Korean says something else, in Korean.
    #[test]
    fn english_reads_as_display_and_korean_is_translated() {
        let id: TaskId = "T20261125-0001".parse().unwrap();
        let all = [
            Error::Io {
                path: "/q/pending".into(),
                source: std::io::Error::from_raw_os_error(13),
            },
            Error::NotInitialised {
                path: "/tmp/k/.autodev_queue".into(),
            },
            Error::Corrupt {
                path: "/q/queue.json".into(),
                detail: "EOF while parsing".into(),
            },
            Error::LeaseLost { task: id },
            Error::UnknownTask(id),
            Error::IdsExhausted {
                day: "20261125".into(),
            },
            Error::LogAppend {
                path: "/q/events.ndjson".into(),
                event: "TASK_SUBMITTED",
                tries: 4,
                source: std::io::Error::from_raw_os_error(28),
            },
            Error::TaskCorrupt {
                id,
                path: "/q/done/T20261125-0001.json".into(),
                detail: "expected value at line 1".into(),
            },
            Error::Database {
                location: "postgres://autodev@db:5432/autodev".into(),
                detail: "connection refused".into(),
            },
            Error::SchemaTooNew { found: 9, known: 1 },
        ];
        for e in &all {
            assert_eq!(e.localized(Lang::En), e.to_string(), "{}", e.code());
            let ko = e.localized(Lang::Ko);
            assert!(korean(&ko) && ko != e.to_string(), "not Korean: {ko}");
        }
        assert_eq!(
            all[1].localized(Lang::Ko),
            "/tmp/k/.autodev_queue에 대기열이 없습니다. 먼저 `autodev init`을 실행하세요(또는 --queue를 주거나 \
             AUTODEV_QUEUE를 설정하세요)."
        );
        assert_eq!(
            all[6].localized(Lang::Ko),
            "/q/events.ndjson에 TASK_SUBMITTED를 4번 시도했지만 추가하지 못했습니다: 디스크에 남은 공간이 없습니다(os \
             error 28). 디스크 공간을 확보하거나 로그를 쓰지 못하게 막는 원인(권한, 마운트)을 고친 뒤 다시 시도하세요."
        );
    }
}
