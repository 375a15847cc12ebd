//! The approval crate's error: refusals with stable codes (exit 1) and infrastructure errors (exit 2).

use std::path::PathBuf;

use i18n::{Lang, io_error, t};
use queue_core::{TaskId, exit_codes};

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why approve, reject or apply did not happen. Refusals ([`Error::is_refusal`]) are judgements on the request
/// and carry a stable [`Error::code`]; retrying them unchanged gives the same answer. The rest are
/// infrastructure errors (exit 2) that may succeed once the environment is fixed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `TASK_UNKNOWN`: no such task in the queue. Returned by every operation.
    #[error("no task {0} in this queue; `autodev status` lists them")]
    TaskUnknown(TaskId),
    /// `TASK_FILE_CORRUPT`: the task's file is not a task autodev can read (empty, damaged, a directory, naming
    /// another id). Returned by every operation; nothing was changed, and other tasks are not affected. Not
    /// retryable: restore the file from a backup or move it out of the queue (`autodev status` lists it).
    #[error(
        "task {id}'s file {} cannot be read: {detail}; nothing was changed. Restore it, or move it out of the queue",
        path.display()
    )]
    TaskFileCorrupt {
        /// The task.
        id: TaskId,
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// `NOT_GATE_PASSED`: the task has no patch that passed the gate (still queued, failed, or its report says
    /// FAIL). Returned by every operation.
    #[error("task {id} has no patch that passed the gate: {detail}")]
    NotGatePassed {
        /// The task.
        id: TaskId,
        /// What is missing, as a phrase.
        detail: String,
    },
    /// `NOT_APPROVED`: apply was asked for a task nobody approved. Returned by [`crate::apply`].
    #[error("task {0} is not approved; run `autodev approve {0}` after reviewing its patch")]
    NotApproved(TaskId),
    /// `ALREADY_REJECTED`: the task was rejected; it cannot be approved or applied. Returned by
    /// [`crate::approve`] and [`crate::apply`].
    #[error(
        "task {id} was rejected by {by}{}; submit the work again for a new patch",
        reason_suffix(reason)
    )]
    AlreadyRejected {
        /// The task.
        id: TaskId,
        /// Who rejected it.
        by: String,
        /// Their reason.
        reason: String,
    },
    /// `ALREADY_APPROVED`: the task was approved (for other patch bytes, or a rejection came after the approval).
    /// Returned by [`crate::approve`] and [`crate::reject`].
    #[error("task {id} was already approved by {by} (patch sha256 {sha256})")]
    AlreadyApproved {
        /// The task.
        id: TaskId,
        /// Who approved it.
        by: String,
        /// The approved patch hash.
        sha256: String,
    },
    /// `APPROVAL_HASH_MISMATCH`: the patch file's bytes are not the ones the approval record (or the task's
    /// report) names. Returned by [`crate::approve`] and [`crate::apply`]. A file was changed after the fact: look
    /// at it before anything else. (Bytes that differ from the gate's own record are [`Error::PatchNotGated`].)
    #[error(
        "the patch of task {id} changed after it was {stage}: expected sha256 {expected}, the file now has \
         {actual}; nothing was applied"
    )]
    ApprovalHashMismatch {
        /// The task.
        id: TaskId,
        /// `approved` or `reported by the worker`.
        stage: &'static str,
        /// The recorded hash.
        expected: String,
        /// The file's hash now.
        actual: String,
    },
    /// `PATCH_NOT_GATED`: the patch file's bytes are not the ones the log's `GATE_PASSED` event names (the file was
    /// rewritten after the gate judged it), or the log names no single gated patch (no hash: a task gated before
    /// autodev logged it; or `GATE_PASSED` events that disagree: one was forged). Returned by [`crate::load`] and so
    /// by [`crate::approve`] and [`crate::apply`]. Not retryable: the bytes on disk were never judged; read them,
    /// reject the task and submit the work again.
    #[error("the patch of task {id} is not the one the gate passed: {detail}; nothing was changed")]
    PatchNotGated {
        /// The task.
        id: TaskId,
        /// What the log and the file say, as a phrase.
        detail: String,
    },
    /// `APPROVAL_NOT_IN_LOG`: `approved/<id>.approved.json` exists but the log has no `APPROVED` event for this
    /// task and sha256 after its `GATE_PASSED`, so `autodev approve` did not write it: it is not an approval.
    /// Returned by [`crate::approve`] (which will not approve over it) and [`crate::apply`]. Not retryable: the most
    /// likely author is a check the gate ran on this very patch; read the patch, then `autodev reject` it.
    #[error(
        "{} says task {id} is approved, but the audit log has no matching APPROVED event: autodev approve did \
         not write it (a check run by the gate may have). It does not count; read the patch, then run \
         `autodev reject {id}`, and remove the file once you know who wrote it",
        path.display()
    )]
    ApprovalNotInLog {
        /// The task.
        id: TaskId,
        /// The unconfirmed record.
        path: PathBuf,
    },
    /// `TASK_NOT_AS_SUBMITTED`: the task file in `done/` is not the task as submitted: its repository, base
    /// commit, targets, checks, title or intent differ from the log's `TASK_SUBMITTED` event (the file was
    /// rewritten, e.g. by a check, to judge or commit the patch against looser terms), the log has no such event or
    /// events that disagree, or the event was logged before autodev recorded these fields. Returned by
    /// [`crate::load`] and so by [`crate::approve`] and [`crate::apply`]; nothing was approved or committed. Not
    /// retryable: reject the task (`autodev reject` still works) and submit the work again.
    #[error(
        "task {id}'s task file is not the task as submitted: {detail}; nothing was changed. Reject it and submit \
         the work again"
    )]
    TaskNotAsSubmitted {
        /// The task.
        id: TaskId,
        /// What the log and the file say, as a phrase.
        detail: String,
    },
    /// `APPLY_POLICY_REFUSED`: apply judged the patch again by `.autodev_ssot/policy.toml` at the task's base
    /// commit and the policy refuses it (e.g. a protected path), although the log says the gate passed it: the log
    /// or the patch was forged. Returned by [`crate::apply`]; nothing was committed. Not retryable.
    #[error(
        "the repository's policy at the task's base refuses the patch of task {id}; nothing was committed: {}",
        reasons.join("; ")
    )]
    ApplyPolicyRefused {
        /// The task.
        id: TaskId,
        /// `CODE: sentence` per reason, as the gate reports them.
        reasons: Vec<String>,
    },
    /// `PATCH_DOES_NOT_APPLY`: the approved patch no longer applies to its base (or, with `--to-worktree`, to
    /// the working tree). Returned by [`crate::apply`]; nothing was changed.
    #[error("the patch of task {id} does not apply to {target}; nothing was changed: {stderr}")]
    PatchDoesNotApply {
        /// The task.
        id: TaskId,
        /// `base <commit>` or `the working tree`.
        target: String,
        /// git's explanation.
        stderr: String,
    },
    /// `BRANCH_EXISTS`: `autodev/<id>` exists and is not the commit autodev would make. Returned by
    /// [`crate::apply`]; delete or rename the branch and apply again.
    #[error(
        "branch {branch} already exists at {commit} and is not autodev's commit for this task; delete or \
         rename it (`git branch -m {branch} {branch}-old`) and apply again"
    )]
    BranchExists {
        /// The branch name.
        branch: String,
        /// Where it points.
        commit: String,
    },
    /// The queue failed (I/O, corrupt files). Infrastructure; exit 2.
    #[error(transparent)]
    Queue(#[from] queue_core::Error),
    /// The policy could not be read to judge the patch again (not a repository, unknown base commit, invalid
    /// policy.toml). Infrastructure; exit 2.
    #[error("cannot judge the patch by the repository's policy: {0}")]
    Gate(#[from] gate::GateError),
    /// A git command failed unexpectedly. Infrastructure; exit 2.
    #[error("git {args} in {}: {stderr}", dir.display())]
    Git {
        /// Where it ran.
        dir: PathBuf,
        /// The arguments.
        args: String,
        /// git's stderr.
        stderr: String,
    },
    /// A file could not be read or written. Infrastructure; exit 2.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A record in the queue does not decode. Infrastructure; exit 2.
    #[error("corrupt file {}: {detail}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}

/// What an [`Error::code`] means, in `lang` (one line, no final period), for a code recorded next to an English
/// message (a `DELIVERY_FAILED` whose apply was refused); `None` for a code that is not approval's.
pub fn explain_code(code: &str, lang: Lang) -> Option<String> {
    Some(match code {
        "TASK_UNKNOWN" => t!(lang, "approval-code-task-unknown"),
        "TASK_FILE_CORRUPT" => t!(lang, "approval-code-task-file-corrupt"),
        "NOT_GATE_PASSED" => t!(lang, "approval-code-not-gate-passed"),
        "NOT_APPROVED" => t!(lang, "approval-code-not-approved"),
        "ALREADY_REJECTED" => t!(lang, "approval-code-already-rejected"),
        "ALREADY_APPROVED" => t!(lang, "approval-code-already-approved"),
        "APPROVAL_HASH_MISMATCH" => t!(lang, "approval-code-approval-hash-mismatch"),
        "PATCH_NOT_GATED" => t!(lang, "approval-code-patch-not-gated"),
        "APPROVAL_NOT_IN_LOG" => t!(lang, "approval-code-approval-not-in-log"),
        "TASK_NOT_AS_SUBMITTED" => t!(lang, "approval-code-task-not-as-submitted"),
        "APPLY_POLICY_REFUSED" => t!(lang, "approval-code-apply-policy-refused"),
        "PATCH_DOES_NOT_APPLY" => t!(lang, "approval-code-patch-does-not-apply"),
        "BRANCH_EXISTS" => t!(lang, "approval-code-branch-exists"),
        "QUEUE_ERROR" => t!(lang, "approval-code-queue-error"),
        "GIT_ERROR" => t!(lang, "approval-code-git-error"),
        "GATE_ERROR" => t!(lang, "approval-code-gate-error"),
        "IO_ERROR" => t!(lang, "approval-code-io-error"),
        _ => return None,
    })
}

fn reason_suffix(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(" ({reason})")
    }
}

impl Error {
    /// The stable code: `TASK_UNKNOWN`, `TASK_FILE_CORRUPT`, `NOT_GATE_PASSED`, …; `GIT_ERROR`, `GATE_ERROR`,
    /// `IO_ERROR`, `QUEUE_ERROR` for infrastructure errors.
    pub fn code(&self) -> &'static str {
        match self {
            Error::TaskUnknown(_) => "TASK_UNKNOWN",
            Error::TaskFileCorrupt { .. } => "TASK_FILE_CORRUPT",
            Error::NotGatePassed { .. } => "NOT_GATE_PASSED",
            Error::NotApproved(_) => "NOT_APPROVED",
            Error::AlreadyRejected { .. } => "ALREADY_REJECTED",
            Error::AlreadyApproved { .. } => "ALREADY_APPROVED",
            Error::ApprovalHashMismatch { .. } => "APPROVAL_HASH_MISMATCH",
            Error::PatchNotGated { .. } => "PATCH_NOT_GATED",
            Error::ApprovalNotInLog { .. } => "APPROVAL_NOT_IN_LOG",
            Error::TaskNotAsSubmitted { .. } => "TASK_NOT_AS_SUBMITTED",
            Error::ApplyPolicyRefused { .. } => "APPLY_POLICY_REFUSED",
            Error::PatchDoesNotApply { .. } => "PATCH_DOES_NOT_APPLY",
            Error::BranchExists { .. } => "BRANCH_EXISTS",
            Error::Queue(_) | Error::Corrupt { .. } => "QUEUE_ERROR",
            Error::Git { .. } => "GIT_ERROR",
            Error::Gate(_) => "GATE_ERROR",
            Error::Io { .. } => "IO_ERROR",
        }
    }

    /// Whether this is a refusal of the request (exit 1) rather than an infrastructure error (exit 2).
    pub fn is_refusal(&self) -> bool {
        !matches!(
            self,
            Error::Queue(_)
                | Error::Corrupt { .. }
                | Error::Git { .. }
                | Error::Gate(_)
                | Error::Io { .. }
        )
    }

    /// The process exit code: [`exit_codes::REJECTED`] for refusals, [`exit_codes::ERROR`] otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.is_refusal() {
            exit_codes::REJECTED
        } else {
            exit_codes::ERROR
        }
    }

    /// The sentence in `lang`, where a person reads it (the CLI, the bot): in English the same words as `Display`
    /// (logs and JSON keep `Display`); what git said is inserted as it said it.
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            Error::TaskUnknown(id) => t!(lang, "approval-task-unknown", id = id),
            Error::TaskFileCorrupt { id, path, detail } => t!(
                lang,
                "approval-task-file-corrupt",
                id = id,
                path = &path.display(),
                detail = detail
            ),
            Error::NotGatePassed { id, detail } => {
                t!(lang, "approval-not-gate-passed", id = id, detail = detail)
            }
            Error::NotApproved(id) => t!(lang, "approval-not-approved", id = id),
            Error::AlreadyRejected { id, by, reason } if reason.is_empty() => {
                t!(lang, "approval-already-rejected", id = id, by = by)
            }
            Error::AlreadyRejected { id, by, reason } => t!(
                lang,
                "approval-already-rejected-because",
                id = id,
                by = by,
                reason = reason
            ),
            Error::AlreadyApproved { id, by, sha256 } => t!(
                lang,
                "approval-already-approved",
                id = id,
                by = by,
                sha256 = sha256
            ),
            Error::ApprovalHashMismatch {
                id,
                stage,
                expected,
                actual,
            } if *stage == "approved" => t!(
                lang,
                "approval-hash-mismatch-approved",
                id = id,
                expected = expected,
                actual = actual
            ),
            Error::ApprovalHashMismatch {
                id,
                expected,
                actual,
                ..
            } => t!(
                lang,
                "approval-hash-mismatch-reported",
                id = id,
                expected = expected,
                actual = actual
            ),
            Error::PatchNotGated { id, detail } => {
                t!(lang, "approval-patch-not-gated", id = id, detail = detail)
            }
            Error::ApprovalNotInLog { id, path } => {
                t!(lang, "approval-not-in-log", id = id, path = &path.display())
            }
            Error::TaskNotAsSubmitted { id, detail } => t!(
                lang,
                "approval-task-not-as-submitted",
                id = id,
                detail = detail
            ),
            Error::ApplyPolicyRefused { id, reasons } => t!(
                lang,
                "approval-policy-refused",
                id = id,
                reasons = &reasons.join("; ")
            ),
            Error::PatchDoesNotApply { id, target, stderr } => match target.strip_prefix("base ") {
                Some(commit) => t!(
                    lang,
                    "approval-does-not-apply-base",
                    id = id,
                    commit = commit,
                    stderr = stderr
                ),
                None => t!(
                    lang,
                    "approval-does-not-apply-worktree",
                    id = id,
                    stderr = stderr
                ),
            },
            Error::BranchExists { branch, commit } => t!(
                lang,
                "approval-branch-exists",
                branch = branch,
                commit = commit
            ),
            Error::Queue(q) => q.localized(lang),
            Error::Gate(g) => t!(lang, "approval-err-gate", error = g.localized(lang)),
            Error::Git { dir, args, stderr } => t!(
                lang,
                "err-git",
                args = args,
                dir = &dir.display(),
                stderr = stderr
            ),
            Error::Io { path, source } => t!(
                lang,
                "err-path-io",
                path = &path.display(),
                error = io_error(source, lang)
            ),
            Error::Corrupt { path, detail } => t!(
                lang,
                "err-corrupt-file",
                path = &path.display(),
                detail = detail
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> TaskId {
        "T20261125-0001".parse().unwrap()
    }

    /// One of each refusal.
    fn refusals() -> Vec<Error> {
        let id = id();
        vec![
            Error::TaskUnknown(id),
            Error::TaskFileCorrupt {
                id,
                path: "/q/done/T20261125-0001.json".into(),
                detail: "EOF while parsing".into(),
            },
            Error::NotGatePassed {
                id,
                detail: "it is pending".into(),
            },
            Error::NotApproved(id),
            Error::AlreadyRejected {
                id,
                by: "alice".into(),
                reason: String::new(),
            },
            Error::AlreadyRejected {
                id,
                by: "alice".into(),
                reason: "wrong file".into(),
            },
            Error::AlreadyApproved {
                id,
                by: "bob".into(),
                sha256: "ab12".into(),
            },
            Error::ApprovalHashMismatch {
                id,
                stage: "approved",
                expected: "aa".into(),
                actual: "bb".into(),
            },
            Error::ApprovalHashMismatch {
                id,
                stage: "reported by the worker",
                expected: "aa".into(),
                actual: "bb".into(),
            },
            Error::PatchNotGated {
                id,
                detail: "two GATE_PASSED events disagree".into(),
            },
            Error::ApprovalNotInLog {
                id,
                path: "/q/approved/T20261125-0001.approved.json".into(),
            },
            Error::TaskNotAsSubmitted {
                id,
                detail: "targets differ".into(),
            },
            Error::ApplyPolicyRefused {
                id,
                reasons: vec!["PROTECTED_PATH: .git/hooks".into(), "TOO_BIG".into()],
            },
            Error::PatchDoesNotApply {
                id,
                target: "base 1234abcd".into(),
                stderr: "error: patch failed".into(),
            },
            Error::PatchDoesNotApply {
                id,
                target: "the working tree".into(),
                stderr: "error: patch failed".into(),
            },
            Error::BranchExists {
                branch: "autodev/T20261125-0001".into(),
                commit: "9f9f".into(),
            },
        ]
    }

    /// One of each infrastructure error.
    fn infrastructure() -> Vec<Error> {
        let id = id();
        vec![
            Error::Gate(gate::GateError::UnknownBase {
                repo: "/r".into(),
                rev: "main".into(),
            }),
            Error::Git {
                dir: "/r".into(),
                args: "commit-tree".into(),
                stderr: "fatal: x".into(),
            },
            Error::Io {
                path: "/q/approved/x".into(),
                source: std::io::Error::from_raw_os_error(13),
            },
            Error::Corrupt {
                path: "/q/approved/x".into(),
                detail: "bad".into(),
            },
            Error::Queue(queue_core::Error::UnknownTask(id)),
        ]
    }

    /// The English catalogue says what `Display` says, so logs and the CLI's English output do not drift apart.
    #[test]
    fn english_refusals_read_as_display_and_korean_ones_are_translated() {
        let all = refusals();
        for e in &all {
            assert!(e.is_refusal());
            assert_eq!(e.localized(Lang::En), e.to_string(), "{}", e.code());
            let ko = e.localized(Lang::Ko);
            assert_ne!(ko, e.to_string(), "{} is not translated", e.code());
            assert!(
                ko.chars().any(|c| ('가'..='힣').contains(&c)),
                "{}: {ko}",
                e.code()
            );
        }
        assert_eq!(
            all[0].localized(Lang::Ko),
            "이 대기열에 T20261125-0001 작업이 없습니다. `autodev status`로 목록을 볼 수 있습니다."
        );
    }

    /// Infrastructure errors too: English is `Display`, Korean is Korean (git's stderr kept as git said it).
    #[test]
    fn infrastructure_errors_read_as_display_in_english_and_in_korean_otherwise() {
        let all = infrastructure();
        for e in &all {
            assert!(!e.is_refusal());
            assert_eq!(e.localized(Lang::En), e.to_string(), "{}", e.code());
            let ko = e.localized(Lang::Ko);
            assert!(
                ko.chars().any(|c| ('가'..='힣').contains(&c)) && ko != e.to_string(),
                "{}: {ko}",
                e.code()
            );
        }
        assert_eq!(
            all[1].localized(Lang::Ko),
            "/r에서 git commit-tree가 실패했습니다: fatal: x"
        );
    }

    /// Every code an error can have is explained in both languages.
    #[test]
    fn every_code_is_explained() {
        for e in refusals().iter().chain(&infrastructure()) {
            let code = e.code();
            let en = explain_code(code, Lang::En).unwrap_or_default();
            let ko = explain_code(code, Lang::Ko).unwrap_or_default();
            assert!(
                !en.is_empty() && ko.chars().any(|c| ('가'..='힣').contains(&c)),
                "{code}"
            );
        }
        assert_eq!(explain_code("FORGE_AUTH", Lang::Ko), None);
    }
}
