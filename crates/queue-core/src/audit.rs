//! What the audit log says about one task's submission, gate pass and approval.
//!
//! The task file, `results/` and `approved/` are plain files that anything running as the queue's user can write,
//! including a check the gate runs on a model's patch. They are only believed when the log agrees: the task file's
//! repository, base commit, targets, checks, title and intent must be the ones its `TASK_SUBMITTED` event names,
//! the patch bytes must be the ones a `GATE_PASSED` event names, and an approval record must match an `APPROVED`
//! event for the same task and sha256 that comes after that pass. Forging an approval therefore takes both the
//! file and the log; the log itself is protected only by the sandbox that keeps checks away from the queue (see
//! ARCHITECTURE.md).

use std::fmt;
use std::path::PathBuf;

use crate::{ApprovalRecord, Event, EventKind, Task, TaskId};

/// What a `TASK_SUBMITTED` event records about the task file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Submitted {
    /// The title.
    pub title: String,
    /// The intent, as its lowercase name.
    pub intent: String,
    /// The targets (the gate's allowed paths).
    pub targets: Vec<String>,
    /// The repository; `None` in events logged before autodev recorded it (and the fields below).
    pub repo: Option<PathBuf>,
    /// The resolved base commit (`None`: a repository without commits).
    pub base_commit: Option<String>,
    /// The task's own checks (`None`: the repository's `gate.toml`).
    pub checks: Option<Vec<String>>,
}

/// Why a task file is not believed (see [`Audit::task_as_submitted`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskMismatch {
    /// The log has no `TASK_SUBMITTED` event for the task.
    NotLogged,
    /// The task's `TASK_SUBMITTED` was logged before autodev recorded the repository, base commit and checks.
    NotRecorded,
    /// `TASK_SUBMITTED` events for the task disagree: one was not written by `autodev submit`.
    Conflicting,
    /// The task file's fields that differ from the event (`repo`, `base_commit`, `targets`, …).
    Differs(Vec<&'static str>),
}

impl fmt::Display for TaskMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskMismatch::NotLogged => f.write_str("the log has no TASK_SUBMITTED event for it"),
            TaskMismatch::NotRecorded => f.write_str(
                "its TASK_SUBMITTED event was logged before autodev recorded the repository, base commit and \
                 checks, so the task file cannot be verified (submit the work again)",
            ),
            TaskMismatch::Conflicting => f.write_str(
                "the log's TASK_SUBMITTED events for it disagree (one was not written by autodev submit)",
            ),
            TaskMismatch::Differs(fields) => write!(
                f,
                "the task file's {} differ from what its TASK_SUBMITTED event recorded (the file was rewritten \
                 after submission)",
                fields.join(", ")
            ),
        }
    }
}

/// The submission, gate passes and approvals the log records for one task, in log order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audit {
    /// Every `TASK_SUBMITTED` event (normally exactly one).
    pub submitted: Vec<Submitted>,
    /// sha256 of every `GATE_PASSED` event (empty strings for passes logged before the hash was recorded).
    pub gate_passed: Vec<String>,
    /// sha256 of every `APPROVED` event that follows a `GATE_PASSED` for the same bytes.
    pub approved: Vec<String>,
}

/// Which patch bytes the gate passed, according to the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatedPatch<'a> {
    /// No `GATE_PASSED` event with a hash.
    Missing,
    /// Every `GATE_PASSED` event names this sha256.
    One(&'a str),
    /// `GATE_PASSED` events name different hashes: someone appended one, so none is believed.
    Conflicting,
}

impl Audit {
    /// The audit of task `id` in `events`.
    pub fn of(events: &[Event], id: TaskId) -> Audit {
        let mut audit = Audit::default();
        for ev in events.iter().filter(|e| e.task_id == Some(id)) {
            audit.observe(ev);
        }
        audit
    }

    /// Takes one event about this task into account (events must come in log order).
    pub fn observe(&mut self, ev: &Event) {
        match &ev.kind {
            EventKind::TaskSubmitted {
                title,
                intent,
                targets,
                repo,
                base_commit,
                checks,
            } => self.submitted.push(Submitted {
                title: title.clone(),
                intent: intent.clone(),
                targets: targets.clone(),
                repo: repo.clone(),
                base_commit: base_commit.clone(),
                checks: checks.clone(),
            }),
            EventKind::GatePassed { sha256, .. } => self.gate_passed.push(sha256.clone()),
            // An APPROVED before the pass it approves was written while the gate was still running, i.e. by a
            // check, not by `autodev approve` (which refuses a task that has not passed).
            EventKind::Approved { sha256, .. } if self.gate_passed.contains(sha256) => {
                self.approved.push(sha256.clone());
            }
            _ => {}
        }
    }

    /// The bytes the gate passed.
    pub fn gated(&self) -> GatedPatch<'_> {
        let mut hashes = self.gate_passed.iter().filter(|s| !s.is_empty());
        let Some(first) = hashes.next() else {
            return GatedPatch::Missing;
        };
        if hashes.all(|s| s == first) {
            GatedPatch::One(first)
        } else {
            GatedPatch::Conflicting
        }
    }

    /// Whether `task` (read from its state folder) is the task as submitted: its repository, base commit,
    /// targets, checks, title and intent are the ones the log's `TASK_SUBMITTED` event recorded. Approval and
    /// apply rely on these fields (apply commits into `repo` from `base_commit` and judges the patch against
    /// `targets`), and the file is one a check could rewrite. Events logged before these fields were recorded are
    /// ignored, like `GATE_PASSED` events without a hash; recorded events that disagree name no task.
    pub fn task_as_submitted(&self, task: &Task) -> Result<(), TaskMismatch> {
        if self.submitted.is_empty() {
            return Err(TaskMismatch::NotLogged);
        }
        let mut recorded = self.submitted.iter().filter(|s| s.repo.is_some());
        let Some(first) = recorded.next() else {
            return Err(TaskMismatch::NotRecorded);
        };
        if !recorded.all(|s| s == first) {
            return Err(TaskMismatch::Conflicting);
        }
        let mut differs = Vec::new();
        if first.repo.as_ref() != Some(&task.repo) {
            differs.push("repo");
        }
        if first.base_commit != task.base_commit {
            differs.push("base_commit");
        }
        if first.targets != task.targets {
            differs.push("targets");
        }
        if first.checks != task.checks {
            differs.push("checks");
        }
        if first.title != task.title {
            differs.push("title");
        }
        if first.intent != task.intent.as_str() {
            differs.push("intent");
        }
        if differs.is_empty() {
            Ok(())
        } else {
            Err(TaskMismatch::Differs(differs))
        }
    }

    /// Whether `record` (read from `approved/<id>.approved.json`) is backed by an `APPROVED` event for the same
    /// task and sha256.
    pub fn confirms(&self, id: TaskId, record: &ApprovalRecord) -> bool {
        record.task_id == id
            && !record.patch_sha256.is_empty()
            && self.approved.contains(&record.patch_sha256)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u32) -> TaskId {
        TaskId::new(
            chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default(),
            n,
        )
    }

    fn passed(sha: &str, task: u32) -> Event {
        let kind = EventKind::GatePassed {
            checks: vec![],
            sha256: sha.into(),
        };
        Event::new(kind, Some(id(task)), "worker:test")
    }

    fn approved(sha: &str, task: u32) -> Event {
        let kind = EventKind::Approved {
            sha256: sha.into(),
            via: "cli".into(),
        };
        Event::new(kind, Some(id(task)), "cli:alice")
    }

    fn task(n: u32) -> Task {
        Task {
            id: id(n),
            title: "Reject port 0".into(),
            intent: crate::Intent::Fix,
            work: "parse_port accepts 0; make it return an error".into(),
            targets: vec!["src/config.rs".into()],
            repo: "/src/app".into(),
            base: "HEAD".into(),
            base_commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            checks: None,
            attempt: 1,
            created_at: chrono::Utc::now(),
            submitted_by: "cli:me".into(),
        }
    }

    fn submitted(t: &Task) -> Event {
        let kind = EventKind::TaskSubmitted {
            title: t.title.clone(),
            intent: t.intent.to_string(),
            targets: t.targets.clone(),
            repo: Some(t.repo.clone()),
            base_commit: t.base_commit.clone(),
            checks: t.checks.clone(),
        };
        Event::new(kind, Some(t.id), "cli:me")
    }

    fn record(sha: &str, task: u32) -> ApprovalRecord {
        ApprovalRecord {
            task_id: id(task),
            patch_sha256: sha.into(),
            by: "alice".into(),
            at: chrono::Utc::now(),
            via: "cli".into(),
        }
    }

    #[test]
    fn an_approval_counts_after_a_pass_of_the_same_bytes_for_the_same_task() {
        let log = [passed("aa", 1), approved("aa", 1)];
        let a = Audit::of(&log, id(1));
        assert_eq!(a.gated(), GatedPatch::One("aa"));
        assert!(a.confirms(id(1), &record("aa", 1)));
        assert!(!a.confirms(id(1), &record("bb", 1)), "other bytes");
        assert!(
            !a.confirms(id(1), &record("aa", 2)),
            "a record naming another task"
        );
        assert!(!Audit::of(&log, id(2)).confirms(id(2), &record("aa", 2)));
    }

    #[test]
    fn a_record_without_an_event_or_with_an_event_before_the_pass_is_not_an_approval() {
        assert!(!Audit::of(&[passed("aa", 1)], id(1)).confirms(id(1), &record("aa", 1)));
        // Written while the gate was running (by a check), before the worker logged the pass.
        let early = Audit::of(&[approved("aa", 1), passed("aa", 1)], id(1));
        assert!(!early.confirms(id(1), &record("aa", 1)));
        // Approving bytes the gate never passed.
        let other = Audit::of(&[passed("aa", 1), approved("bb", 1)], id(1));
        assert!(!other.confirms(id(1), &record("bb", 1)));
    }

    #[test]
    fn conflicting_or_missing_gate_hashes_name_no_patch() {
        assert_eq!(Audit::of(&[], id(1)).gated(), GatedPatch::Missing);
        assert_eq!(
            Audit::of(&[passed("", 1)], id(1)).gated(),
            GatedPatch::Missing,
            "a pass logged before hashes were recorded"
        );
        let two = [passed("aa", 1), passed("bb", 1)];
        assert_eq!(Audit::of(&two, id(1)).gated(), GatedPatch::Conflicting);
        let same = [passed("aa", 1), passed("aa", 1)];
        assert_eq!(Audit::of(&same, id(1)).gated(), GatedPatch::One("aa"));
    }

    #[test]
    fn a_task_file_is_believed_only_as_its_submission_recorded_it() {
        let t = task(1);
        let log = [submitted(&t), passed("aa", 1)];
        let audit = Audit::of(&log, id(1));
        assert_eq!(audit.task_as_submitted(&t), Ok(()));
        let mut later = t.clone();
        later.attempt = 3; // requeued: not something apply relies on
        assert_eq!(audit.task_as_submitted(&later), Ok(()));

        type Rewrite = fn(&mut Task);
        let rewrites: [(&str, Rewrite); 6] = [
            ("repo", |t| t.repo = "/elsewhere".into()),
            ("base_commit", |t| t.base_commit = Some("f".repeat(40))),
            ("targets", |t| t.targets.push("README.md".into())),
            ("checks", |t| t.checks = Some(vec!["true".into()])),
            ("title", |t| t.title = "Something else".into()),
            ("intent", |t| t.intent = crate::Intent::Chore),
        ];
        for (field, rewrite) in rewrites {
            let mut forged = t.clone();
            rewrite(&mut forged);
            assert_eq!(
                audit.task_as_submitted(&forged),
                Err(TaskMismatch::Differs(vec![field])),
                "{field}"
            );
        }
        let mut unborn = t.clone();
        unborn.base_commit = None;
        assert_eq!(
            audit.task_as_submitted(&unborn),
            Err(TaskMismatch::Differs(vec!["base_commit"]))
        );
        let unborn_audit = Audit::of(&[submitted(&unborn)], id(1));
        assert_eq!(unborn_audit.task_as_submitted(&unborn), Ok(()));
        assert!(unborn_audit.task_as_submitted(&t).is_err());
    }

    #[test]
    fn a_missing_old_or_conflicting_submission_names_no_task() {
        let t = task(1);
        assert_eq!(
            Audit::of(&[], id(1)).task_as_submitted(&t),
            Err(TaskMismatch::NotLogged)
        );
        assert_eq!(
            Audit::of(&[submitted(&t)], id(2)).task_as_submitted(&task(2)),
            Err(TaskMismatch::NotLogged),
            "another task's submission"
        );
        // Logged before the repository, base commit and checks were recorded.
        let old = Event::new(
            EventKind::TaskSubmitted {
                title: t.title.clone(),
                intent: "fix".into(),
                targets: t.targets.clone(),
                repo: None,
                base_commit: None,
                checks: None,
            },
            Some(id(1)),
            "cli:me",
        );
        let old_only = Audit::of(std::slice::from_ref(&old), id(1));
        assert_eq!(
            old_only.task_as_submitted(&t),
            Err(TaskMismatch::NotRecorded)
        );
        // An old-format event cannot loosen a recorded one.
        assert_eq!(
            Audit::of(&[submitted(&t), old], id(1)).task_as_submitted(&t),
            Ok(())
        );
        let mut forged = t.clone();
        forged.targets = vec!["README.md".into()];
        let two = [submitted(&t), submitted(&forged)];
        assert_eq!(
            Audit::of(&two, id(1)).task_as_submitted(&forged),
            Err(TaskMismatch::Conflicting)
        );
        let same = [submitted(&t), submitted(&t)];
        assert_eq!(Audit::of(&same, id(1)).task_as_submitted(&t), Ok(()));
    }

    #[test]
    fn old_submitted_events_still_decode() {
        let line = r#"{"id":"01J","ts":"2026-11-25T14:35:56.123456Z","type":"TASK_SUBMITTED","title":"t","intent":"fix","targets":["a"],"task_id":"T20261125-0001","actor":"cli:me"}"#;
        let ev: Event = serde_json::from_str(line).unwrap();
        let audit = Audit::of(&[ev], id(1));
        assert_eq!(audit.submitted.len(), 1);
        assert_eq!(audit.submitted[0].repo, None);
    }
}
