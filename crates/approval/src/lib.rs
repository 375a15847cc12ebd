//! # approval
//!
//! A person's yes or no on a patch that passed the gate, and committing an approved patch. Used by the
//! `autodev approve|reject|apply` commands and by the Telegram bot.
//!
//! - [`approve`] logs `APPROVED` with the patch's sha256 and who, then writes `approved/<id>.approved.json`
//!   ([`ApprovalRecord`]); [`reject`] writes `rejected/<id>.rejected.json` and logs `REJECTED`. Both only for a
//!   task in `done/` whose report says `gate_verdict: "PASS"`; a decision is final (re-approving the same bytes is
//!   a no-op). Decisions on one queue are serialised by an exclusive lock on `approved/.lock`.
//! - No file is believed alone ([`queue_core::Audit`]): the task file's repository, base commit, targets, checks,
//!   title and intent must be the ones `TASK_SUBMITTED` logged (`TASK_NOT_AS_SUBMITTED`), the patch must be the
//!   bytes the worker logged in `GATE_PASSED` (`PATCH_NOT_GATED`), and an approval record counts only with a
//!   matching `APPROVED` event (`APPROVAL_NOT_IN_LOG`): the gate's checks run code the model wrote and can write
//!   files in the queue.
//! - [`apply`] re-hashes the patch, judges it again by the policy at the base commit ([`gate::judge_policy`],
//!   `APPLY_POLICY_REFUSED`), builds the commit with git plumbing in a temporary index (`read-tree <base>`, `apply --cached`, `write-tree`, `commit-tree`)
//!   and creates `refs/heads/autodev/<id>` with `update-ref … ""` (create-only). The user's checked-out branch,
//!   index and files are never touched. Applying again reports the existing commit. `to_worktree` instead
//!   applies the patch to the working tree, all or nothing.
//!
//! Every refusal is an [`Error`] with a stable [`Error::code`] (exit 1); infrastructure errors exit 2.
//!
//! ```
//! use approval::{ApplyOptions, Decider, Identity, Via};
//! use queue_core::{EventKind, Intent, NewTask, Queue, QueueConfig, Report};
//! # use std::process::Command;
//! # let dir = tempfile::tempdir().unwrap();
//! # let repo = dir.path().join("repo");
//! # std::fs::create_dir(&repo).unwrap();
//! # let git = |args: &[&str]| String::from_utf8(Command::new("git").args(["-c", "user.name=d", "-c", "user.email=d@x"])
//! #     .args(args).current_dir(&repo).output().unwrap().stdout).unwrap();
//! # std::fs::write(repo.join("a.txt"), "one\n").unwrap();
//! # git(&["init", "-q"]); git(&["add", "-A"]); git(&["commit", "-qm", "init"]);
//! # let base = git(&["rev-parse", "HEAD"]).trim().to_string();
//! // A task a worker finished: in done/, with its patch and a PASS report (normally written by `autodev worker`).
//! let queue = Queue::init(dir.path().join("queue"), QueueConfig::default()).unwrap();
//! let new = NewTask {
//!     title: "Say two".into(), intent: Intent::Fix, work: "a.txt should say two, not one".into(),
//!     targets: vec!["a.txt".into()], repo: repo.clone(), base: "HEAD".into(), base_commit: Some(base), checks: None,
//! };
//! let id = queue.submit(new, "cli:me").unwrap().id;
//! let claim = queue.claim("worker").unwrap().unwrap();
//! let patch = "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n";
//! std::fs::write(queue.result_path(id, "patch"), patch).unwrap();
//! let report = Report { task_id: Some(id), gate_verdict: queue_core::report::GateVerdict::Pass,
//!     patch_sha256: approval::sha256_hex(patch.as_bytes()), ..Report::default() };
//! std::fs::write(queue.result_path(id, "report.json"), serde_json::to_vec(&report).unwrap()).unwrap();
//! // The worker logs the sha256 of the bytes the gate passed: approve and apply accept only those bytes.
//! let gated = EventKind::GatePassed { checks: vec![], sha256: approval::sha256_hex(patch.as_bytes()) };
//! queue.record(gated, Some(id), &claim.owner).unwrap();
//! queue.complete(&claim, "GATE_PASSED").unwrap();
//!
//! // A person says yes; only then is the patch committed, on its own branch.
//! let me = Decider { by: "alice".into(), via: Via::Cli };
//! approval::approve(&queue, id, &me).unwrap();
//! let opts = ApplyOptions { to_worktree: false, committer: Identity::fallback(), actor: me.actor(), repo: None };
//! let applied = approval::apply(&queue, id, &opts).unwrap();
//! assert_eq!(applied.branch, format!("autodev/{id}"));
//! # assert_eq!(git(&["show", &format!("{}:a.txt", applied.branch)]), "two\n");
//! // The user's checkout is untouched, and applying again changes nothing.
//! assert_eq!(std::fs::read_to_string(repo.join("a.txt")).unwrap(), "one\n");
//! assert!(!approval::apply(&queue, id, &opts).unwrap().newly);
//! ```

mod error;
mod git;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use chrono::Utc;
use queue_core::report::GateVerdict;
use queue_core::{
    ApprovalRecord, Audit, DecisionKind, Event, EventKind, GatedPatch, RejectionRecord, Report,
    ResultKind, Task, TaskId, TaskQueue, TaskState,
};
use sha2::{Digest, Sha256};

pub use error::{Error, Result, explain_code};

/// Where a decision came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The `autodev` command line.
    Cli,
    /// The Telegram bot.
    Telegram,
}

impl Via {
    /// `cli` or `telegram`, as stored in records and events.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Cli => "cli",
            Via::Telegram => "telegram",
        }
    }
}

/// Who decides: `by` is a name (`alice`) or a Telegram user id; the event actor is `<via>:<by>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decider {
    /// The person.
    pub by: String,
    /// Where from.
    pub via: Via,
}

impl Decider {
    /// The event actor, e.g. `cli:alice` or `telegram:12345`.
    pub fn actor(&self) -> String {
        format!("{}:{}", self.via.as_str(), self.by)
    }
}

/// A task whose gate passed, with its patch as it is on disk now.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The stored task, as its `TASK_SUBMITTED` event recorded it.
    pub task: Task,
    /// Its state (done, approved, rejected or applied).
    pub state: TaskState,
    /// `results/<id>.report.json`.
    pub report: Report,
    /// The patch bytes (`results/<id>.patch`).
    pub patch: Vec<u8>,
    /// sha256 of `patch`, hex; always the sha256 the log's `GATE_PASSED` names.
    pub sha256: String,
    /// What the log says about the task's gate pass and approval.
    pub audit: Audit,
}

/// The result of [`approve`] or [`reject`].
#[derive(Debug, Clone)]
pub struct Decision<R> {
    /// The record on disk (the existing one when `newly` is false).
    pub record: R,
    /// False when the same decision had already been recorded (nothing was written or logged).
    pub newly: bool,
}

/// The result of [`apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The commit on the branch; with `to_worktree`, the work tree's HEAD (empty without commits).
    pub commit: String,
    /// `autodev/<id>`, or `worktree`.
    pub branch: String,
    /// False when the patch had already been applied (nothing was changed).
    pub newly: bool,
}

/// A git identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The name.
    pub name: String,
    /// The e-mail address.
    pub email: String,
}

impl Identity {
    /// `autodev <autodev@localhost>`, used when nothing else is configured.
    pub fn fallback() -> Identity {
        Identity {
            name: "autodev".into(),
            email: "autodev@localhost".into(),
        }
    }

    /// `user.name`/`user.email` from git's configuration as seen in `repo` (repository, global and system
    /// files), else [`Identity::fallback`] for each missing part.
    pub fn from_git_config(repo: &Path) -> Identity {
        let get = |key: &str| -> Option<String> {
            let mut cmd = std::process::Command::new("git");
            cmd.current_dir(repo).env_clear();
            for k in ["PATH", "HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL"] {
                if let Some(v) = std::env::var_os(k) {
                    cmd.env(k, v);
                }
            }
            let out = cmd.args(["config", "--get", key]).output().ok()?;
            let v = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            (out.status.success() && !v.is_empty()).then_some(v)
        };
        let fb = Identity::fallback();
        Identity {
            name: get("user.name").unwrap_or(fb.name),
            email: get("user.email").unwrap_or(fb.email),
        }
    }
}

/// How [`apply`] works.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Apply to the repository's working tree instead of committing on `autodev/<id>`.
    pub to_worktree: bool,
    /// Author and committer of the commit.
    pub committer: Identity,
    /// The event actor, e.g. `cli:alice`.
    pub actor: String,
    /// The clone to commit in, instead of the repository the task was submitted from (another machine's clone
    /// of it, which must have the task's base commit: fetch it first).
    pub repo: Option<PathBuf>,
}

/// sha256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The branch [`apply`] creates: `autodev/<id>`.
pub fn branch_name(id: TaskId) -> String {
    format!("autodev/{id}")
}

/// Loads a task whose gate passed, with its patch: `TASK_UNKNOWN`, `TASK_FILE_CORRUPT` or `NOT_GATE_PASSED`
/// otherwise, `TASK_NOT_AS_SUBMITTED` when the task file is not the one the log's `TASK_SUBMITTED` recorded, and
/// `PATCH_NOT_GATED` when the patch file is not the one the log's `GATE_PASSED` names.
pub fn load(queue: &dyn TaskQueue, id: TaskId) -> Result<Candidate> {
    let (task, state, report) = passed_task(queue, id)?;
    let audit = Audit::of(&queue.task_events(id)?, id);
    // The task file says where to commit (repo, base commit) and what the patch may touch (targets); a check
    // could have rewritten it, so only the values logged at submission count.
    audit
        .task_as_submitted(&task)
        .map_err(|m| Error::TaskNotAsSubmitted {
            id,
            detail: m.to_string(),
        })?;
    let Some(patch) = queue.get_result(id, ResultKind::Patch)? else {
        return Err(Error::NotGatePassed {
            id,
            detail: "its patch file is missing".into(),
        });
    };
    let sha256 = sha256_hex(&patch);
    check_gated(id, &audit, &sha256)?;
    Ok(Candidate {
        task,
        state,
        report,
        patch,
        sha256,
        audit,
    })
}

/// The patch bytes must be the ones the worker logged in `GATE_PASSED` (the report and the patch are files a
/// check could rewrite; the worker logs the hash itself, after the gate returned).
fn check_gated(id: TaskId, audit: &Audit, sha256: &str) -> Result<()> {
    let detail = match audit.gated() {
        GatedPatch::One(gated) if gated == sha256 => return Ok(()),
        GatedPatch::One(gated) => format!(
            "the log's GATE_PASSED names sha256 {gated}, the patch file now has {sha256} (it was rewritten after \
             the gate judged it)"
        ),
        GatedPatch::Missing => {
            "the log has no GATE_PASSED naming a patch sha256 (a task gated before autodev \
             logged it: submit the work again)"
                .into()
        }
        GatedPatch::Conflicting => {
            "the log's GATE_PASSED events name different patches (one was not \
             written by the worker)"
                .into()
        }
    };
    Err(Error::PatchNotGated { id, detail })
}

/// The task, its state and its report, for a task in `done/` whose report says PASS.
fn passed_task(queue: &dyn TaskQueue, id: TaskId) -> Result<(Task, TaskState, Report)> {
    let (task, state) = match queue.task(id) {
        Ok(t) => t,
        Err(queue_core::Error::UnknownTask(_)) => return Err(Error::TaskUnknown(id)),
        Err(queue_core::Error::TaskCorrupt { path, detail, .. }) => {
            return Err(Error::TaskFileCorrupt { id, path, detail });
        }
        Err(e) => return Err(e.into()),
    };
    let not_passed = |detail: String| Error::NotGatePassed { id, detail };
    match state {
        TaskState::Pending | TaskState::Claimed => {
            return Err(not_passed(format!(
                "it is {} (wait for a worker to finish it)",
                state.as_str()
            )));
        }
        TaskState::Failed => {
            let reason = queue.last_failure_reason(id)?;
            return Err(not_passed(format!(
                "it failed ({})",
                reason.as_deref().unwrap_or("see autodev events")
            )));
        }
        _ => {}
    }
    let Some(bytes) = queue.get_result(id, ResultKind::Report)? else {
        return Err(not_passed("it has no report".into()));
    };
    let report: Report = serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt {
        path: result_name(queue, id, ResultKind::Report),
        detail: e.to_string(),
    })?;
    if report.gate_verdict != GateVerdict::Pass {
        return Err(not_passed(format!(
            "the gate's verdict is {}",
            report.gate_verdict
        )));
    }
    if report.patch_sha256.is_empty() {
        return Err(not_passed("its report names no patch".into()));
    }
    Ok((task, state, report))
}

/// Where a result is, for messages: `results/<id>.<ext>` in a folder queue, the row in a database.
fn result_name(queue: &dyn TaskQueue, id: TaskId, kind: ResultKind) -> PathBuf {
    match queue.local_root() {
        Some(root) => root.join("results").join(format!("{id}.{}", kind.ext())),
        None => format!("{} autodev_results/{id}/{}", queue.location(), kind.ext()).into(),
    }
}

/// Where a decision record is, for messages.
fn decision_name(queue: &dyn TaskQueue, id: TaskId, kind: DecisionKind) -> PathBuf {
    let file = match kind {
        DecisionKind::Approval => format!("approved/{id}.approved.json"),
        DecisionKind::Rejection => format!("rejected/{id}.rejected.json"),
    };
    match queue.local_root() {
        Some(root) => root.join(file),
        None => format!("{} autodev_decisions/{id}", queue.location()).into(),
    }
}

/// Approves the patch of a task whose gate passed, binding the approval to the patch's current sha256, which
/// must be the one the log's `GATE_PASSED` names. Logs `APPROVED` (the hash and who), then writes the record.
/// Idempotent for the same bytes; refused (`APPROVAL_NOT_IN_LOG`) over a record the log does not confirm.
pub fn approve(
    queue: &dyn TaskQueue,
    id: TaskId,
    who: &Decider,
) -> Result<Decision<ApprovalRecord>> {
    let _lock = queue.decision_lock(id)?;
    let c = load(queue, id)?;
    if c.sha256 != c.report.patch_sha256 {
        return Err(Error::ApprovalHashMismatch {
            id,
            stage: "reported by the worker",
            expected: c.report.patch_sha256,
            actual: c.sha256,
        });
    }
    if let Some(r) = rejection(queue, id)? {
        return Err(Error::AlreadyRejected {
            id,
            by: r.by,
            reason: r.reason,
        });
    }
    if let Some(a) = confirmed_approval(queue, id, &c.audit)? {
        if a.patch_sha256 == c.sha256 {
            return Ok(Decision {
                record: a,
                newly: false,
            });
        }
        return Err(Error::AlreadyApproved {
            id,
            by: a.by,
            sha256: a.patch_sha256,
        });
    }
    let record = ApprovalRecord {
        task_id: id,
        patch_sha256: c.sha256.clone(),
        by: who.by.clone(),
        at: Utc::now(),
        via: who.via.as_str().into(),
    };
    let event = Event::new(
        EventKind::Approved {
            sha256: c.sha256.clone(),
            via: who.via.as_str().into(),
        },
        Some(id),
        who.actor(),
    );
    if queue.put_decision(id, DecisionKind::Approval, &to_record(&record)?, event)? {
        return Ok(Decision {
            record,
            newly: true,
        });
    }
    // Another decider was first (a database has no lock to wait on): say what they decided.
    if let Some(r) = rejection(queue, id)? {
        return Err(Error::AlreadyRejected {
            id,
            by: r.by,
            reason: r.reason,
        });
    }
    match confirmed_approval(queue, id, &Audit::of(&queue.task_events(id)?, id))? {
        Some(a) if a.patch_sha256 == c.sha256 => Ok(Decision {
            record: a,
            newly: false,
        }),
        Some(a) => Err(Error::AlreadyApproved {
            id,
            by: a.by,
            sha256: a.patch_sha256,
        }),
        None => Err(Error::ApprovalNotInLog {
            id,
            path: decision_name(queue, id, DecisionKind::Approval),
        }),
    }
}

/// Rejects the patch of a task whose gate passed. Idempotent; refused (`ALREADY_APPROVED`) after an approval.
pub fn reject(
    queue: &dyn TaskQueue,
    id: TaskId,
    who: &Decider,
    reason: &str,
) -> Result<Decision<RejectionRecord>> {
    let _lock = queue.decision_lock(id)?;
    // Not `load`: rejecting a patch whose file was rewritten, or that carries a forged approval, must stay possible.
    passed_task(queue, id)?;
    let audit = Audit::of(&queue.task_events(id)?, id);
    if let Some(a) = approval_if_logged(queue, id, &audit)? {
        return Err(Error::AlreadyApproved {
            id,
            by: a.by,
            sha256: a.patch_sha256,
        });
    }
    if let Some(r) = rejection(queue, id)? {
        return Ok(Decision {
            record: r,
            newly: false,
        });
    }
    let record = RejectionRecord {
        task_id: id,
        by: who.by.clone(),
        at: Utc::now(),
        via: who.via.as_str().into(),
        reason: reason.to_owned(),
    };
    let event = Event::new(
        EventKind::Rejected {
            reason: reason.to_owned(),
            via: who.via.as_str().into(),
        },
        Some(id),
        who.actor(),
    );
    if queue.put_decision(id, DecisionKind::Rejection, &to_record(&record)?, event)? {
        return Ok(Decision {
            record,
            newly: true,
        });
    }
    // Another decider was first.
    if let Some(r) = rejection(queue, id)? {
        return Ok(Decision {
            record: r,
            newly: false,
        });
    }
    match approval(queue, id)? {
        Some(a) => Err(Error::AlreadyApproved {
            id,
            by: a.by,
            sha256: a.patch_sha256,
        }),
        None => Err(Error::Corrupt {
            path: decision_name(queue, id, DecisionKind::Rejection),
            detail: "the rejection could not be stored and no other decision is there".into(),
        }),
    }
}

/// The approval record of a task, if any, as the file says: not necessarily an approval (see [`confirmed`]).
pub fn approval(queue: &dyn TaskQueue, id: TaskId) -> Result<Option<ApprovalRecord>> {
    read_decision(queue, id, DecisionKind::Approval)
}

/// The task's approval when its record and the log agree: `None` without a record, [`Error::ApprovalNotInLog`]
/// for a record the log does not confirm.
pub fn confirmed(queue: &dyn TaskQueue, id: TaskId) -> Result<Option<ApprovalRecord>> {
    confirmed_approval(queue, id, &Audit::of(&queue.task_events(id)?, id))
}

fn confirmed_approval(
    queue: &dyn TaskQueue,
    id: TaskId,
    audit: &Audit,
) -> Result<Option<ApprovalRecord>> {
    let path = decision_name(queue, id, DecisionKind::Approval);
    let record = match read_decision::<ApprovalRecord>(queue, id, DecisionKind::Approval) {
        Ok(r) => r,
        // A record that does not decode was not written by `approve` either.
        Err(Error::Corrupt { .. }) => return Err(Error::ApprovalNotInLog { id, path }),
        Err(e) => return Err(e),
    };
    match record {
        Some(r) if !audit.confirms(id, &r) => Err(Error::ApprovalNotInLog { id, path }),
        r => Ok(r),
    }
}

/// Like [`confirmed`], but an unconfirmed record reads as no approval (for rejecting).
fn approval_if_logged(
    queue: &dyn TaskQueue,
    id: TaskId,
    audit: &Audit,
) -> Result<Option<ApprovalRecord>> {
    match confirmed_approval(queue, id, audit) {
        Err(Error::ApprovalNotInLog { .. }) => Ok(None),
        r => r,
    }
}

/// The rejection record of a task, if any.
pub fn rejection(queue: &dyn TaskQueue, id: TaskId) -> Result<Option<RejectionRecord>> {
    read_decision(queue, id, DecisionKind::Rejection)
}

/// Commits an approved patch on `autodev/<id>` from the task's base commit (or, with
/// [`ApplyOptions::to_worktree`], applies it to the working tree) and logs `APPLIED`. Idempotent.
///
/// Believes no file on its own: the task file must be the task the log's `TASK_SUBMITTED` recorded
/// (`TASK_NOT_AS_SUBMITTED`), the patch bytes must be the ones the log's `GATE_PASSED` names (`PATCH_NOT_GATED`),
/// the approval record must match an `APPROVED` event (`APPROVAL_NOT_IN_LOG`), and the repository's policy at the
/// base commit is applied to the bytes again (`APPLY_POLICY_REFUSED`).
pub fn apply(queue: &dyn TaskQueue, id: TaskId, opts: &ApplyOptions) -> Result<Applied> {
    let mut c = load(queue, id)?;
    if let Some(repo) = &opts.repo {
        // Another clone: it is the repository the commit is made in and the policy is read from.
        c.task.repo = repo.clone();
    }
    if let Some(r) = rejection(queue, id)? {
        return Err(Error::AlreadyRejected {
            id,
            by: r.by,
            reason: r.reason,
        });
    }
    let Some(a) = confirmed_approval(queue, id, &c.audit)? else {
        return Err(Error::NotApproved(id));
    };
    if a.patch_sha256 != c.sha256 {
        return Err(Error::ApprovalHashMismatch {
            id,
            stage: "approved",
            expected: a.patch_sha256,
            actual: c.sha256,
        });
    }
    judge_again(&c)?;
    let applied = if opts.to_worktree {
        apply_to_worktree(&c)?
    } else {
        commit_on_branch(&c, &opts.committer)?
    };
    if applied.newly || !applied_logged(queue, id, &applied)? {
        queue.record(
            EventKind::Applied {
                commit: applied.commit.clone(),
                branch: applied.branch.clone(),
            },
            Some(id),
            &opts.actor,
        )?;
    }
    Ok(applied)
}

/// The gate's static policy on the bytes about to be committed, read at the task's base commit: the last word
/// does not rest on a verdict recorded in files and a log that the checks could reach.
fn judge_again(c: &Candidate) -> Result<()> {
    let reasons = gate::judge_policy(
        &c.task.repo,
        c.task.base_commit.as_deref(),
        &c.patch,
        Some(&c.task.targets),
    )?;
    if reasons.is_empty() {
        return Ok(());
    }
    Err(Error::ApplyPolicyRefused {
        id: c.task.id,
        reasons: reasons
            .iter()
            .map(|r| format!("{}: {}", r.code.as_str(), r.message))
            .collect(),
    })
}

/// Whether the log already has an `APPLIED` for this commit (a crash between the commit and the event is
/// repaired by the next apply).
fn applied_logged(queue: &dyn TaskQueue, id: TaskId, applied: &Applied) -> Result<bool> {
    let events = queue.task_events(id)?;
    Ok(events.iter().any(|e| {
        e.task_id == Some(id)
            && matches!(&e.kind, EventKind::Applied { commit, branch }
                if *commit == applied.commit && *branch == applied.branch)
    }))
}

fn commit_on_branch(c: &Candidate, who: &Identity) -> Result<Applied> {
    let id = c.task.id;
    let repo = c.task.repo.as_path();
    let branch = branch_name(id);
    let refname = format!("refs/heads/{branch}");
    // A private index, outside the repository and the queue: the user's own index is never touched.
    let index =
        TempFile(std::env::temp_dir().join(format!("autodev-index-{id}-{}", ulid::Ulid::new())));
    let index_env: [(&str, &OsStr); 1] = [("GIT_INDEX_FILE", index.0.as_os_str())];
    match &c.task.base_commit {
        Some(base) => git::run(repo, &["read-tree", base], None, &index_env)?,
        None => git::run(repo, &["read-tree", "--empty"], None, &index_env)?,
    };
    let out = git::output(
        repo,
        &["apply", "--cached", "--whitespace=nowarn", "-"],
        Some(&c.patch),
        &index_env,
    )?;
    if !out.ok {
        return Err(Error::PatchDoesNotApply {
            id,
            target: format!(
                "base {}",
                c.task.base_commit.as_deref().unwrap_or("(empty tree)")
            ),
            stderr: out.stderr,
        });
    }
    let tree = git::run(repo, &["write-tree"], None, &index_env)?;
    drop(index);
    if let Some(existing) = ours_on_branch(repo, &refname, c, &tree)? {
        return Ok(Applied {
            commit: existing,
            branch,
            newly: false,
        });
    }
    let message = format!("{}\n\nAutodev-Task: {id}\n", c.task.title.trim());
    let mut args = vec!["commit-tree", tree.as_str()];
    if let Some(base) = &c.task.base_commit {
        args.extend(["-p", base.as_str()]);
    }
    args.extend(["-F", "-"]);
    let ident: [(&str, &OsStr); 4] = [
        ("GIT_AUTHOR_NAME", OsStr::new(&who.name)),
        ("GIT_AUTHOR_EMAIL", OsStr::new(&who.email)),
        ("GIT_COMMITTER_NAME", OsStr::new(&who.name)),
        ("GIT_COMMITTER_EMAIL", OsStr::new(&who.email)),
    ];
    let commit = git::run(repo, &args, Some(message.as_bytes()), &ident)?;
    let msg = format!("autodev apply {id}");
    let out = git::output(
        repo,
        &["update-ref", "-m", &msg, &refname, &commit, ""],
        None,
        &[],
    )?;
    if !out.ok {
        // Someone created the branch between our look and our write: judge what is there now.
        if let Some(existing) = ours_on_branch(repo, &refname, c, &tree)? {
            return Ok(Applied {
                commit: existing,
                branch,
                newly: false,
            });
        }
        return Err(Error::Git {
            dir: repo.to_path_buf(),
            args: format!("update-ref {refname} {commit} \"\""),
            stderr: out.stderr,
        });
    }
    Ok(Applied {
        commit,
        branch,
        newly: true,
    })
}

/// `Some(commit)` when `refname` holds autodev's commit for this task (same tree, parent = base, trailer);
/// `None` when the branch does not exist; [`Error::BranchExists`] when it holds something else.
fn ours_on_branch(repo: &Path, refname: &str, c: &Candidate, tree: &str) -> Result<Option<String>> {
    let spec = format!("{refname}^{{commit}}");
    let out = git::output(
        repo,
        &["rev-parse", "--verify", "--quiet", &spec],
        None,
        &[],
    )?;
    if !out.ok || out.stdout.is_empty() {
        return Ok(None);
    }
    let commit = out.stdout;
    let info = git::run(
        repo,
        &["show", "-s", "--format=%T%n%P%n%B", &commit],
        None,
        &[],
    )?;
    let mut lines = info.lines();
    let got_tree = lines.next().unwrap_or_default();
    let parents = lines.next().unwrap_or_default();
    let body: Vec<&str> = lines.collect();
    let trailer = format!("Autodev-Task: {}", c.task.id);
    let want_parents = c.task.base_commit.clone().unwrap_or_default();
    if got_tree == tree && parents == want_parents && body.iter().any(|l| l.trim() == trailer) {
        Ok(Some(commit))
    } else {
        Err(Error::BranchExists {
            branch: branch_name(c.task.id),
            commit,
        })
    }
}

fn apply_to_worktree(c: &Candidate) -> Result<Applied> {
    let id = c.task.id;
    let repo = c.task.repo.as_path();
    let head = git::output(
        repo,
        &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
        None,
        &[],
    )?;
    let head = if head.ok { head.stdout } else { String::new() };
    let done = |newly| Applied {
        commit: head.clone(),
        branch: "worktree".into(),
        newly,
    };
    let check = git::output(
        repo,
        &["apply", "--check", "--whitespace=nowarn", "-"],
        Some(&c.patch),
        &[],
    )?;
    if !check.ok {
        let reverse = git::output(
            repo,
            &["apply", "--check", "--reverse", "--whitespace=nowarn", "-"],
            Some(&c.patch),
            &[],
        )?;
        if reverse.ok {
            return Ok(done(false));
        }
        return Err(Error::PatchDoesNotApply {
            id,
            target: "the working tree".into(),
            stderr: check.stderr,
        });
    }
    // `git apply` without --reject is all or nothing: it checks every hunk before writing any file.
    let out = git::output(
        repo,
        &["apply", "--whitespace=nowarn", "-"],
        Some(&c.patch),
        &[],
    )?;
    if !out.ok {
        return Err(Error::PatchDoesNotApply {
            id,
            target: "the working tree".into(),
            stderr: out.stderr,
        });
    }
    Ok(done(true))
}

/// A file removed on drop (the temporary index).
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn read_decision<T: serde::de::DeserializeOwned>(
    queue: &dyn TaskQueue,
    id: TaskId,
    kind: DecisionKind,
) -> Result<Option<T>> {
    match queue.get_decision(id, kind)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::Corrupt {
                path: decision_name(queue, id, kind),
                detail: e.to_string(),
            }),
    }
}

fn to_record<T: serde::Serialize>(record: &T) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(record).map_err(|e| Error::Corrupt {
        path: "decision record".into(),
        detail: e.to_string(),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}
