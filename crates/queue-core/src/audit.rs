//! What the audit log says about one task's gate pass and approval.
//!
//! `results/` and `approved/` are plain files that anything running as the queue's user can write, including a
//! check the gate runs on a model's patch. They are only believed when the log agrees: the patch bytes must be the
//! ones a `GATE_PASSED` event names, and an approval record must match an `APPROVED` event for the same task and
//! sha256 that comes after that pass. Forging an approval therefore takes both the file and the log; the log itself
//! is protected only by the sandbox that keeps checks away from the queue (see ARCHITECTURE.md).

use crate::{ApprovalRecord, Event, EventKind, TaskId};

/// The gate passes and approvals the log records for one task, in log order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audit {
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
}
