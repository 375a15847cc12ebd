//! The filesystem queue: one JSON file per task, its state given by the folder it sits in.
//!
//! ```text
//! <queue>/queue.json                 format version, lease length, maximum tries (written by init)
//!         pending/<id>.json          waiting to be claimed
//!         claimed/<id>@<token>.json  held by a worker; the lease runs from the file's last change time
//!         done/<id>.json             a worker finished it (see results/)
//!         failed/<id>.json           given up (reason in events.ndjson)
//!         corrupt/<id>@<token>.json  set aside by a claimer: named like a task, but not one it could read
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
//!
//! One bad file never stops the queue: a file named like a task that cannot be read as one (empty, damaged, a
//! directory, naming another id) is listed as [`CorruptTask`] by [`Queue::status`], answers
//! [`Error::TaskCorrupt`] to [`Queue::status_of`], and is moved to `corrupt/` by the claimer that finds it, so no
//! worker trips over it again. Every other task keeps working.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::Audit;
use crate::backend::{Claim, DecisionKind, Exclusive, ResultKind, TaskQueue, TaskRow};
use crate::event::{Event, EventKind, EventLog};
use crate::fsutil::{
    create_durable, rename_noreplace, sync_dir, write_new_durable, write_replace_durable,
};
use crate::report::ApprovalRecord;
use crate::{Error, Intent, Result, Task, TaskId};

const PENDING: &str = "pending";
const CLAIMED: &str = "claimed";
const DONE: &str = "done";
const FAILED: &str = "failed";
const CORRUPT: &str = "corrupt";
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

impl NewTask {
    /// The task as every backend stores it: id `id`, accepted at `now` from `actor`, on its first try.
    pub fn into_task(self, id: TaskId, now: DateTime<Utc>, actor: &str) -> Task {
        Task {
            id,
            title: self.title,
            intent: self.intent,
            work: self.work,
            targets: self.targets,
            repo: self.repo,
            base: self.base,
            base_commit: self.base_commit,
            checks: self.checks,
            attempt: 1,
            created_at: now,
            submitted_by: actor.to_string(),
        }
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
    /// Files named like tasks that are not readable tasks, oldest id first. They are not in the task list.
    pub corrupt: Vec<CorruptTask>,
}

/// A file in the queue named like a task that cannot be read as one: empty, damaged JSON, a directory, unreadable,
/// or a task naming another id. It is reported, never fatal: every other task keeps working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorruptTask {
    /// The id its name gives.
    pub id: TaskId,
    /// The folder it is in: `pending`, `claimed`, `done`, `failed`, or `corrupt` (set aside by a claimer).
    pub folder: &'static str,
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub detail: String,
}

/// What reading a task's file gave.
enum TaskRead {
    Task(Task),
    /// Moved away between listing and reading: it shows up in its next folder on the next look.
    Gone,
    /// Not a readable task; why.
    Corrupt(String),
}

/// Reads the task file `path`, whose name says it is task `id`. Never fails: a damaged file is a value.
fn read_task(path: &Path, id: TaskId) -> TaskRead {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return TaskRead::Gone,
        Err(e) if e.kind() == ErrorKind::IsADirectory => {
            return TaskRead::Corrupt("it is a directory, not a file".into());
        }
        Err(e) => return TaskRead::Corrupt(format!("it cannot be read: {e}")),
    };
    if bytes.is_empty() {
        return TaskRead::Corrupt("the file is empty".into());
    }
    match serde_json::from_slice::<Task>(&bytes) {
        // A copy of another task's file would make a worker write that task's results and move it.
        Ok(t) if t.id != id => TaskRead::Corrupt(format!("the file says it is task {}", t.id)),
        Ok(t) => TaskRead::Task(t),
        Err(e) => TaskRead::Corrupt(format!("it is not a task file: {e}")),
    }
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
            "", PENDING, CLAIMED, DONE, FAILED, CORRUPT, RESULTS, APPROVED, REJECTED, IDS, TMP,
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

    /// Accepts a validated task: allocates `T<today>-<seq>`, logs `TASK_SUBMITTED` with the fields approval and
    /// apply later check the task file against (see [`Audit::task_as_submitted`]), and only then moves the task
    /// file, written and fsynced beforehand in `tmp/`, to `pending/<id>.json`.
    ///
    /// The event comes first so that no worker can see a task the log does not know: when the append fails
    /// ([`Error::LogAppend`], e.g. a full disk) the staged file is removed and nothing was queued, so submitting
    /// again makes no duplicate. A crash between the append and the rename leaves an event for a task that never
    /// appeared, which nothing acts on (tasks are listed from the folders, not the log).
    pub fn submit(&self, new: NewTask, actor: &str) -> Result<Task> {
        let (id, now) = loop {
            let now = Utc::now();
            let id = self.allocate_id(now.date_naive())?;
            // A reservation lost in a crash (or `ids/` edited by hand) can hand out an id a task already has; its
            // log would then hold two submissions. Take the next one.
            if !self.id_in_use(id)? {
                break (id, now);
            }
        };
        let task = new.into_task(id, now, actor);
        let bytes = to_json(&task, &self.root)?;
        let staged = self.tmp_path(".json");
        create_durable(&staged, &bytes).map_err(|e| Error::io(&staged, e))?;
        let logged = self.record(
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
        );
        if let Err(e) = logged {
            let _ = fs::remove_file(&staged);
            return Err(e);
        }
        self.publish_staged(&staged, id)?;
        Ok(task)
    }

    /// Moves a submitted task's staged file to `pending/<id>.json` and makes the move durable. If the folder
    /// cannot be fsynced the task is taken back out (unless a worker already claimed it), so an error always
    /// means nothing was queued.
    fn publish_staged(&self, staged: &Path, id: TaskId) -> Result<()> {
        let dest = self.state_path(PENDING, id);
        if let Err(e) = rename_noreplace(staged, &dest) {
            let _ = fs::remove_file(staged);
            return Err(Error::io(&dest, e));
        }
        let dir = self.root.join(PENDING);
        let Err(e) = sync_dir(&dir) else {
            return Ok(());
        };
        match rename_noreplace(&dest, staged) {
            Ok(()) => {
                let _ = fs::remove_file(staged);
                Err(Error::io(&dir, e))
            }
            // A worker has it already: the task is queued, and its claim fsynced the folder.
            Err(_) => Ok(()),
        }
    }

    /// Whether some state folder already holds a file for `id`.
    fn id_in_use(&self, id: TaskId) -> Result<bool> {
        for dir in [PENDING, DONE, FAILED] {
            let p = self.state_path(dir, id);
            match fs::symlink_metadata(&p) {
                Ok(_) => return Ok(true),
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&p, e)),
            }
        }
        let claimed = self.root.join(CLAIMED);
        for entry in fs::read_dir(&claimed).map_err(|e| Error::io(&claimed, e))? {
            let entry = entry.map_err(|e| Error::io(&claimed, e))?;
            if parse_claimed_name(&entry.file_name().to_string_lossy())
                .is_some_and(|(c, _)| c == id)
            {
                return Ok(true);
            }
        }
        Ok(false)
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
            sync_dir(&self.root.join(CLAIMED)).map_err(|e| Error::io(&to, e))?;
            sync_dir(&self.root.join(PENDING)).map_err(|e| Error::io(&from, e))?;
            let task = match read_task(&to, id) {
                TaskRead::Task(t) => t,
                // Nobody takes a claim this young; if it went anyway, it is someone else's now.
                TaskRead::Gone => continue,
                TaskRead::Corrupt(detail) => {
                    self.set_aside(&to, id, &detail, owner)?;
                    continue;
                }
            };
            // The lease runs from the claimed file's change time; renaming set ctime, touching sets mtime too
            // for filesystems that do not update ctime on rename.
            touch(&to).map_err(|e| Error::io(&to, e))?;
            let claim = Claim {
                task,
                owner: owner.to_string(),
                token: token.clone(),
                path: to,
            };
            let logged = self.record(
                EventKind::TaskClaimed {
                    owner: owner.to_string(),
                    token,
                    attempt: claim.task.attempt,
                    lease_expires_at: Utc::now() + self.lease(),
                },
                Some(id),
                owner,
            );
            if let Err(e) = logged {
                // A claim the log does not know would be worked on unseen, and if this worker then stopped, its
                // expiry would cost the task a try: give it back untouched and report.
                self.unclaim(&claim);
                return Err(e);
            }
            return Ok(Some(claim));
        }
    }

    /// Moves a claim back to `pending/` as it was (no event: the claim was never logged). Best effort: if it
    /// fails, the lease expires and a reaper takes it back.
    fn unclaim(&self, claim: &Claim) {
        let dest = self.state_path(PENDING, claim.task.id);
        if rename_noreplace(&claim.path, &dest).is_ok() {
            let _ = sync_dir(&self.root.join(PENDING));
            let _ = sync_dir(&self.root.join(CLAIMED));
        }
    }

    /// Moves a claimed file that is not a readable task (`detail` says why) out of every state folder into
    /// `corrupt/`, so that no claimer trips over it again and no status reads it as a task, and logs `TASK_FAILED`
    /// with reason `TASK_FILE_CORRUPT`. A person restores it (into `pending/`) or deletes it.
    fn set_aside(&self, from: &Path, id: TaskId, detail: &str, actor: &str) -> Result<()> {
        let dir = self.root.join(CORRUPT);
        // Queues made before corrupt/ existed get it now.
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let name = from.file_name().unwrap_or_default();
        let dest = dir.join(name);
        rename_noreplace(from, &dest).map_err(|e| Error::io(from, e))?;
        sync_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        sync_dir(&self.root.join(CLAIMED)).map_err(|e| Error::io(from, e))?;
        self.record(
            EventKind::TaskFailed {
                reason: "TASK_FILE_CORRUPT".into(),
                message: format!(
                    "the task file {detail}; it was set aside as {CORRUPT}/{}",
                    name.to_string_lossy()
                ),
            },
            Some(id),
            actor,
        )
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
            let mut task = match read_task(&mine, id) {
                TaskRead::Task(t) => t,
                TaskRead::Gone => continue,
                TaskRead::Corrupt(detail) => {
                    self.set_aside(&mine, id, &detail, actor)?;
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
                let path = self.state_path(dir, id);
                let Ok(meta) = fs::metadata(&path) else {
                    continue;
                };
                if lease_base(&meta) > cutoff {
                    continue;
                }
                // A file that is no task (status lists it as corrupt) was not finished by a worker.
                if !matches!(read_task(&path, id), TaskRead::Task(_)) {
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
        let (mut facts, log_problems) = self.log_facts(None)?;
        let mut summary = QueueSummary {
            paused: self.is_paused(),
            log_problems,
            ..QueueSummary::default()
        };
        let mut out = Vec::new();
        for (dir, state) in STATE_FOLDERS {
            for (id, token, path) in self.entries(dir)? {
                let task = match read_task(&path, id) {
                    TaskRead::Task(t) => t,
                    TaskRead::Gone => continue,
                    TaskRead::Corrupt(detail) => {
                        summary.corrupt.push(CorruptTask {
                            id,
                            folder: dir,
                            path,
                            detail,
                        });
                        continue;
                    }
                };
                let f = facts.remove(&id).unwrap_or_default();
                let st = self.task_status(task, state, token, path, f);
                *summary.counts.entry(st.state).or_default() += 1;
                out.push(st);
            }
        }
        summary.corrupt.extend(self.set_aside_files()?);
        summary.corrupt.sort_by_key(|c| c.id);
        out.sort_by_key(|s| s.id);
        Ok((out, summary))
    }

    /// What the log says of each task (of `only`, when given), and the log's damage as sentences.
    fn log_facts(&self, only: Option<TaskId>) -> Result<(HashMap<TaskId, LogFacts>, Vec<String>)> {
        let log = self.log.read()?;
        let mut problems = Vec::new();
        if let Some(t) = &log.torn_tail {
            problems.push(format!(
                "events.ndjson line {} is torn (a writer died mid-record); it is ignored",
                t.line
            ));
        }
        for b in &log.bad_lines {
            problems.push(format!(
                "events.ndjson line {} does not decode: {}",
                b.line, b.error
            ));
        }
        let mut facts: HashMap<TaskId, LogFacts> = HashMap::new();
        for ev in &log.events {
            let Some(id) = ev.task_id else { continue };
            if only.is_some_and(|o| o != id) {
                continue;
            }
            facts.entry(id).or_default().observe(ev);
        }
        Ok((facts, problems))
    }

    /// One task's status from its file, the folder it is in and what the log says of it.
    fn task_status(
        &self,
        task: Task,
        folder_state: TaskState,
        token: Option<String>,
        path: PathBuf,
        f: LogFacts,
    ) -> TaskStatus {
        let id = task.id;
        let approval = self.approval_evidence(id, &f.audit);
        // The approval is about this task only if the task file is the one submitted (apply checks it).
        let not_as_submitted = (folder_state == TaskState::Done)
            .then(|| f.audit.task_as_submitted(&task).err())
            .flatten();
        let approved = approval == Evidence::Confirmed && not_as_submitted.is_none();
        let state = match folder_state {
            TaskState::Done if f.applied => TaskState::Applied,
            TaskState::Done if approved => TaskState::Approved,
            TaskState::Done if self.rejection_path(id).exists() => TaskState::Rejected,
            other => other,
        };
        // A claimed file's lease runs from its last heartbeat; the owner is named only when the log's claim is
        // this file's (same token).
        let lease_expires_at = token.as_ref().and_then(|_| {
            fs::metadata(&path)
                .ok()
                .map(|m| DateTime::<Utc>::from(lease_base(&m)) + self.lease())
        });
        let owner = match (&token, &f.owner) {
            (Some(tok), Some((o, t))) if t == tok => Some(o.clone()),
            _ => None,
        };
        let existing = |p: PathBuf| p.exists().then_some(p);
        TaskStatus {
            id,
            state,
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
            unlogged_approval: (approval == Evidence::Unconfirmed).then(|| self.approval_path(id)),
            task_not_as_submitted: not_as_submitted.map(|m| m.to_string()),
            failure_reason: if folder_state == TaskState::Failed {
                f.failure
            } else {
                None
            },
            last_event: f.last.map(str::to_string),
        }
    }

    /// Every file named like a task that is not a readable one: in the state folders, and those set aside in
    /// `corrupt/`. Reads the task files but not the log (for `autodev doctor`).
    pub fn corrupt_files(&self) -> Result<Vec<CorruptTask>> {
        let mut out = Vec::new();
        for dir in [PENDING, CLAIMED, DONE, FAILED] {
            for (id, _, path) in self.entries(dir)? {
                if let TaskRead::Corrupt(detail) = read_task(&path, id) {
                    out.push(CorruptTask {
                        id,
                        folder: dir,
                        path,
                        detail,
                    });
                }
            }
        }
        out.extend(self.set_aside_files()?);
        out.sort_by_key(|c| c.id);
        Ok(out)
    }

    /// The files in `corrupt/` (absent in queues made before it existed).
    fn set_aside_files(&self) -> Result<Vec<CorruptTask>> {
        if !self.root.join(CORRUPT).is_dir() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for (id, _, path) in self.entries(CORRUPT)? {
            let detail = match read_task(&path, id) {
                TaskRead::Corrupt(d) => d,
                TaskRead::Gone => continue,
                TaskRead::Task(_) => "a claimer set it aside; it reads as a task now: move it to \
                                     pending/ (named <id>.json) to queue it again"
                    .into(),
            };
            out.push(CorruptTask {
                id,
                folder: CORRUPT,
                path,
                detail,
            });
        }
        Ok(out)
    }

    /// The entries of state folder `dir` named like a task: (id, the claim token for `claimed/` and `corrupt/`,
    /// path). Other names are ignored.
    fn entries(&self, dir: &str) -> Result<Vec<(TaskId, Option<String>, PathBuf)>> {
        let d = self.root.join(dir);
        let tokened = dir == CLAIMED || dir == CORRUPT;
        let mut out = Vec::new();
        for entry in fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
            let entry = entry.map_err(|e| Error::io(&d, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let parsed = if tokened {
                parse_claimed_name(&name).map(|(id, t)| (id, Some(t)))
            } else {
                parse_state_name(&name).map(|id| (id, None))
            };
            if let Some((id, token)) = parsed {
                out.push((id, token, entry.path()));
            }
        }
        Ok(out)
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

    /// The status of one task: [`Error::TaskCorrupt`] when its only file is not a readable task,
    /// [`Error::UnknownTask`] when it has none.
    pub fn status_of(&self, id: TaskId) -> Result<TaskStatus> {
        // Only this task's file is read (the folders are listed, the log is read for this id).
        let mut corrupt = None;
        for (dir, state) in STATE_FOLDERS {
            for (_, token, path) in self.entries(dir)?.into_iter().filter(|(i, _, _)| *i == id) {
                match read_task(&path, id) {
                    TaskRead::Task(task) => {
                        let (mut facts, _) = self.log_facts(Some(id))?;
                        let f = facts.remove(&id).unwrap_or_default();
                        return Ok(self.task_status(task, state, token, path, f));
                    }
                    TaskRead::Gone => {}
                    TaskRead::Corrupt(detail) => corrupt = Some((path, detail)),
                }
            }
        }
        if corrupt.is_none() {
            corrupt = self
                .set_aside_files()?
                .into_iter()
                .find(|c| c.id == id)
                .map(|c| (c.path, c.detail));
        }
        match corrupt {
            Some((path, detail)) => Err(Error::TaskCorrupt { id, path, detail }),
            None => Err(Error::UnknownTask(id)),
        }
    }
}

/// The state folders, in the order `status` lists them.
const STATE_FOLDERS: [(&str, TaskState); 4] = [
    (PENDING, TaskState::Pending),
    (CLAIMED, TaskState::Claimed),
    (DONE, TaskState::Done),
    (FAILED, TaskState::Failed),
];

/// What the log says of one task.
#[derive(Default)]
struct LogFacts {
    /// The highest try number a claim recorded: a release gives the task back without using a try, so counting
    /// claims would overstate ("tries 5 of 3").
    tries: u32,
    /// The latest claim's owner and token.
    owner: Option<(String, String)>,
    failure: Option<String>,
    last: Option<&'static str>,
    applied: bool,
    audit: Audit,
}

impl LogFacts {
    fn observe(&mut self, ev: &Event) {
        self.last = Some(ev.type_name());
        self.audit.observe(ev);
        match &ev.kind {
            EventKind::TaskClaimed {
                owner,
                token,
                attempt,
                ..
            } => {
                self.tries = self.tries.max(*attempt);
                self.owner = Some((owner.clone(), token.clone()));
            }
            EventKind::TaskFailed { reason, .. } => self.failure = Some(reason.clone()),
            EventKind::Applied { .. } => self.applied = true,
            _ => {}
        }
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
/// The filesystem queue behind the backend-neutral interface (the inherent methods do the work).
impl TaskQueue for Queue {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    fn local_root(&self) -> Option<&Path> {
        Some(&self.root)
    }

    fn config(&self) -> &QueueConfig {
        &self.config
    }

    fn submit(&self, new: NewTask, actor: &str) -> Result<Task> {
        Queue::submit(self, new, actor)
    }

    fn claim(&self, owner: &str) -> Result<Option<Claim>> {
        Queue::claim(self, owner)
    }

    fn renew(&self, claim: &Claim) -> Result<()> {
        Queue::renew(self, claim)
    }

    fn complete(&self, claim: &Claim, outcome: &str) -> Result<()> {
        Queue::complete(self, claim, outcome)
    }

    fn fail(&self, claim: &Claim, reason: &str, message: &str) -> Result<()> {
        Queue::fail(self, claim, reason, message)
    }

    fn release(&self, claim: &Claim, reason: &str) -> Result<()> {
        Queue::release(self, claim, reason)
    }

    fn reap_expired(&self, actor: &str) -> Result<ReapSummary> {
        Queue::reap_expired(self, actor)
    }

    fn paused(&self) -> Result<bool> {
        Ok(self.is_paused())
    }

    fn pause(&self, actor: &str, reason: &str) -> Result<bool> {
        Queue::pause(self, actor, reason)
    }

    fn resume(&self, actor: &str) -> Result<bool> {
        Queue::resume(self, actor)
    }

    fn record(&self, kind: EventKind, task: Option<TaskId>, actor: &str) -> Result<()> {
        Queue::record(self, kind, task, actor)
    }

    /// Renews the lease right before the write (which fails once the claim is gone), then replaces
    /// `results/<id>.<ext>` atomically and durably.
    fn put_result(&self, claim: &Claim, kind: ResultKind, bytes: &[u8]) -> Result<()> {
        Queue::renew(self, claim)?;
        let path = self.result_path(claim.task.id, kind.ext());
        write_replace_durable(&self.tmp_path(".artifact"), &path, bytes)
            .map_err(|e| Error::io(&path, e))
    }

    fn get_result(&self, id: TaskId, kind: ResultKind) -> Result<Option<Vec<u8>>> {
        let path = self.result_path(id, kind.ext());
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// The cursor is a byte offset in `events.ndjson`; damaged lines are skipped (status reports them).
    fn events_after(&self, cursor: u64) -> Result<(Vec<Event>, u64)> {
        let read = self.log.read_from(cursor)?;
        Ok((read.events, read.end_offset))
    }

    fn tasks(&self) -> Result<Vec<TaskRow>> {
        let (list, _) = self.status()?;
        Ok(list.into_iter().map(row_of).collect())
    }

    /// The state as `status` derives it (approved, rejected and applied from the records and the log).
    fn task(&self, id: TaskId) -> Result<(Task, TaskState)> {
        let status = self.status_of(id)?;
        match read_task(&status.task_file, id) {
            TaskRead::Task(t) => Ok((t, status.state)),
            TaskRead::Gone => Err(Error::UnknownTask(id)),
            TaskRead::Corrupt(detail) => Err(Error::TaskCorrupt {
                id,
                path: status.task_file,
                detail,
            }),
        }
    }

    fn task_events(&self, id: TaskId) -> Result<Vec<Event>> {
        let read = self.log.read()?;
        Ok(read
            .events
            .into_iter()
            .filter(|e| e.task_id == Some(id))
            .collect())
    }

    fn get_decision(&self, id: TaskId, kind: DecisionKind) -> Result<Option<Vec<u8>>> {
        let path = self.decision_path(id, kind);
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// An approval logs its event first and then writes its record (a crash between leaves an event without a
    /// record: no approval, repaired by approving again; the other order would leave a record that looks forged).
    /// A rejection writes its record first (a record without its event still blocks approval, which is the safe
    /// side).
    fn put_decision(
        &self,
        id: TaskId,
        kind: DecisionKind,
        record: &[u8],
        event: Event,
    ) -> Result<bool> {
        let dest = self.decision_path(id, kind);
        if dest.exists() {
            return Ok(false);
        }
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let write = || match write_new_durable(&self.tmp_path(".json"), &dest, record) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(Error::io(&dest, e)),
        };
        match kind {
            DecisionKind::Approval => {
                self.log.append(&event)?;
                write()
            }
            DecisionKind::Rejection => {
                if !write()? {
                    return Ok(false);
                }
                self.log.append(&event)?;
                Ok(true)
            }
        }
    }

    /// An exclusive `flock` on `approved/.lock`, released when the file is dropped (or the process dies).
    fn decision_lock(&self, id: TaskId) -> Result<Option<fs::File>> {
        let path = self.approval_path(id).with_file_name(".lock");
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        file.lock().map_err(|e| Error::io(&path, e))?;
        Ok(Some(file))
    }

    fn counts(&self) -> Result<Vec<(&'static str, usize)>> {
        Queue::counts(self)
    }

    /// `flock` on `<queue>/<name>.lock` (`deliver.lock` for the deliverer).
    fn try_exclusive(&self, name: &str) -> Result<Option<Exclusive>> {
        let path = self.root.join(format!("{name}.lock"));
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Box::new(file))),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
        }
    }
}

impl Queue {
    fn decision_path(&self, id: TaskId, kind: DecisionKind) -> PathBuf {
        match kind {
            DecisionKind::Approval => self.approval_path(id),
            DecisionKind::Rejection => self.rejection_path(id),
        }
    }
}

fn row_of(s: TaskStatus) -> TaskRow {
    TaskRow {
        id: s.id,
        state: s.state,
        attempts: s.attempts,
        title: s.title,
        owner: s.owner,
        lease_expires_at: s.lease_expires_at,
        failure_reason: s.failure_reason,
    }
}

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
