//! The filesystem queue: one JSON file per task, its state given by the folder it sits in.
//!
//! ```text
//! <queue>/queue.json                 format version, lease length, maximum tries (written by init)
//!         pending/<id>.json          waiting to be claimed
//!         claimed/<id>@<token>.json  held by a worker; the lease runs from the file's last change time
//!         done/<id>.json             a worker finished it (see results/)
//!         failed/<id>.json           given up (reason in events.ndjson)
//!         results/<id>.patch, <id>.report.json, <id>.gate.json
//!         approved/<id>.approved.json, rejected/<id>.rejected.json
//!         ids/<YYYYMMDD>/<seq>       id reservations (exclusive create)
//!         tmp/                       staging for atomic writes
//!         events.ndjson              the audit log
//!         PAUSED                     present while workers must not claim
//! ```
//!
//! Every move is a no-overwrite rename, so a task is in exactly one folder at every instant. A claim renames
//! `pending/<id>.json` to a name carrying a fresh token: of N racing claimers, one rename succeeds and the others
//! see `NotFound`. Completing renames the token-named file, so a worker whose lease was taken back cannot complete
//! the task the new holder is working on (fencing). Each state change fsyncs the folders it touches.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::Audit;
use crate::event::{Event, EventKind, EventLog};
use crate::fsutil::{rename_noreplace, sync_dir, write_new_durable, write_replace_durable};
use crate::report::ApprovalRecord;
use crate::{Error, Intent, Result, Task, TaskId};

const PENDING: &str = "pending";
const CLAIMED: &str = "claimed";
const DONE: &str = "done";
const FAILED: &str = "failed";
const RESULTS: &str = "results";
const APPROVED: &str = "approved";
const REJECTED: &str = "rejected";
const IDS: &str = "ids";
const TMP: &str = "tmp";
const CONFIG: &str = "queue.json";

/// Longest `TASK_FAILED` message logged, in bytes; the rest is cut with a note (a failure's message quotes
/// model output, which must not become a multi-megabyte event line).
pub const MAX_FAILURE_MESSAGE: usize = 4096;
const PAUSED: &str = "PAUSED";
const EVENTS: &str = "events.ndjson";

/// How old a finished task's file must be before [`Queue::reconcile_log`] writes its missing final event: far
/// longer than the gap between a live worker's rename and its log append.
pub const RECONCILE_AFTER: Duration = Duration::from_secs(10);

/// Settings stored in `queue.json`, shared by every process using the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueConfig {
    /// On-disk format version.
    pub format: u32,
    /// How long a claim stays valid without a heartbeat, in seconds. Workers renew at a third of this.
    pub lease_secs: u64,
    /// How many tries a task gets before an expired lease sends it to `failed/`.
    pub max_attempts: u32,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            format: 1,
            lease_secs: 300,
            max_attempts: 3,
        }
    }
}

/// A task's place in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Waiting in `pending/`.
    Pending,
    /// Held by a worker.
    Claimed,
    /// Finished by a worker; waiting for a person.
    Done,
    /// Given up.
    Failed,
    /// Finished and approved by a person.
    Approved,
    /// Finished and rejected by a person.
    Rejected,
    /// The approved patch was committed.
    Applied,
}

impl TaskState {
    /// The lowercase name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Pending => "pending",
            TaskState::Claimed => "claimed",
            TaskState::Done => "done",
            TaskState::Failed => "failed",
            TaskState::Approved => "approved",
            TaskState::Rejected => "rejected",
            TaskState::Applied => "applied",
        }
    }
}

/// What a submitter hands the queue: a task already validated (by the `submit` crate).
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    /// One-line summary.
    pub title: String,
    /// The kind of change.
    pub intent: Intent,
    /// The request text.
    pub work: String,
    /// Repository-relative allowed paths.
    pub targets: Vec<String>,
    /// Absolute repository path.
    pub repo: PathBuf,
    /// Base revision as written.
    pub base: String,
    /// Resolved base commit; `None` for a repository without commits.
    pub base_commit: Option<String>,
    /// Optional per-task checks.
    pub checks: Option<Vec<String>>,
}

/// A held claim. Renew it with [`Queue::renew`] more often than `lease_secs`; end it with
/// [`Queue::complete`], [`Queue::fail`] or [`Queue::release`].
#[derive(Debug, Clone)]
pub struct Claim {
    /// The task as stored.
    pub task: Task,
    /// Who holds it.
    pub owner: String,
    /// This claim's token; part of the claimed file's name.
    pub token: String,
    path: PathBuf,
}

impl Claim {
    /// The claimed file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// What [`Queue::reap_expired`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReapSummary {
    /// Tasks put back in `pending/`.
    pub requeued: Vec<TaskId>,
    /// Tasks that ran out of tries and went to `failed/`.
    pub failed: Vec<TaskId>,
    /// Finished tasks whose final event was missing from the log (see [`Queue::reconcile_log`]).
    pub recovered: Vec<TaskId>,
}

/// One task's derived status.
#[derive(Debug, Clone, Serialize)]
pub struct TaskStatus {
    /// The id.
    pub id: TaskId,
    /// Where it is.
    pub state: TaskState,
    /// Tries started so far: the try number of the latest claim (a release does not use one up).
    pub attempts: u32,
    /// The queue's maximum.
    pub max_attempts: u32,
    /// Title.
    pub title: String,
    /// Intent.
    pub intent: Intent,
    /// Allowed paths.
    pub targets: Vec<String>,
    /// Target repository.
    pub repo: PathBuf,
    /// Base commit; `None` for a repository without commits.
    pub base_commit: Option<String>,
    /// When submitted.
    pub created_at: DateTime<Utc>,
    /// The task's file.
    pub task_file: PathBuf,
    /// Current holder, while claimed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When the current lease runs out, while claimed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// `results/<id>.patch`, when it exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch: Option<PathBuf>,
    /// `results/<id>.report.json`, when it exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<PathBuf>,
    /// `results/<id>.gate.json`, when it exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<PathBuf>,
    /// `approved/<id>.approved.json`, when it exists, the log confirms it (see [`Audit::confirms`]) and the task
    /// file is the task as submitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<PathBuf>,
    /// `approved/<id>.approved.json`, when it exists but the log has no matching `APPROVED` event: it was not
    /// written by an approval (code `APPROVAL_NOT_IN_LOG`) and does not count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unlogged_approval: Option<PathBuf>,
    /// For a task in `done/`: why its task file is not the task as submitted (code `TASK_NOT_AS_SUBMITTED`, see
    /// [`Audit::task_as_submitted`]). Such a task is never shown approved: approve and apply refuse it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_not_as_submitted: Option<String>,
    /// Reason code of the last failure, for failed tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// The type of the last event about this task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_event: Option<String>,
}

/// Counts of tasks per state, plus the pause flag.
#[derive(Debug, Default, Clone, Serialize)]
pub struct QueueSummary {
    /// Tasks per state.
    pub counts: std::collections::BTreeMap<TaskState, usize>,
    /// Whether workers are paused.
    pub paused: bool,
    /// Problems found while reading the log (torn or undecodable lines).
    pub log_problems: Vec<String>,
}

/// A filesystem queue rooted at one directory.
#[derive(Debug)]
pub struct Queue {
    root: PathBuf,
    config: QueueConfig,
    log: EventLog,
    pending_cache: Mutex<VecDeque<TaskId>>,
    last_reap: Mutex<Option<Instant>>,
    last_seq: Mutex<Option<(NaiveDate, u32)>>,
    /// How far [`Queue::reconcile_log`] has read the log, and the tasks it saw finish.
    log_cursor: Mutex<(u64, HashSet<TaskId>)>,
}

impl Queue {
    /// Creates the queue's folders and `queue.json` if missing; never overwrites anything. Idempotent.
    pub fn init(root: impl Into<PathBuf>, config: QueueConfig) -> Result<Queue> {
        let root = root.into();
        for d in [
            "", PENDING, CLAIMED, DONE, FAILED, RESULTS, APPROVED, REJECTED, IDS, TMP,
        ] {
            let p = root.join(d);
            fs::create_dir_all(&p).map_err(|e| Error::io(&p, e))?;
        }
        let cfg_path = root.join(CONFIG);
        if !cfg_path.exists() {
            let bytes = serde_json::to_vec_pretty(&config).map_err(|e| Error::Corrupt {
                path: cfg_path.clone(),
                detail: e.to_string(),
            })?;
            let tmp = root.join(TMP).join(format!("{}.json", ulid::Ulid::new()));
            match write_new_durable(&tmp, &cfg_path, &bytes) {
                Ok(()) => {}
                // Another init won the race: theirs stands.
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io(&cfg_path, e)),
            }
        }
        let events = root.join(EVENTS);
        fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&events)
            .map_err(|e| Error::io(&events, e))?;
        sync_dir(&root).map_err(|e| Error::io(&root, e))?;
        Queue::open(root)
    }

    /// Opens an initialised queue.
    pub fn open(root: impl Into<PathBuf>) -> Result<Queue> {
        let root = root.into();
        let cfg_path = root.join(CONFIG);
        let bytes = match fs::read(&cfg_path) {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(Error::NotInitialised { path: root });
            }
            Err(e) => return Err(Error::io(&cfg_path, e)),
        };
        let config: QueueConfig = serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt {
            path: cfg_path.clone(),
            detail: e.to_string(),
        })?;
        Ok(Queue {
            log: EventLog::new(root.join(EVENTS)),
            root,
            config,
            pending_cache: Mutex::new(VecDeque::new()),
            last_reap: Mutex::new(None),
            last_seq: Mutex::new(None),
            log_cursor: Mutex::new((0, HashSet::new())),
        })
    }

    /// The queue directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The shared settings.
    pub fn config(&self) -> &QueueConfig {
        &self.config
    }

    /// The audit log.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// What the log says about task `id`'s gate pass and approval (see [`Audit`]).
    pub fn audit(&self, id: TaskId) -> Result<Audit> {
        Ok(Audit::of(&self.log.read()?.events, id))
    }

    /// Appends an event to the audit log.
    pub fn record(&self, kind: EventKind, task: Option<TaskId>, actor: &str) -> Result<()> {
        self.log.append(&Event::new(kind, task, actor))
    }

    /// Where a worker stores a result file for a task: `results/<id>.<ext>` (`patch`, `report.json`, `gate.json`).
    pub fn result_path(&self, id: TaskId, ext: &str) -> PathBuf {
        self.root.join(RESULTS).join(format!("{id}.{ext}"))
    }

    /// `approved/<id>.approved.json`.
    pub fn approval_path(&self, id: TaskId) -> PathBuf {
        self.root.join(APPROVED).join(format!("{id}.approved.json"))
    }

    /// `rejected/<id>.rejected.json`.
    pub fn rejection_path(&self, id: TaskId) -> PathBuf {
        self.root.join(REJECTED).join(format!("{id}.rejected.json"))
    }

    /// A fresh path in the queue's staging folder (same filesystem as every state folder).
    pub fn tmp_path(&self, suffix: &str) -> PathBuf {
        self.root
            .join(TMP)
            .join(format!("{}{suffix}", ulid::Ulid::new()))
    }

    /// Accepts a validated task: allocates `T<today>-<seq>`, writes `pending/<id>.json` durably and logs
    /// `TASK_SUBMITTED` with the fields approval and apply later check the task file against (see
    /// [`Audit::task_as_submitted`]).
    pub fn submit(&self, new: NewTask, actor: &str) -> Result<Task> {
        loop {
            let now = Utc::now();
            let id = self.allocate_id(now.date_naive())?;
            let task = Task {
                id,
                title: new.title.clone(),
                intent: new.intent,
                work: new.work.clone(),
                targets: new.targets.clone(),
                repo: new.repo.clone(),
                base: new.base.clone(),
                base_commit: new.base_commit.clone(),
                checks: new.checks.clone(),
                attempt: 1,
                created_at: now,
                submitted_by: actor.to_string(),
            };
            let bytes = to_json(&task, &self.root)?;
            let dest = self.state_path(PENDING, id);
            match write_new_durable(&self.tmp_path(".json"), &dest, &bytes) {
                Ok(()) => {}
                // A reservation lost in a crash let an id be handed out twice; take the next one.
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io(&dest, e)),
            }
            self.record(
                EventKind::TaskSubmitted {
                    title: task.title.clone(),
                    intent: task.intent.to_string(),
                    targets: task.targets.clone(),
                    repo: Some(task.repo.clone()),
                    base_commit: task.base_commit.clone(),
                    checks: task.checks.clone(),
                },
                Some(id),
                actor,
            )?;
            return Ok(task);
        }
    }

    /// Reserves the next free sequence number for `day` by exclusive creation of `ids/<day>/<seq>`.
    fn allocate_id(&self, day: NaiveDate) -> Result<TaskId> {
        let dir = self.root.join(IDS).join(TaskId::day_key(day));
        if !dir.exists() {
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            sync_dir(&self.root.join(IDS)).map_err(|e| Error::io(&dir, e))?;
        }
        let mut last = self.last_seq.lock().unwrap_or_else(|p| p.into_inner());
        // Reservations are never deleted and are dense, so the count is the highest sequence taken (or close to
        // it): start there instead of probing from 1.
        let mut seq = match *last {
            Some((d, s)) if d == day => s + 1,
            _ => {
                let n = fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?.count();
                u32::try_from(n).unwrap_or(u32::MAX - 1).saturating_add(1)
            }
        };
        loop {
            if seq > 999_999_999 {
                return Err(Error::IdsExhausted {
                    day: TaskId::day_key(day),
                });
            }
            let p = dir.join(seq.to_string());
            match fs::OpenOptions::new().write(true).create_new(true).open(&p) {
                Ok(_) => {
                    sync_dir(&dir).map_err(|e| Error::io(&dir, e))?;
                    *last = Some((day, seq));
                    return Ok(TaskId::new(day, seq));
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => seq += 1,
                Err(e) => return Err(Error::io(&p, e)),
            }
        }
    }

    fn state_path(&self, state: &str, id: TaskId) -> PathBuf {
        self.root.join(state).join(format!("{id}.json"))
    }

    /// Whether workers must not claim.
    pub fn is_paused(&self) -> bool {
        self.root.join(PAUSED).exists()
    }

    /// Sets the pause flag; returns false if it was already set (nothing logged then).
    pub fn pause(&self, actor: &str, reason: &str) -> Result<bool> {
        let flag = self.root.join(PAUSED);
        let body = serde_json::json!({"by": actor, "at": Utc::now(), "reason": reason});
        match write_new_durable(
            &self.tmp_path(".paused"),
            &flag,
            body.to_string().as_bytes(),
        ) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => return Ok(false),
            Err(e) => return Err(Error::io(&flag, e)),
        }
        self.record(
            EventKind::QueuePaused {
                reason: reason.to_string(),
            },
            None,
            actor,
        )?;
        Ok(true)
    }

    /// Clears the pause flag; returns false if it was not set.
    pub fn resume(&self, actor: &str) -> Result<bool> {
        let flag = self.root.join(PAUSED);
        match fs::remove_file(&flag) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(Error::io(&flag, e)),
        }
        sync_dir(&self.root).map_err(|e| Error::io(&self.root, e))?;
        self.record(EventKind::QueueResumed {}, None, actor)?;
        Ok(true)
    }

    /// Lists pending ids, oldest first. Only a directory read: cheap enough to poll.
    pub fn pending_ids(&self) -> Result<Vec<TaskId>> {
        let mut ids = list_ids(&self.root.join(PENDING))?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// Claims the oldest pending task for `owner`, or returns `None` when there is none or the queue is paused.
    /// Expired leases are taken back first (at most every quarter lease).
    pub fn claim(&self, owner: &str) -> Result<Option<Claim>> {
        if self.is_paused() {
            return Ok(None);
        }
        self.maybe_reap(owner)?;
        let mut refilled = false;
        loop {
            let next = {
                let mut cache = self.pending_cache.lock().unwrap_or_else(|p| p.into_inner());
                if cache.is_empty() && !refilled {
                    cache.extend(self.pending_ids()?);
                    refilled = true;
                }
                cache.pop_front()
            };
            let Some(id) = next else { return Ok(None) };
            let token = ulid::Ulid::new().to_string();
            let from = self.state_path(PENDING, id);
            let to = self.root.join(CLAIMED).join(format!("{id}@{token}.json"));
            match rename_noreplace(&from, &to) {
                Ok(()) => {}
                // Another claimer won this one.
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io(&from, e)),
            }
            // The lease runs from the claimed file's change time; renaming set ctime, touching sets mtime too
            // for filesystems that do not update ctime on rename.
            touch(&to).map_err(|e| Error::io(&to, e))?;
            sync_dir(&self.root.join(CLAIMED)).map_err(|e| Error::io(&to, e))?;
            sync_dir(&self.root.join(PENDING)).map_err(|e| Error::io(&from, e))?;
            let task: Task = match read_json(&to) {
                Ok(t) => t,
                Err(err) => {
                    // An undecodable task must not block the queue or be lost: park it in failed/.
                    let dest = self.state_path(FAILED, id);
                    rename_noreplace(&to, &dest).map_err(|e| Error::io(&to, e))?;
                    sync_dir(&self.root.join(FAILED)).map_err(|e| Error::io(&dest, e))?;
                    self.record(
                        EventKind::TaskFailed {
                            reason: "TASK_FILE_CORRUPT".into(),
                            message: err.to_string(),
                        },
                        Some(id),
                        owner,
                    )?;
                    continue;
                }
            };
            let claim = Claim {
                task,
                owner: owner.to_string(),
                token: token.clone(),
                path: to,
            };
            self.record(
                EventKind::TaskClaimed {
                    owner: owner.to_string(),
                    token,
                    attempt: claim.task.attempt,
                    lease_expires_at: Utc::now() + self.lease(),
                },
                Some(id),
                owner,
            )?;
            return Ok(Some(claim));
        }
    }

    fn lease(&self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.config.lease_secs).unwrap_or(i64::MAX / 2))
    }

    /// Extends the lease (heartbeat). Fails with [`Error::LeaseLost`] if the claim was taken back.
    pub fn renew(&self, claim: &Claim) -> Result<()> {
        match touch(&claim.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Err(Error::LeaseLost {
                task: claim.task.id,
            }),
            Err(e) => Err(Error::io(&claim.path, e)),
        }
    }

    fn finish(&self, claim: &Claim, state: &str) -> Result<PathBuf> {
        let dest = self.state_path(state, claim.task.id);
        match rename_noreplace(&claim.path, &dest) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(Error::LeaseLost {
                    task: claim.task.id,
                });
            }
            Err(e) => return Err(Error::io(&claim.path, e)),
        }
        sync_dir(&self.root.join(state)).map_err(|e| Error::io(&dest, e))?;
        sync_dir(&self.root.join(CLAIMED)).map_err(|e| Error::io(&claim.path, e))?;
        Ok(dest)
    }

    /// Moves a claimed task to `done/` and logs `TASK_COMPLETED` with `outcome`.
    pub fn complete(&self, claim: &Claim, outcome: &str) -> Result<()> {
        self.finish(claim, DONE)?;
        self.record(
            EventKind::TaskCompleted {
                outcome: outcome.to_string(),
            },
            Some(claim.task.id),
            &claim.owner,
        )
    }

    /// Moves a claimed task to `failed/` and logs `TASK_FAILED`, its message clipped to [`MAX_FAILURE_MESSAGE`].
    pub fn fail(&self, claim: &Claim, reason: &str, message: &str) -> Result<()> {
        self.finish(claim, FAILED)?;
        self.record(
            EventKind::TaskFailed {
                reason: reason.to_string(),
                message: crate::text::clip(message, MAX_FAILURE_MESSAGE).into_owned(),
            },
            Some(claim.task.id),
            &claim.owner,
        )
    }

    /// Gives a claimed task back to `pending/` without using up a try (e.g. the model server is down).
    pub fn release(&self, claim: &Claim, reason: &str) -> Result<()> {
        self.finish(claim, PENDING)?;
        self.record(
            EventKind::TaskReleased {
                reason: reason.to_string(),
            },
            Some(claim.task.id),
            &claim.owner,
        )
    }

    fn maybe_reap(&self, actor: &str) -> Result<()> {
        let every = Duration::from_secs(self.config.lease_secs.max(4) / 4);
        {
            let mut last = self.last_reap.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(t) = *last
                && t.elapsed() < every
            {
                return Ok(());
            }
            *last = Some(Instant::now());
        }
        self.reap_expired(actor).map(|_| ())
    }

    /// Takes back every claim whose lease has expired: back to `pending/` with the try number + 1
    /// (`TASK_REQUEUED`), or to `failed/` when the tries are used up (`TASK_FAILED`, `MAX_ATTEMPTS_EXCEEDED`).
    pub fn reap_expired(&self, actor: &str) -> Result<ReapSummary> {
        let mut summary = ReapSummary::default();
        let dir = self.root.join(CLAIMED);
        let now = SystemTime::now();
        let lease = Duration::from_secs(self.config.lease_secs);
        for entry in fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let name = entry.file_name();
            let Some((id, old_token)) = parse_claimed_name(&name.to_string_lossy()) else {
                continue;
            };
            let path = entry.path();
            let Ok(meta) = fs::metadata(&path) else {
                continue;
            };
            if lease_base(&meta) + lease > now {
                continue;
            }
            // Take it exclusively under our own token first; this also restarts the lease, so a reaper that dies
            // here leaves a claim that simply expires again.
            let token = ulid::Ulid::new().to_string();
            let mine = dir.join(format!("{id}@{token}.json"));
            match rename_noreplace(&path, &mine) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io(&path, e)),
            }
            touch(&mine).map_err(|e| Error::io(&mine, e))?;
            sync_dir(&dir).map_err(|e| Error::io(&dir, e))?;
            let mut task: Task = match read_json(&mine) {
                Ok(t) => t,
                Err(_) => {
                    let dest = self.state_path(FAILED, id);
                    rename_noreplace(&mine, &dest).map_err(|e| Error::io(&mine, e))?;
                    sync_dir(&self.root.join(FAILED)).map_err(|e| Error::io(&dest, e))?;
                    self.record(
                        EventKind::TaskFailed {
                            reason: "TASK_FILE_CORRUPT".into(),
                            message: "the claimed task file does not decode".into(),
                        },
                        Some(id),
                        actor,
                    )?;
                    summary.failed.push(id);
                    continue;
                }
            };
            if task.attempt >= self.config.max_attempts {
                let dest = self.state_path(FAILED, id);
                rename_noreplace(&mine, &dest).map_err(|e| Error::io(&mine, e))?;
                sync_dir(&self.root.join(FAILED)).map_err(|e| Error::io(&dest, e))?;
                sync_dir(&dir).map_err(|e| Error::io(&dir, e))?;
                self.record(
                    EventKind::TaskFailed {
                        reason: "MAX_ATTEMPTS_EXCEEDED".into(),
                        message: format!(
                            "the lease expired on try {} of {}; no tries left",
                            task.attempt, self.config.max_attempts
                        ),
                    },
                    Some(id),
                    actor,
                )?;
                summary.failed.push(id);
                continue;
            }
            task.attempt += 1;
            let bytes = to_json(&task, &self.root)?;
            write_replace_durable(&self.tmp_path(".json"), &mine, &bytes)
                .map_err(|e| Error::io(&mine, e))?;
            let dest = self.state_path(PENDING, id);
            rename_noreplace(&mine, &dest).map_err(|e| Error::io(&mine, e))?;
            sync_dir(&self.root.join(PENDING)).map_err(|e| Error::io(&dest, e))?;
            sync_dir(&dir).map_err(|e| Error::io(&dir, e))?;
            self.record(
                EventKind::TaskRequeued {
                    attempt: task.attempt,
                    reason: "LEASE_EXPIRED".into(),
                    previous_owner: Some(format!("token:{old_token}")),
                },
                Some(id),
                actor,
            )?;
            summary.requeued.push(id);
        }
        self.cleanup_tmp();
        summary.recovered = self.reconcile_log(actor)?;
        Ok(summary)
    }

    /// Writes the final event of tasks that reached `done/` or `failed/` without one.
    ///
    /// Finishing is a rename followed by a log append; a worker killed between the two leaves a finished task the
    /// log does not know about. Any process that reaps also reconciles: a task whose `done/`/`failed/` file is
    /// older than [`RECONCILE_AFTER`] (so a live worker has certainly written its own event) and that has no
    /// `TASK_COMPLETED`/`TASK_FAILED` event gets one with outcome/reason `RECOVERED_AFTER_CRASH`. The log is read
    /// incrementally, so this stays cheap as it grows.
    pub fn reconcile_log(&self, actor: &str) -> Result<Vec<TaskId>> {
        self.reconcile_log_older_than(actor, RECONCILE_AFTER)
    }

    /// [`Queue::reconcile_log`] with another age threshold (tests use zero).
    pub fn reconcile_log_older_than(&self, actor: &str, age: Duration) -> Result<Vec<TaskId>> {
        let mut cursor = self.log_cursor.lock().unwrap_or_else(|p| p.into_inner());
        let len = fs::metadata(self.log.path()).map(|m| m.len()).unwrap_or(0);
        if len < cursor.0 {
            // The log was replaced or truncated by hand: start over.
            *cursor = (0, HashSet::new());
        }
        let read = self.log.read_from(cursor.0)?;
        for ev in &read.events {
            if let (Some(id), EventKind::TaskCompleted { .. } | EventKind::TaskFailed { .. }) =
                (ev.task_id, &ev.kind)
            {
                cursor.1.insert(id);
            }
        }
        cursor.0 = read.end_offset;
        let cutoff = SystemTime::now() - age;
        let mut recovered = Vec::new();
        for (dir, done) in [(DONE, true), (FAILED, false)] {
            let d = self.root.join(dir);
            for id in list_ids(&d)? {
                if cursor.1.contains(&id) {
                    continue;
                }
                let Ok(meta) = fs::metadata(self.state_path(dir, id)) else {
                    continue;
                };
                if lease_base(&meta) > cutoff {
                    continue;
                }
                let kind = if done {
                    EventKind::TaskCompleted {
                        outcome: "RECOVERED_AFTER_CRASH".into(),
                    }
                } else {
                    EventKind::TaskFailed {
                        reason: "RECOVERED_AFTER_CRASH".into(),
                        message: "the worker died after failing the task, before logging why; see its report".into(),
                    }
                };
                self.record(kind, Some(id), actor)?;
                cursor.1.insert(id);
                recovered.push(id);
            }
        }
        Ok(recovered)
    }

    /// Removes staging files left by writers that died more than an hour ago.
    fn cleanup_tmp(&self) {
        let dir = self.root.join(TMP);
        let Ok(entries) = fs::read_dir(&dir) else {
            return;
        };
        let cutoff = SystemTime::now() - Duration::from_secs(3600);
        for e in entries.flatten() {
            if let Ok(m) = e.metadata()
                && m.modified().map(|t| t < cutoff).unwrap_or(false)
            {
                let _ = fs::remove_file(e.path());
            }
        }
    }

    /// Number of entries per state folder (`pending`, `claimed`, `done`, `failed`): directory reads only, cheap
    /// enough for a metrics gauge.
    pub fn counts(&self) -> Result<Vec<(&'static str, usize)>> {
        let mut out = Vec::new();
        for d in [PENDING, CLAIMED, DONE, FAILED] {
            let p = self.root.join(d);
            let n = fs::read_dir(&p)
                .map_err(|e| Error::io(&p, e))?
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                .count();
            out.push((d, n));
        }
        Ok(out)
    }

    /// The status of every task, oldest first.
    pub fn status(&self) -> Result<(Vec<TaskStatus>, QueueSummary)> {
        let log = self.log.read()?;
        let mut summary = QueueSummary {
            paused: self.is_paused(),
            ..QueueSummary::default()
        };
        if let Some(t) = &log.torn_tail {
            summary.log_problems.push(format!(
                "events.ndjson line {} is torn (a writer died mid-record); it is ignored",
                t.line
            ));
        }
        for b in &log.bad_lines {
            summary.log_problems.push(format!(
                "events.ndjson line {} does not decode: {}",
                b.line, b.error
            ));
        }
        #[derive(Default)]
        struct FromLog {
            /// The highest try number a claim recorded: a release gives the task back without using a try, so
            /// counting claims would overstate ("tries 5 of 3").
            tries: u32,
            owner: Option<(String, String, DateTime<Utc>)>,
            failure: Option<String>,
            last: Option<&'static str>,
            applied: bool,
            audit: Audit,
        }
        let mut facts: HashMap<TaskId, FromLog> = HashMap::new();
        for ev in &log.events {
            let Some(id) = ev.task_id else { continue };
            let f = facts.entry(id).or_default();
            f.last = Some(ev.type_name());
            f.audit.observe(ev);
            match &ev.kind {
                EventKind::TaskClaimed {
                    owner,
                    token,
                    lease_expires_at,
                    attempt,
                } => {
                    f.tries = f.tries.max(*attempt);
                    f.owner = Some((owner.clone(), token.clone(), *lease_expires_at));
                }
                EventKind::TaskFailed { reason, .. } => f.failure = Some(reason.clone()),
                EventKind::Applied { .. } => f.applied = true,
                _ => {}
            }
        }
        let mut out = Vec::new();
        for (dir, state) in [
            (PENDING, TaskState::Pending),
            (CLAIMED, TaskState::Claimed),
            (DONE, TaskState::Done),
            (FAILED, TaskState::Failed),
        ] {
            let d = self.root.join(dir);
            for entry in fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
                let entry = entry.map_err(|e| Error::io(&d, e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let (id, token) = if state == TaskState::Claimed {
                    match parse_claimed_name(&name) {
                        Some((id, t)) => (id, Some(t)),
                        None => continue,
                    }
                } else {
                    match parse_state_name(&name) {
                        Some(id) => (id, None),
                        None => continue,
                    }
                };
                let path = entry.path();
                let task: Task = match read_json(&path) {
                    Ok(t) => t,
                    // Moved between listing and reading: it shows up in its next folder on the next call.
                    Err(Error::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                let f = facts.remove(&id).unwrap_or_default();
                let approval = self.approval_evidence(id, &f.audit);
                // The approval is about this task only if the task file is the one submitted (apply checks it).
                let not_as_submitted = (state == TaskState::Done)
                    .then(|| f.audit.task_as_submitted(&task).err())
                    .flatten();
                let approved = approval == Evidence::Confirmed && not_as_submitted.is_none();
                let mut st = state;
                if st == TaskState::Done {
                    if f.applied {
                        st = TaskState::Applied;
                    } else if approved {
                        st = TaskState::Approved;
                    } else if self.rejection_path(id).exists() {
                        st = TaskState::Rejected;
                    }
                }
                let (owner, lease_expires_at) = match (&token, &f.owner) {
                    (Some(tok), Some((o, t, _))) if t == tok => {
                        let exp = fs::metadata(&path)
                            .ok()
                            .map(|m| DateTime::<Utc>::from(lease_base(&m)) + self.lease());
                        (Some(o.clone()), exp)
                    }
                    (Some(_), _) => (
                        None,
                        fs::metadata(&path)
                            .ok()
                            .map(|m| DateTime::<Utc>::from(lease_base(&m)) + self.lease()),
                    ),
                    _ => (None, None),
                };
                let existing = |p: PathBuf| p.exists().then_some(p);
                *summary.counts.entry(st).or_default() += 1;
                out.push(TaskStatus {
                    id,
                    state: st,
                    attempts: f.tries,
                    max_attempts: self.config.max_attempts,
                    title: task.title,
                    intent: task.intent,
                    targets: task.targets,
                    repo: task.repo,
                    base_commit: task.base_commit,
                    created_at: task.created_at,
                    task_file: path,
                    owner,
                    lease_expires_at,
                    patch: existing(self.result_path(id, "patch")),
                    report: existing(self.result_path(id, "report.json")),
                    gate: existing(self.result_path(id, "gate.json")),
                    approval: approved.then(|| self.approval_path(id)),
                    unlogged_approval: (approval == Evidence::Unconfirmed)
                        .then(|| self.approval_path(id)),
                    task_not_as_submitted: not_as_submitted.map(|m| m.to_string()),
                    failure_reason: if state == TaskState::Failed {
                        f.failure
                    } else {
                        None
                    },
                    last_event: f.last.map(str::to_string),
                });
            }
        }
        out.sort_by_key(|s| s.id);
        Ok((out, summary))
    }

    /// Whether `approved/<id>.approved.json` exists and whether the log backs it.
    fn approval_evidence(&self, id: TaskId, audit: &Audit) -> Evidence {
        let path = self.approval_path(id);
        match read_json::<ApprovalRecord>(&path) {
            Ok(record) if audit.confirms(id, &record) => Evidence::Confirmed,
            Ok(_) => Evidence::Unconfirmed,
            Err(Error::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
                Evidence::Absent
            }
            // A record that does not decode was not written by `approve`: it does not count either.
            Err(_) => Evidence::Unconfirmed,
        }
    }

    /// The status of one task.
    pub fn status_of(&self, id: TaskId) -> Result<TaskStatus> {
        let (all, _) = self.status()?;
        all.into_iter()
            .find(|s| s.id == id)
            .ok_or(Error::UnknownTask(id))
    }
}

/// What backs an approval record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    /// No record.
    Absent,
    /// A record the log confirms.
    Confirmed,
    /// A record the log does not confirm (or that does not decode).
    Unconfirmed,
}

/// The instant a lease was last (re)started: the later of the file's change and modification times.
fn lease_base(meta: &fs::Metadata) -> SystemTime {
    let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let ctime = SystemTime::UNIX_EPOCH
            + Duration::new(
                u64::try_from(meta.ctime()).unwrap_or(0),
                u32::try_from(meta.ctime_nsec()).unwrap_or(0),
            );
        mtime.max(ctime)
    }
    #[cfg(not(unix))]
    mtime
}

fn touch(path: &Path) -> std::io::Result<()> {
    let f = fs::File::open(path)?;
    f.set_modified(SystemTime::now())
}

fn list_ids(dir: &Path) -> Result<Vec<TaskId>> {
    let mut ids = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if let Some(id) = parse_state_name(&entry.file_name().to_string_lossy()) {
            ids.push(id);
        }
    }
    Ok(ids)
}

fn parse_state_name(name: &str) -> Option<TaskId> {
    name.strip_suffix(".json")?.parse().ok()
}

fn parse_claimed_name(name: &str) -> Option<(TaskId, String)> {
    let stem = name.strip_suffix(".json")?;
    let (id, token) = stem.split_once('@')?;
    Some((id.parse().ok()?, token.to_string()))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })
}

fn to_json<T: Serialize>(v: &T, root: &Path) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(v).map_err(|e| Error::Corrupt {
        path: root.to_path_buf(),
        detail: e.to_string(),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}
