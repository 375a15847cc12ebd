//! The append-only audit log `events.ndjson`: one JSON object per line.
//!
//! Each record is written with a single `write(2)` on a file opened with `O_APPEND`, then `fdatasync`ed, so
//! several processes can append at once without interleaving. A reader never fails on a damaged log: a torn final
//! line (a writer died mid-record) and undecodable lines are reported next to the events that did parse.
//!
//! A failed append (disk full, an I/O error) is logged and tried again, [`APPEND_TRIES`] times in all, before
//! [`EventLog::append`] reports it; callers never drop it. A try that failed after its bytes reached the file
//! (the `fdatasync` failed) may leave the record twice, with the same `id`: every event autodev acts on means the
//! same thing twice.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::{Error, Result, TaskId};

/// One line of `events.ndjson`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// A ULID, unique per record and sortable by creation time.
    pub id: String,
    /// RFC 3339 UTC timestamp.
    #[serde(with = "rfc3339")]
    pub ts: DateTime<Utc>,
    /// What happened, with its type-specific fields (`"type": "TASK_CLAIMED"`, …).
    #[serde(flatten)]
    pub kind: EventKind,
    /// The task concerned, absent for queue-wide events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<TaskId>,
    /// Who did it: `cli:<user>`, `worker:<host>:<pid>`, `telegram:<user id>`.
    pub actor: String,
}

impl Event {
    /// A new event stamped now.
    pub fn new(kind: EventKind, task_id: Option<TaskId>, actor: impl Into<String>) -> Self {
        Self {
            id: ulid::Ulid::new().to_string(),
            ts: Utc::now(),
            kind,
            task_id,
            actor: actor.into(),
        }
    }

    /// The stable `type` string, e.g. `TASK_CLAIMED`.
    pub fn type_name(&self) -> &'static str {
        self.kind.type_name()
    }
}

/// The event types and their fields. Field names are part of the public file format: add, never rename.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum EventKind {
    /// A validated task entered `pending/`.
    TaskSubmitted {
        /// The task's title.
        title: String,
        /// The task's intent.
        intent: String,
        /// The task's targets.
        targets: Vec<String>,
        /// The target repository's absolute path, as stored in the task file. Absent in logs written before
        /// autodev recorded it (with `base_commit` and `checks`): such a task cannot be approved or applied.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        repo: Option<PathBuf>,
        /// The commit the base resolved to (`null` for a repository without commits). Meaningful only with
        /// `repo`.
        #[serde(default)]
        base_commit: Option<String>,
        /// The task's own gate checks (`null`: the repository's `gate.toml`). Meaningful only with `repo`.
        #[serde(default)]
        checks: Option<Vec<String>>,
    },
    /// A worker took the task; its lease runs until `lease_expires_at` unless renewed.
    TaskClaimed {
        /// The claiming worker.
        owner: String,
        /// The claim's token (part of the claimed file's name).
        token: String,
        /// The try number (1 = first).
        attempt: u32,
        /// When the lease runs out without a heartbeat.
        #[serde(with = "rfc3339")]
        lease_expires_at: DateTime<Utc>,
    },
    /// The worker gave the task back without using up a try (e.g. the model server was unreachable).
    TaskReleased {
        /// A reason code.
        reason: String,
    },
    /// An expired lease was taken back; the task is pending again for try `attempt`.
    TaskRequeued {
        /// The try number the task will have when next claimed.
        attempt: u32,
        /// Why (e.g. `LEASE_EXPIRED`).
        reason: String,
        /// The owner whose lease expired.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous_owner: Option<String>,
    },
    /// A worker wrote a patch for the task.
    PatchProposed {
        /// Path of the patch file, relative to the queue directory.
        patch: String,
        /// sha256 of the patch bytes, hex.
        sha256: String,
        /// The try that produced it.
        #[serde(default)]
        attempt: u32,
    },
    /// The gate accepted the patch.
    GatePassed {
        /// Check names and durations, free-form.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        checks: Vec<String>,
        /// sha256 of the patch bytes the gate judged, hex, logged by the worker (never by a check). Approval and
        /// apply accept only these bytes. Empty in logs written before it existed: such a pass cannot be approved.
        #[serde(default)]
        sha256: String,
    },
    /// The gate refused the patch.
    GateFailed {
        /// Reason codes (`CHECK_FAILED`, `POLICY_OUTSIDE_TARGETS`, …).
        reasons: Vec<String>,
    },
    /// The worker finished the task; the task moved to `done/`.
    TaskCompleted {
        /// Outcome code, e.g. `GATE_PASSED`.
        outcome: String,
    },
    /// The task moved to `failed/` and will not be tried again.
    TaskFailed {
        /// A reason code, e.g. `MAX_ATTEMPTS_EXCEEDED`.
        reason: String,
        /// A sentence for people.
        #[serde(default)]
        message: String,
    },
    /// A person approved the patch.
    Approved {
        /// sha256 of the approved patch bytes.
        sha256: String,
        /// Where the approval came from (`cli`, `telegram`).
        via: String,
    },
    /// A person rejected the patch.
    Rejected {
        /// Why, as written.
        #[serde(default)]
        reason: String,
        /// Where the rejection came from.
        via: String,
    },
    /// The approved patch was committed.
    Applied {
        /// The commit id.
        commit: String,
        /// The branch it is on (or `worktree`).
        branch: String,
    },
    /// The applied branch was pushed to a remote and, where the forge has an API, a pull request is open for it
    /// (`autodev publish`). Logged once per remote, branch, commit and pull request.
    Published {
        /// The git remote's name (e.g. `origin`).
        remote: String,
        /// The remote's push URL without credentials.
        #[serde(default)]
        remote_url: String,
        /// The pushed branch, `autodev/<id>`.
        branch: String,
        /// The commit the remote branch points to.
        commit: String,
        /// `github`, `gitea`, `forgejo` or `none`.
        #[serde(default)]
        forge: String,
        /// The pull request's web URL; absent when the forge has no API (push only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pr_url: Option<String>,
        /// The pull request's number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pr_number: Option<u64>,
    },
    /// Delivering an approved patch (apply, push or pull request) failed; `code` is the delivery error's stable
    /// code. The message never contains a token.
    DeliveryFailed {
        /// A stable code, e.g. `REMOTE_BRANCH_MOVED`, `FORGE_AUTH`.
        code: String,
        /// A sentence for people.
        #[serde(default)]
        message: String,
        /// Whether `autodev deliver` tries again by itself (rate limits, unreachable remotes); otherwise a person
        /// must fix the cause and ask again (`autodev publish ID`, or `/publish ID`).
        #[serde(default)]
        retryable: bool,
        /// When to try again at the earliest, when the forge said (rate limits).
        #[serde(default, skip_serializing_if = "Option::is_none", with = "rfc3339_opt")]
        retry_at: Option<DateTime<Utc>>,
    },
    /// A person asked for the task to be published (`/publish ID` in Telegram); `autodev deliver` does it.
    PublishRequested {},
    /// Workers stop claiming.
    QueuePaused {
        /// Why, as written.
        #[serde(default)]
        reason: String,
    },
    /// Workers claim again.
    QueueResumed {},
    /// The configured model is not installed; the worker used the fallback model.
    ModelFallback {
        /// The configured model.
        model: String,
        /// The model used instead.
        fallback: String,
        /// Why (e.g. `MODEL_NOT_FOUND`).
        reason: String,
    },
    /// Someone not on an allow list tried a command.
    AccessDenied {
        /// What they tried.
        command: String,
    },
}

impl EventKind {
    /// The stable `type` string.
    pub fn type_name(&self) -> &'static str {
        match self {
            EventKind::TaskSubmitted { .. } => "TASK_SUBMITTED",
            EventKind::TaskClaimed { .. } => "TASK_CLAIMED",
            EventKind::TaskReleased { .. } => "TASK_RELEASED",
            EventKind::TaskRequeued { .. } => "TASK_REQUEUED",
            EventKind::PatchProposed { .. } => "PATCH_PROPOSED",
            EventKind::GatePassed { .. } => "GATE_PASSED",
            EventKind::GateFailed { .. } => "GATE_FAILED",
            EventKind::TaskCompleted { .. } => "TASK_COMPLETED",
            EventKind::TaskFailed { .. } => "TASK_FAILED",
            EventKind::Approved { .. } => "APPROVED",
            EventKind::Rejected { .. } => "REJECTED",
            EventKind::Applied { .. } => "APPLIED",
            EventKind::Published { .. } => "PUBLISHED",
            EventKind::DeliveryFailed { .. } => "DELIVERY_FAILED",
            EventKind::PublishRequested {} => "PUBLISH_REQUESTED",
            EventKind::QueuePaused { .. } => "QUEUE_PAUSED",
            EventKind::QueueResumed { .. } => "QUEUE_RESUMED",
            EventKind::ModelFallback { .. } => "MODEL_FALLBACK",
            EventKind::AccessDenied { .. } => "ACCESS_DENIED",
        }
    }
}

/// Timestamps are always written as `2026-11-25T14:35:56.123456Z`.
mod rfc3339 {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        ts: &DateTime<Utc>,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&ts.to_rfc3339_opts(SecondsFormat::Micros, true))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

/// Optional timestamps, written like [`rfc3339`].
mod rfc3339_opt {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        ts: &Option<DateTime<Utc>>,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match ts {
            Some(t) => s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Micros, true)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<Option<DateTime<Utc>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| {
                DateTime::parse_from_rfc3339(&s)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(serde::de::Error::custom)
            })
            .transpose()
    }
}

/// A line of the log that did not decode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadLine {
    /// 1-based line number.
    pub line: u64,
    /// Byte offset of the line's start.
    pub offset: u64,
    /// Why it did not decode.
    pub error: String,
}

/// What [`EventLog::read`] found.
#[derive(Debug, Default, Clone)]
pub struct LogRead {
    /// The records that decoded, in file order.
    pub events: Vec<Event>,
    /// The last line had no newline and did not decode: a writer died mid-record. It is ignored.
    pub torn_tail: Option<BadLine>,
    /// Other lines that did not decode (damaged, or written by a newer autodev with unknown types).
    pub bad_lines: Vec<BadLine>,
    /// Byte offset just past the last complete line, where a follower continues reading.
    pub end_offset: u64,
}

/// The waits between tries of an append: a full disk is often freed within a second (a temporary file removed, a
/// log rotated), and a caller kept waiting longer than that is better told.
const APPEND_WAITS: [Duration; 3] = [
    Duration::from_millis(50),
    Duration::from_millis(200),
    Duration::from_millis(800),
];

/// How many times [`EventLog::append`] tries to write a record before it returns [`Error::LogAppend`].
pub const APPEND_TRIES: u32 = APPEND_WAITS.len() as u32 + 1;

/// Called after each failed try of an append, with the try's number (1-based) and its error.
type FailureHook = Arc<dyn Fn(u32, &std::io::Error) + Send + Sync>;

/// Appends to and reads `events.ndjson`.
pub struct EventLog {
    path: PathBuf,
    file: Mutex<Option<File>>,
    on_failed_try: Option<FailureHook>,
}

impl std::fmt::Debug for EventLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventLog")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl EventLog {
    /// A log at `path`; the file is created on first append.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            file: Mutex::new(None),
            on_failed_try: None,
        }
    }

    /// Also calls `hook` after each failed try of an append (before waiting for the next), e.g. to count
    /// failures. Every failed try is logged as a `tracing` warning either way.
    pub fn on_failed_try(
        mut self,
        hook: impl Fn(u32, &std::io::Error) + Send + Sync + 'static,
    ) -> Self {
        self.on_failed_try = Some(Arc::new(hook));
        self
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record durably (single write, then fdatasync), trying [`APPEND_TRIES`] times before it
    /// returns [`Error::LogAppend`] with the last error.
    pub fn append(&self, event: &Event) -> Result<()> {
        let mut line = serde_json::to_vec(event).map_err(|e| Error::Corrupt {
            path: self.path.clone(),
            detail: format!("event does not serialize: {e}"),
        })?;
        line.push(b'\n');
        let mut tries = 0;
        loop {
            tries += 1;
            let err = match self.write_line(&line) {
                Ok(()) => return Ok(()),
                Err(e) => e,
            };
            if let Some(hook) = &self.on_failed_try {
                hook(tries, &err);
            }
            let Some(wait) = APPEND_WAITS.get(tries as usize - 1) else {
                tracing::error!(event = event.type_name(), tries, error = %err, log = %self.path.display(),
                    "giving up appending to the event log");
                return Err(Error::LogAppend {
                    path: self.path.clone(),
                    event: event.type_name(),
                    tries,
                    source: err,
                });
            };
            tracing::warn!(event = event.type_name(), attempt = tries, of = APPEND_TRIES, error = %err,
                log = %self.path.display(), "appending to the event log failed; trying again in {wait:?}");
            std::thread::sleep(*wait);
        }
    }

    /// One try: one `write(2)` of the whole line, then `fdatasync`. A handle that failed is dropped, so the next
    /// try opens the path afresh (the descriptor may be bad for good after EIO).
    fn write_line(&self, line: &[u8]) -> std::io::Result<()> {
        let mut guard = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let res = (|| {
            let f = match guard.take() {
                Some(f) if still_at(&f, &self.path) => f,
                _ => OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(&self.path)?,
            };
            let f = guard.insert(f);
            // One write(2) per record: O_APPEND makes seek-to-end + write a single step, so concurrent
            // appenders never interleave inside a record on a local filesystem.
            let n = f.write(line)?;
            if n != line.len() {
                // A short write (disk full): finish the line if the disk lets us. If it does not, the fragment
                // stays unterminated and the next record, appended right after it, is salvaged by readers.
                f.write_all(&line[n..])?;
            }
            f.sync_data()
        })();
        if res.is_err() {
            *guard = None;
        }
        res
    }

    /// Reads the whole log, tolerating damage.
    pub fn read(&self) -> Result<LogRead> {
        self.read_from(0)
    }

    /// Reads from byte `offset` (as returned in [`LogRead::end_offset`]); a missing file reads as empty.
    pub fn read_from(&self, offset: u64) -> Result<LogRead> {
        let mut out = LogRead {
            end_offset: offset,
            ..LogRead::default()
        };
        let file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(Error::io(&self.path, e)),
        };
        let mut reader = BufReader::new(file);
        reader
            .seek(SeekFrom::Start(offset))
            .map_err(|e| Error::io(&self.path, e))?;
        let mut pos = offset;
        let mut line_no = 0u64;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| Error::io(&self.path, e))?;
            if n == 0 {
                break;
            }
            line_no += 1;
            let complete = buf.last() == Some(&b'\n');
            let body = trim_line(&buf);
            if body.is_empty() {
                if complete {
                    pos += n as u64;
                    out.end_offset = pos;
                }
                continue;
            }
            match decode_line(body) {
                Ok(ev) => {
                    out.events.push(ev);
                    if complete {
                        pos += n as u64;
                        out.end_offset = pos;
                    } else {
                        // A complete record without its newline: accept it, but let a follower re-read the
                        // line once its newline arrives (end_offset stays before it).
                        pos += n as u64;
                    }
                }
                Err(error) => {
                    let bad = BadLine {
                        line: line_no,
                        offset: pos,
                        error,
                    };
                    if complete {
                        out.bad_lines.push(bad);
                        pos += n as u64;
                        out.end_offset = pos;
                    } else {
                        out.torn_tail = Some(bad);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Whether `f` is still the file at `path`. A log moved aside or replaced (restored from a backup, rotated by
/// hand) must not swallow this process's records, unseen by every reader of `path`: appends follow the path.
fn still_at(f: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (f.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (f, path);
        false
    }
}

fn trim_line(buf: &[u8]) -> &[u8] {
    let mut b = buf;
    while let Some((&last, rest)) = b.split_last() {
        if last == b'\n' || last == b'\r' {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// Decodes one line. If a writer died mid-record and a later record was appended right after the fragment, the
/// line reads `<fragment>{"id":…}`: the record after the fragment is salvaged.
fn decode_line(body: &[u8]) -> std::result::Result<Event, String> {
    match serde_json::from_slice::<Event>(body) {
        Ok(ev) => Ok(ev),
        Err(first) => {
            let needle = br#"{"id":"#;
            let salvage = body
                .windows(needle.len())
                .enumerate()
                .skip(1)
                .rev()
                .find(|(_, w)| *w == needle)
                .map(|(i, _)| i);
            if let Some(i) = salvage
                && let Ok(ev) = serde_json::from_slice::<Event>(&body[i..])
            {
                return Ok(ev);
            }
            Err(first.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(n: u32) -> Event {
        Event::new(
            EventKind::TaskFailed {
                reason: format!("R{n}"),
                message: "한국어 메시지".into(),
            },
            Some(TaskId::new(
                chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
                n,
            )),
            "test",
        )
    }

    #[test]
    fn round_trip_keeps_type_names_and_unicode() {
        let dir = tempfile::tempdir().unwrap();
        let log = EventLog::new(dir.path().join("events.ndjson"));
        log.append(&ev(1)).unwrap();
        let text = std::fs::read_to_string(log.path()).unwrap();
        assert!(text.contains(r#""type":"TASK_FAILED""#), "{text}");
        assert!(text.contains(r#""task_id":"T20261125-0001""#), "{text}");
        assert!(text.contains("한국어 메시지"), "{text}");
        let read = log.read().unwrap();
        assert_eq!(read.events, vec![ev_with_same(&read.events[0], 1)]);
    }

    fn ev_with_same(got: &Event, n: u32) -> Event {
        let mut e = ev(n);
        e.id = got.id.clone();
        e.ts = got.ts;
        e
    }

    #[test]
    fn torn_tail_is_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let log = EventLog::new(dir.path().join("events.ndjson"));
        log.append(&ev(1)).unwrap();
        log.append(&ev(2)).unwrap();
        let mut f = OpenOptions::new().append(true).open(log.path()).unwrap();
        f.write_all(br#"{"id":"01J","ts":"2026-11-"#).unwrap();
        let read = log.read().unwrap();
        assert_eq!(read.events.len(), 2);
        let torn = read.torn_tail.expect("torn tail reported");
        assert_eq!(torn.line, 3);
        assert!(read.bad_lines.is_empty());
        // A follower resumes before the torn line.
        assert_eq!(read.end_offset, torn.offset);
    }

    #[test]
    fn record_appended_after_a_fragment_is_salvaged() {
        let dir = tempfile::tempdir().unwrap();
        let log = EventLog::new(dir.path().join("events.ndjson"));
        log.append(&ev(1)).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(log.path())
            .unwrap()
            .write_all(br#"{"id":"01J","ts":"2026"#)
            .unwrap();
        log.append(&ev(3)).unwrap();
        let read = log.read().unwrap();
        assert_eq!(read.events.len(), 2, "{:?}", read.bad_lines);
        assert!(read.torn_tail.is_none());
    }

    #[test]
    fn appends_follow_the_path_when_the_log_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let log = EventLog::new(dir.path().join("events.ndjson"));
        log.append(&ev(1)).unwrap();
        let aside = dir.path().join("events.old");
        std::fs::rename(log.path(), &aside).unwrap();
        log.append(&ev(2)).unwrap();
        assert_eq!(log.read().unwrap().events.len(), 1, "a new log at the path");
        assert_eq!(EventLog::new(&aside).read().unwrap().events.len(), 1);
    }

    #[test]
    fn garbage_line_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let log = EventLog::new(dir.path().join("events.ndjson"));
        std::fs::write(log.path(), b"not json\n\n").unwrap();
        log.append(&ev(1)).unwrap();
        let read = log.read().unwrap();
        assert_eq!(read.events.len(), 1);
        assert_eq!(read.bad_lines.len(), 1);
        assert_eq!(read.bad_lines[0].line, 1);
    }
}
