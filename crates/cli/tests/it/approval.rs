//! `autodev approve|reject|apply`: gate-passed tasks are produced by driving the queue directly (no model).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use queue_core::{Queue, Report};
use test_support::{TempRepo, snapshot};

use crate::{autodev, queue_dir, ready_repo};

pub(crate) const PATCH: &str = "diff --git a/src/config.rs b/src/config.rs
--- a/src/config.rs
+++ b/src/config.rs
@@ -1 +1,2 @@
 pub fn parse_port(s: &str) -> Option<u16> { s.parse().ok() }
+// port 0 is refused by the caller
";

/// Submits a task with the CLI, then claims it, writes `PATCH` and a PASS report, and completes it as a worker
/// would. Returns the id.
pub(crate) fn gate_passed_task(repo: &TempRepo) -> String {
    let r = autodev(
        repo.path(),
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "--title",
            "Reject port 0",
            "-w",
            "parse_port accepts 0; make it return None",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = r.stdout.trim().to_string();
    let queue = Queue::open(queue_dir(repo)).unwrap();
    let claim = queue.claim("worker:test").unwrap().expect("a pending task");
    assert_eq!(claim.task.id.to_string(), id);
    std::fs::write(queue.result_path(claim.task.id, "patch"), PATCH).unwrap();
    let report = Report {
        task_id: Some(claim.task.id),
        backend: "ollama".into(),
        model: "fake".into(),
        files_changed: vec!["src/config.rs".into()],
        lines_added: 1,
        lines_removed: 0,
        patch_sha256: approval::sha256_hex(PATCH.as_bytes()),
        gate_verdict: "PASS".into(),
        ..Report::default()
    };
    std::fs::write(
        queue.result_path(claim.task.id, "report.json"),
        serde_json::to_vec_pretty(&report).unwrap(),
    )
    .unwrap();
    queue.complete(&claim, "GATE_PASSED").unwrap();
    id
}

/// The work tree byte for byte, without the queue (which autodev is meant to write to).
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    snapshot(root)
        .into_iter()
        .filter(|(p, _)| !p.starts_with(".autodev_queue"))
        .collect()
}

#[test]
fn approve_then_apply_commits_on_the_branch_and_leaves_the_checkout_alone() {
    let repo = ready_repo();
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let id = gate_passed_task(&repo);
    repo.write("README.md", "my uncommitted edit\n");
    repo.write("src/config.rs", "// local experiment\n");
    let before = tree(repo.path());

    let r = autodev(repo.path(), &["approve", &id, "--by", "alice"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("approved"), "{}", r.stdout);
    let rec: serde_json::Value = serde_json::from_slice(
        &std::fs::read(queue_dir(&repo).join(format!("approved/{id}.approved.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(rec["by"], "alice");
    assert_eq!(rec["via"], "cli");
    assert_eq!(rec["patch_sha256"], approval::sha256_hex(PATCH.as_bytes()));
    assert_eq!(
        autodev(repo.path(), &["approve", &id]).code,
        0,
        "re-approval is fine"
    );

    let r = autodev(
        repo.path(),
        &[
            "apply",
            &id,
            "--json",
            "--committer-name",
            "Rev",
            "--committer-email",
            "rev@example.invalid",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = r.json();
    let commit = out["commit"].as_str().unwrap().to_string();
    assert_eq!(out["branch"], format!("autodev/{id}"));
    assert_eq!(out["newly"], true);
    assert_eq!(tree(repo.path()), before, "apply touched the checkout");

    let r2 = autodev(repo.path(), &["apply", &id, "--json"]).json();
    assert_eq!(
        r2["commit"],
        commit.as_str(),
        "applying twice makes no second commit"
    );
    assert_eq!(r2["newly"], false);

    let parent = repo.git(&["rev-parse", &format!("autodev/{id}^")]);
    assert_eq!(parent.trim(), base);
    let msg = repo.git(&[
        "log",
        "-1",
        "--format=%s%n%b%n%cn",
        &format!("autodev/{id}"),
    ]);
    assert!(msg.starts_with("Reject port 0\n"), "{msg}");
    assert!(msg.contains(&format!("Autodev-Task: {id}")), "{msg}");
    assert!(msg.trim_end().ends_with("Rev"), "{msg}");
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "applied");
    let events = std::fs::read_to_string(queue_dir(&repo).join("events.ndjson")).unwrap();
    assert_eq!(events.matches(r#""type":"APPROVED""#).count(), 1);
    assert_eq!(events.matches(r#""type":"APPLIED""#).count(), 1);
}

#[test]
fn refusals_print_a_code_and_exit_1() {
    let repo = ready_repo();
    let id = gate_passed_task(&repo);
    let r = autodev(repo.path(), &["apply", &id]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.starts_with("NOT_APPROVED: "), "{}", r.stderr);

    let unknown = format!("T{}-0099", crate::today());
    let r = autodev(repo.path(), &["approve", &unknown]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("TASK_UNKNOWN"), "{}", r.stderr);

    assert_eq!(autodev(repo.path(), &["approve", &id]).code, 0);
    let patch = queue_dir(&repo).join(format!("results/{id}.patch"));
    std::fs::write(&patch, PATCH.replace("refused by the caller", "fine")).unwrap();
    let r = autodev(repo.path(), &["apply", &id]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("APPROVAL_HASH_MISMATCH"), "{}", r.stderr);
    assert!(
        !repo.git(&["branch"]).contains("autodev/"),
        "nothing committed"
    );
    let r = autodev(repo.path(), &["reject", &id, "--reason", "late"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("ALREADY_APPROVED"), "{}", r.stderr);

    let other = gate_passed_task(&repo);
    let r = autodev(
        repo.path(),
        &["reject", &other, "--reason", "wrong approach"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = autodev(repo.path(), &["approve", &other]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("ALREADY_REJECTED"), "{}", r.stderr);

    let pending = autodev(
        repo.path(),
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "-w",
            "one more change to make here",
        ],
    );
    let r = autodev(repo.path(), &["approve", pending.stdout.trim()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("NOT_GATE_PASSED"), "{}", r.stderr);
}
