//! `autodev approve|reject|apply`: gate-passed tasks are produced by driving the queue directly (no model).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use queue_core::{EventKind, Queue, Report};
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
    // As the worker does: the hash of the bytes the gate judged goes into GATE_PASSED.
    queue
        .record(
            EventKind::GatePassed {
                checks: vec![],
                sha256: approval::sha256_hex(PATCH.as_bytes()),
            },
            Some(claim.task.id),
            &claim.owner,
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
    assert!(r.stderr.starts_with("PATCH_NOT_GATED: "), "{}", r.stderr);
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

/// Writes `approved/<id>.approved.json` the way a hostile check could: plain file writes, the right hash, valid JSON.
fn forge_approval(repo: &TempRepo, id: &str, sha256: &str) {
    let dir = queue_dir(repo).join("approved");
    std::fs::create_dir_all(&dir).unwrap();
    let record = serde_json::json!({
        "task_id": id, "patch_sha256": sha256, "by": "tester", "at": "2026-11-25T14:35:56.123456Z", "via": "cli"
    });
    std::fs::write(
        dir.join(format!("{id}.approved.json")),
        serde_json::to_vec_pretty(&record).unwrap(),
    )
    .unwrap();
}

fn branches(repo: &TempRepo) -> String {
    repo.git(&["branch", "--list"])
}

fn log_types(repo: &TempRepo, id: &str) -> Vec<String> {
    crate::worker::events(repo)
        .into_iter()
        .filter(|e| e["task_id"] == id)
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

/// Attack: a check wrote `approved/<id>.approved.json` with the patch's sha256 (no `autodev approve`).
#[test]
fn an_approval_file_without_its_log_event_is_not_an_approval() {
    let repo = ready_repo();
    let id = gate_passed_task(&repo);
    forge_approval(&repo, &id, &approval::sha256_hex(PATCH.as_bytes()));

    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done", "{st}");
    assert!(st.get("approval").is_none(), "{st}");
    assert!(st["unlogged_approval"].is_string(), "{st}");
    let r = autodev(repo.path(), &["status", &id]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("state     done"), "{}", r.stdout);
    assert!(r.stderr.contains("APPROVAL_NOT_IN_LOG"), "{}", r.stderr);
    let all = autodev(repo.path(), &["status", "--json"]).json();
    assert_eq!(all["counts"]["approved"], serde_json::Value::Null, "{all}");

    let r = autodev(repo.path(), &["apply", &id]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("APPROVAL_NOT_IN_LOG: "),
        "{}",
        r.stderr
    );
    assert!(!branches(&repo).contains("autodev/"), "no branch created");

    let r = autodev(repo.path(), &["approve", &id]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.starts_with("APPROVAL_NOT_IN_LOG: "),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("already approved"), "{}", r.stdout);
    assert!(!log_types(&repo, &id).contains(&"APPROVED".to_string()));

    // The way out the message names works.
    let r = autodev(
        repo.path(),
        &["reject", &id, "--reason", "its checks forged an approval"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "rejected", "{st}");
}

/// A patch that writes the gate's own configuration, which the default policy protects.
const GATE_TOML_PATCH: &str = "diff --git a/.autodev_ssot/gate.toml b/.autodev_ssot/gate.toml
new file mode 100644
--- /dev/null
+++ b/.autodev_ssot/gate.toml
@@ -0,0 +1,3 @@
+[[check]]
+name = \"nothing\"
+command = \"true\"
";

/// Attack: after a real approval, swap the patch for a protected-path edit and fix the report's and the approval
/// record's sha256 to match. Returns (old sha256, new sha256).
fn swap_patch_after_approval(repo: &TempRepo, id: &str) -> (String, String) {
    let r = autodev(repo.path(), &["approve", id, "--by", "alice"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let q = queue_dir(repo);
    let old = approval::sha256_hex(PATCH.as_bytes());
    let new = approval::sha256_hex(GATE_TOML_PATCH.as_bytes());
    std::fs::write(q.join(format!("results/{id}.patch")), GATE_TOML_PATCH).unwrap();
    for file in [
        q.join(format!("results/{id}.report.json")),
        q.join(format!("approved/{id}.approved.json")),
    ] {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(&old), "{}", file.display());
        std::fs::write(&file, text.replace(&old, &new)).unwrap();
    }
    (old, new)
}

#[test]
fn a_patch_swapped_after_approval_is_refused_because_the_gate_passed_other_bytes() {
    let repo = ready_repo();
    let id = gate_passed_task(&repo);
    swap_patch_after_approval(&repo, &id);

    let r = autodev(repo.path(), &["apply", &id]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.starts_with("PATCH_NOT_GATED: "), "{}", r.stderr);
    let r = autodev(repo.path(), &["apply", &id, "--to-worktree"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.starts_with("PATCH_NOT_GATED: "), "{}", r.stderr);
    assert!(!branches(&repo).contains("autodev/"), "no branch created");
    assert!(!log_types(&repo, &id).contains(&"APPLIED".to_string()));
}

#[test]
fn a_swapped_patch_with_a_rewritten_log_is_still_refused_by_the_policy_at_the_base() {
    let repo = ready_repo();
    let id = gate_passed_task(&repo);
    let (old, new) = swap_patch_after_approval(&repo, &id);
    // The attacker rewrites the log too, so every record agrees on the new bytes.
    let log = queue_dir(&repo).join("events.ndjson");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains(&old));
    std::fs::write(&log, text.replace(&old, &new)).unwrap();
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "approved", "every record agrees: {st}");

    let r = autodev(repo.path(), &["apply", &id]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.starts_with("APPLY_POLICY_REFUSED: "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("POLICY_PROTECTED_PATH"), "{}", r.stderr);
    assert!(!branches(&repo).contains("autodev/"), "no branch created");
    assert!(!log_types(&repo, &id).contains(&"APPLIED".to_string()));
}
