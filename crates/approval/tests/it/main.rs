//! approve / reject / apply against real git repositories and a real queue; gate-passed tasks are produced by
//! driving the queue directly (no model).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use approval::{ApplyOptions, Decider, Error, Identity, Via};
use queue_core::{EventKind, Intent, NewTask, Queue, QueueConfig, Report, TaskId};
use test_support::{TempRepo, snapshot};

const CONFIG_RS: &str = "pub fn parse_port(s: &str) -> Option<u16> {\n    let p: u16 = s.parse().ok()?;\n    Some(p)\n}\n";

const PATCH: &str = "diff --git a/src/config.rs b/src/config.rs
--- a/src/config.rs
+++ b/src/config.rs
@@ -1,4 +1,7 @@
 pub fn parse_port(s: &str) -> Option<u16> {
     let p: u16 = s.parse().ok()?;
+    if p == 0 {
+        return None;
+    }
     Some(p)
 }
";

struct Fixture {
    repo: TempRepo,
    _qdir: tempfile::TempDir,
    queue: Queue,
    base: String,
}

fn fixture() -> Fixture {
    let repo = TempRepo::with_files(&[("src/config.rs", CONFIG_RS), ("README.md", "demo\n")]);
    let qdir = tempfile::tempdir().unwrap();
    let queue = Queue::init(qdir.path().join("q"), QueueConfig::default()).unwrap();
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    Fixture {
        repo,
        _qdir: qdir,
        queue,
        base,
    }
}

impl Fixture {
    /// A task in `done/` with `patch` and a report whose verdict is `verdict` and whose hash is the patch's.
    fn task_with(&self, patch: &str, verdict: &str) -> TaskId {
        let task = self
            .queue
            .submit(
                NewTask {
                    title: "Reject port 0".into(),
                    intent: Intent::Fix,
                    work: "parse_port accepts 0; make it return None".into(),
                    targets: vec!["src/config.rs".into()],
                    repo: self.repo.path().to_path_buf(),
                    base: "HEAD".into(),
                    base_commit: Some(self.base.clone()),
                    checks: None,
                },
                "cli:test",
            )
            .unwrap();
        let claim = self.queue.claim("worker:test").unwrap().unwrap();
        assert_eq!(claim.task.id, task.id);
        std::fs::write(self.queue.result_path(task.id, "patch"), patch).unwrap();
        let report = Report {
            task_id: Some(task.id),
            backend: "ollama".into(),
            model: "fake".into(),
            files_changed: vec!["src/config.rs".into()],
            lines_added: 3,
            patch_sha256: approval::sha256_hex(patch.as_bytes()),
            gate_verdict: verdict.parse().unwrap(),
            ..Report::default()
        };
        std::fs::write(
            self.queue.result_path(task.id, "report.json"),
            serde_json::to_vec_pretty(&report).unwrap(),
        )
        .unwrap();
        // As the worker does: the hash of the bytes the gate judged goes into GATE_PASSED.
        self.queue
            .record(
                EventKind::GatePassed {
                    checks: vec![],
                    sha256: approval::sha256_hex(patch.as_bytes()),
                },
                Some(task.id),
                &claim.owner,
            )
            .unwrap();
        self.queue.complete(&claim, "GATE_PASSED").unwrap();
        task.id
    }

    fn passed(&self) -> TaskId {
        self.task_with(PATCH, "PASS")
    }

    fn opts(&self) -> ApplyOptions {
        ApplyOptions {
            to_worktree: false,
            committer: Identity {
                name: "Reviewer".into(),
                email: "reviewer@example.invalid".into(),
            },
            actor: "cli:tester".into(),
            repo: None,
        }
    }

    fn event_types(&self, id: TaskId) -> Vec<&'static str> {
        self.queue
            .log()
            .read()
            .unwrap()
            .events
            .iter()
            .filter(|e| e.task_id == Some(id))
            .map(|e| e.type_name())
            .collect()
    }
}

fn cli(by: &str) -> Decider {
    Decider {
        by: by.into(),
        via: Via::Cli,
    }
}

#[test]
fn approved_patch_is_committed_on_its_branch_from_the_base_without_touching_the_work_tree() {
    let f = fixture();
    let id = f.passed();
    // The user keeps working: an uncommitted edit, a staged file and a new commit on main.
    f.repo.write("notes.txt", "staged\n");
    f.repo.git(&["add", "notes.txt"]);
    f.repo.git(&["commit", "-qm", "later work"]);
    f.repo.write("README.md", "uncommitted edit\n");
    f.repo.write("scratch.txt", "untracked\n");
    f.repo.write("notes.txt", "staged v2\n");
    f.repo.git(&["add", "notes.txt"]);
    let before = snapshot(f.repo.path());
    let head_before = f.repo.git(&["rev-parse", "HEAD"]);

    let d = approval::approve(&f.queue, id, &cli("alice")).unwrap();
    assert!(d.newly);
    assert_eq!(
        d.record.patch_sha256,
        approval::sha256_hex(PATCH.as_bytes())
    );
    assert_eq!(d.record.by, "alice");
    assert_eq!(d.record.via, "cli");
    assert!(f.queue.approval_path(id).exists());

    let applied = approval::apply(&f.queue, id, &f.opts()).unwrap();
    assert!(applied.newly);
    assert_eq!(applied.branch, format!("autodev/{id}"));

    assert_eq!(
        snapshot(f.repo.path()),
        before,
        "work tree, index or HEAD changed"
    );
    assert_eq!(f.repo.git(&["rev-parse", "HEAD"]), head_before);
    let tip = f.repo.git(&["rev-parse", &format!("autodev/{id}")]);
    assert_eq!(tip.trim(), applied.commit);
    let parent = f.repo.git(&["rev-parse", &format!("autodev/{id}^")]);
    assert_eq!(
        parent.trim(),
        f.base,
        "the branch starts at task.base_commit"
    );
    let msg = f.repo.git(&["log", "-1", "--format=%B", &applied.commit]);
    assert!(msg.starts_with("Reject port 0\n"), "{msg}");
    assert!(msg.contains(&format!("Autodev-Task: {id}")), "{msg}");
    let who = f
        .repo
        .git(&["log", "-1", "--format=%cn <%ce>|%an", &applied.commit]);
    assert_eq!(who.trim(), "Reviewer <reviewer@example.invalid>|Reviewer");
    let file = f
        .repo
        .git(&["show", &format!("{}:src/config.rs", applied.commit)]);
    assert!(file.contains("if p == 0"), "{file}");
    // Only the patch: the later commit's file is not on the branch.
    assert!(
        f.repo
            .git(&["ls-tree", "--name-only", &applied.commit])
            .lines()
            .all(|l| l != "notes.txt")
    );
    assert_eq!(
        f.event_types(id),
        [
            "TASK_SUBMITTED",
            "TASK_CLAIMED",
            "GATE_PASSED",
            "TASK_COMPLETED",
            "APPROVED",
            "APPLIED"
        ]
    );
    assert_eq!(
        f.queue.status_of(id).unwrap().state,
        queue_core::TaskState::Applied
    );
}

#[test]
fn applying_twice_reports_the_same_commit_and_logs_once() {
    let f = fixture();
    let id = f.passed();
    approval::approve(&f.queue, id, &cli("alice")).unwrap();
    let first = approval::apply(&f.queue, id, &f.opts()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100)); // a new commit would get another timestamp
    let second = approval::apply(&f.queue, id, &f.opts()).unwrap();
    assert!(!second.newly);
    assert_eq!(second.commit, first.commit);
    let applied = f
        .event_types(id)
        .iter()
        .filter(|t| **t == "APPLIED")
        .count();
    assert_eq!(applied, 1);
    let count = f
        .repo
        .git(&["rev-list", "--count", &format!("autodev/{id}")]);
    assert_eq!(count.trim(), "2");
}

#[test]
fn tampered_patch_is_refused_and_nothing_is_committed() {
    let f = fixture();
    let id = f.passed();
    approval::approve(&f.queue, id, &cli("alice")).unwrap();
    let tampered = PATCH.replace("return None;", "std::process::exit(1);");
    std::fs::write(f.queue.result_path(id, "patch"), tampered).unwrap();
    let err = approval::apply(&f.queue, id, &f.opts()).unwrap_err();
    assert_eq!(err.code(), "PATCH_NOT_GATED", "{err}");
    assert!(err.to_string().contains("rewritten after"), "{err}");
    assert_eq!(err.exit_code(), 1);
    assert!(
        !f.repo
            .git(&["branch", "--list"])
            .contains(&format!("autodev/{id}"))
    );
    assert!(!f.event_types(id).contains(&"APPLIED"));
}

#[test]
fn patch_changed_before_approval_is_refused() {
    let f = fixture();
    let id = f.passed();
    std::fs::write(f.queue.result_path(id, "patch"), format!("{PATCH}\n")).unwrap();
    let err = approval::approve(&f.queue, id, &cli("alice")).unwrap_err();
    assert_eq!(err.code(), "PATCH_NOT_GATED");
    assert!(!f.queue.approval_path(id).exists());
    assert!(!f.event_types(id).contains(&"APPROVED"));
}

#[test]
fn a_report_that_names_other_bytes_than_the_gate_is_refused() {
    let f = fixture();
    let id = f.passed();
    let path = f.queue.result_path(id, "report.json");
    let mut report: Report = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    report.patch_sha256 = approval::sha256_hex(b"other bytes");
    std::fs::write(&path, serde_json::to_vec(&report).unwrap()).unwrap();
    let err = approval::approve(&f.queue, id, &cli("alice")).unwrap_err();
    assert_eq!(err.code(), "APPROVAL_HASH_MISMATCH", "{err}");
    assert!(!f.queue.approval_path(id).exists());
}

/// An approval record as a hostile process writes it: valid JSON with the right hash, but no `approve` behind it.
fn forge_approval(f: &Fixture, id: TaskId, sha256: &str) {
    let record = queue_core::ApprovalRecord {
        task_id: id,
        patch_sha256: sha256.into(),
        by: "alice".into(),
        at: chrono::Utc::now(),
        via: "cli".into(),
    };
    let path = f.queue.approval_path(id);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_vec_pretty(&record).unwrap()).unwrap();
}

#[test]
fn an_approval_record_the_log_does_not_confirm_is_not_an_approval() {
    let f = fixture();
    let id = f.passed();
    forge_approval(&f, id, &approval::sha256_hex(PATCH.as_bytes()));

    assert_eq!(
        f.queue.status_of(id).unwrap().state,
        queue_core::TaskState::Done
    );
    assert_eq!(
        code(approval::confirmed(&f.queue, id)),
        "APPROVAL_NOT_IN_LOG"
    );
    let err = approval::apply(&f.queue, id, &f.opts()).unwrap_err();
    assert_eq!(err.code(), "APPROVAL_NOT_IN_LOG", "{err}");
    assert_eq!(err.exit_code(), 1);
    // approve does not say "already approved", and does not approve over it either: the patch's own checks
    // probably wrote it.
    let err = approval::approve(&f.queue, id, &cli("alice")).unwrap_err();
    assert_eq!(err.code(), "APPROVAL_NOT_IN_LOG", "{err}");
    assert!(err.to_string().contains("autodev reject"), "{err}");
    assert!(!f.event_types(id).contains(&"APPROVED"));
    assert!(!f.repo.git(&["branch", "--list"]).contains("autodev/"));
    // Rejecting stays possible.
    assert!(
        approval::reject(&f.queue, id, &cli("alice"), "forged approval")
            .unwrap()
            .newly
    );
    assert_eq!(
        f.queue.status_of(id).unwrap().state,
        queue_core::TaskState::Rejected
    );

    // An undecodable record does not count either.
    let other = f.passed();
    std::fs::write(f.queue.approval_path(other), b"{\"approved\": true}").unwrap();
    assert_eq!(
        code(approval::apply(&f.queue, other, &f.opts())),
        "APPROVAL_NOT_IN_LOG"
    );
}

#[test]
fn an_approved_event_without_its_record_is_repaired_by_approving_again() {
    let f = fixture();
    let id = f.passed();
    let sha = approval::sha256_hex(PATCH.as_bytes());
    // approve died between logging APPROVED and writing the record.
    let kind = EventKind::Approved {
        sha256: sha,
        via: "cli".into(),
    };
    f.queue.record(kind, Some(id), "cli:alice").unwrap();
    assert_eq!(
        f.queue.status_of(id).unwrap().state,
        queue_core::TaskState::Done
    );
    assert_eq!(
        code(approval::apply(&f.queue, id, &f.opts())),
        "NOT_APPROVED"
    );
    assert!(
        approval::approve(&f.queue, id, &cli("alice"))
            .unwrap()
            .newly
    );
    assert_eq!(
        f.queue.status_of(id).unwrap().state,
        queue_core::TaskState::Approved
    );
    assert!(approval::apply(&f.queue, id, &f.opts()).unwrap().newly);
}

#[test]
fn a_second_gate_passed_naming_other_bytes_is_not_believed() {
    let f = fixture();
    let id = f.passed();
    approval::approve(&f.queue, id, &cli("alice")).unwrap();
    // A process appends a GATE_PASSED of its own for the bytes it swaps in.
    let swapped = PATCH.replace("return None;", "return Some(1);");
    let sha = approval::sha256_hex(swapped.as_bytes());
    std::fs::write(f.queue.result_path(id, "patch"), &swapped).unwrap();
    let kind = EventKind::GatePassed {
        checks: vec![],
        sha256: sha,
    };
    f.queue.record(kind, Some(id), "worker:test").unwrap();
    let err = approval::apply(&f.queue, id, &f.opts()).unwrap_err();
    assert_eq!(err.code(), "PATCH_NOT_GATED", "{err}");
    assert!(err.to_string().contains("different patches"), "{err}");
    assert!(!f.repo.git(&["branch", "--list"]).contains("autodev/"));
}

fn code<T: std::fmt::Debug>(r: Result<T, Error>) -> &'static str {
    r.unwrap_err().code()
}

#[test]
fn refusals_have_stable_codes() {
    let f = fixture();
    let unknown: TaskId = "T20991231-0001".parse().unwrap();
    assert_eq!(
        code(approval::approve(&f.queue, unknown, &cli("a"))),
        "TASK_UNKNOWN"
    );
    assert_eq!(
        code(approval::apply(&f.queue, unknown, &f.opts())),
        "TASK_UNKNOWN"
    );

    let failed_gate = f.task_with(PATCH, "FAIL");
    assert_eq!(
        code(approval::approve(&f.queue, failed_gate, &cli("a"))),
        "NOT_GATE_PASSED"
    );
    assert_eq!(
        code(approval::reject(&f.queue, failed_gate, &cli("a"), "no")),
        "NOT_GATE_PASSED"
    );

    let id = f.passed();
    assert_eq!(
        code(approval::apply(&f.queue, id, &f.opts())),
        "NOT_APPROVED"
    );
    let first = approval::approve(&f.queue, id, &cli("a")).unwrap();
    let again = approval::approve(&f.queue, id, &cli("b")).unwrap();
    assert!(!again.newly, "re-approving the same bytes is a no-op");
    assert_eq!(again.record, first.record);
    assert_eq!(
        code(approval::reject(&f.queue, id, &cli("b"), "changed my mind")),
        "ALREADY_APPROVED"
    );

    let rejected = f.passed();
    let r = approval::reject(&f.queue, rejected, &cli("a"), "wrong approach").unwrap();
    assert!(r.newly);
    assert!(
        !approval::reject(&f.queue, rejected, &cli("a"), "x")
            .unwrap()
            .newly
    );
    let err = approval::approve(&f.queue, rejected, &cli("a")).unwrap_err();
    assert_eq!(err.code(), "ALREADY_REJECTED");
    assert!(err.to_string().contains("wrong approach"), "{err}");
    assert_eq!(
        code(approval::apply(&f.queue, rejected, &f.opts())),
        "ALREADY_REJECTED"
    );
    assert_eq!(
        f.event_types(rejected).last().copied(),
        Some("REJECTED"),
        "one REJECTED event"
    );

    // A pending task is not gate-passed either.
    let pending = f
        .queue
        .submit(
            NewTask {
                title: "t".into(),
                intent: Intent::Fix,
                work: "some work to do here".into(),
                targets: vec!["a".into()],
                repo: f.repo.path().to_path_buf(),
                base: "HEAD".into(),
                base_commit: Some(f.base.clone()),
                checks: None,
            },
            "cli:t",
        )
        .unwrap();
    let err = approval::approve(&f.queue, pending.id, &cli("a")).unwrap_err();
    assert_eq!(err.code(), "NOT_GATE_PASSED");
    assert!(err.to_string().contains("pending"), "{err}");
}

#[test]
fn a_foreign_branch_is_not_overwritten() {
    let f = fixture();
    let id = f.passed();
    approval::approve(&f.queue, id, &cli("a")).unwrap();
    f.repo.git(&["branch", &format!("autodev/{id}")]);
    let err = approval::apply(&f.queue, id, &f.opts()).unwrap_err();
    assert_eq!(err.code(), "BRANCH_EXISTS", "{err}");
    let tip = f.repo.git(&["rev-parse", &format!("autodev/{id}")]);
    assert_eq!(tip.trim(), f.base, "the branch was left alone");
}

#[test]
fn a_patch_that_no_longer_applies_is_refused() {
    let f = fixture();
    let id = f.task_with(&PATCH.replace("let p: u16", "let q: u16"), "PASS");
    approval::approve(&f.queue, id, &cli("a")).unwrap();
    let err = approval::apply(&f.queue, id, &f.opts()).unwrap_err();
    assert_eq!(err.code(), "PATCH_DOES_NOT_APPLY", "{err}");
    assert_eq!(err.exit_code(), 1);
}

#[test]
fn to_worktree_applies_all_or_nothing_and_is_idempotent() {
    let f = fixture();
    let id = f.passed();
    approval::approve(&f.queue, id, &cli("a")).unwrap();
    let opts = ApplyOptions {
        to_worktree: true,
        ..f.opts()
    };
    // A conflicting local edit: refused, nothing written.
    f.repo.write("src/config.rs", "// mine\n");
    let before = snapshot(f.repo.path());
    let err = approval::apply(&f.queue, id, &opts).unwrap_err();
    assert_eq!(err.code(), "PATCH_DOES_NOT_APPLY");
    assert_eq!(snapshot(f.repo.path()), before);

    f.repo.write("src/config.rs", CONFIG_RS);
    let a = approval::apply(&f.queue, id, &opts).unwrap();
    assert!(a.newly);
    assert_eq!(a.branch, "worktree");
    let text = std::fs::read_to_string(f.repo.path().join("src/config.rs")).unwrap();
    assert!(text.contains("if p == 0"));
    let b = approval::apply(&f.queue, id, &opts).unwrap();
    assert!(!b.newly);
    let events = f.queue.log().read().unwrap().events;
    let applied = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Applied { .. }))
        .count();
    assert_eq!(applied, 1);
}
