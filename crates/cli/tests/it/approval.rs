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
    gate_passed_task_with(repo, PATCH)
}

/// [`gate_passed_task`] with the gate having passed `patch` (targets: `src/config.rs`).
fn gate_passed_task_with(repo: &TempRepo, patch: &str) -> String {
    gate_passed_task_as(repo, "Reject port 0", patch, |_| {})
}

/// [`gate_passed_task`] with the task's `title`, the gate having passed `patch`, and the worker's report as
/// `edit` leaves it.
pub(crate) fn gate_passed_task_as(
    repo: &TempRepo,
    title: &str,
    patch: &str,
    edit: impl FnOnce(&mut Report),
) -> String {
    let r = autodev(
        repo.path(),
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "--title",
            title,
            "-w",
            "parse_port accepts 0; make it return None",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = r.stdout.trim().to_string();
    let queue = Queue::open(queue_dir(repo)).unwrap();
    let claim = queue.claim("worker:test").unwrap().expect("a pending task");
    assert_eq!(claim.task.id.to_string(), id);
    std::fs::write(queue.result_path(claim.task.id, "patch"), patch).unwrap();
    let mut report = Report {
        task_id: Some(claim.task.id),
        backend: "ollama".into(),
        model: "fake".into(),
        files_changed: vec!["src/config.rs".into()],
        lines_added: 1,
        lines_removed: 0,
        patch_sha256: approval::sha256_hex(patch.as_bytes()),
        gate_verdict: queue_core::report::GateVerdict::Pass,
        summary: Some("parse_port now refuses port 0".into()),
        ..Report::default()
    };
    edit(&mut report);
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
                sha256: approval::sha256_hex(patch.as_bytes()),
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

/// Rewrites the task file in `done/` the way a hostile check could: plain file writes, valid JSON.
fn rewrite_task(repo: &TempRepo, id: &str, rewrite: impl FnOnce(&mut serde_json::Value)) {
    let path = queue_dir(repo).join(format!("done/{id}.json"));
    let mut task: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    rewrite(&mut task);
    std::fs::write(&path, serde_json::to_vec_pretty(&task).unwrap()).unwrap();
}

/// A change to README.md: not protected, but outside the task's targets (`src/config.rs`).
const README_PATCH: &str = "diff --git a/README.md b/README.md
--- a/README.md
+++ b/README.md
@@ -1 +1 @@
-demo
+rewritten by a task about src/config.rs
";

/// Attack: the task file's `targets` are widened to cover what the patch touches (a check of another task can
/// rewrite a pending task's file before the worker gates it, or a done task's file before apply judges it again).
#[test]
fn a_task_file_with_rewritten_targets_is_neither_approved_nor_applied() {
    let repo = ready_repo();
    let widen = |t: &mut serde_json::Value| {
        t["targets"] = serde_json::json!(["src/config.rs", "README.md"]);
    };

    // Approved before the rewrite: apply refuses, whatever the task file now says.
    let id = gate_passed_task_with(&repo, README_PATCH);
    let r = autodev(repo.path(), &["approve", &id, "--by", "alice"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Untouched, the task's own targets refuse the patch: the rewrite is what the attack needs.
    let r = autodev(repo.path(), &["apply", &id]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.starts_with("APPLY_POLICY_REFUSED: "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("POLICY_OUTSIDE_TARGETS"), "{}", r.stderr);
    rewrite_task(&repo, &id, widen);
    for args in [vec!["apply", &id], vec!["apply", &id, "--to-worktree"]] {
        let r = autodev(repo.path(), &args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stdout);
        assert!(
            r.stderr.starts_with("TASK_NOT_AS_SUBMITTED: "),
            "{args:?}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("targets"), "{}", r.stderr);
    }
    assert!(!branches(&repo).contains("autodev/"), "no branch created");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("README.md")).unwrap(),
        "demo\n"
    );
    assert!(!log_types(&repo, &id).contains(&"APPLIED".to_string()));
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done", "{st}");
    assert!(st.get("approval").is_none(), "{st}");
    assert!(st["task_not_as_submitted"].is_string(), "{st}");
    let r = autodev(repo.path(), &["status", &id]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("TASK_NOT_AS_SUBMITTED"), "{}", r.stderr);

    // Rewritten before anyone approved: approve refuses, reject still works.
    let other = gate_passed_task_with(&repo, README_PATCH);
    rewrite_task(&repo, &other, widen);
    let r = autodev(repo.path(), &["approve", &other]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.starts_with("TASK_NOT_AS_SUBMITTED: "),
        "{}",
        r.stderr
    );
    assert!(!log_types(&repo, &other).contains(&"APPROVED".to_string()));
    let r = autodev(repo.path(), &["reject", &other, "--reason", "rewritten"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A patch that makes `src/config.rs` executable, which the default policy refuses.
const EXEC_PATCH: &str = "diff --git a/src/config.rs b/src/config.rs
old mode 100644
new mode 100755
";

/// A commit after `HEAD` (not on any branch) whose `.autodev_ssot/policy.toml` allows executable files.
fn looser_policy_commit(repo: &TempRepo) -> String {
    let outside = tempfile::tempdir().unwrap();
    let policy = outside.path().join("policy.toml");
    std::fs::write(&policy, "[allow]\nexecutable = true\n").unwrap();
    let index = outside.path().join("index");
    let git = |args: &[&str]| {
        let out = test_support::git_command(repo.path())
            .env("GIT_INDEX_FILE", &index)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let blob = git(&["hash-object", "-w", policy.to_str().unwrap()]);
    git(&["read-tree", "HEAD"]);
    let info = format!("100644,{blob},.autodev_ssot/policy.toml");
    git(&["update-index", "--add", "--cacheinfo", &info]);
    let tree = git(&["write-tree"]);
    git(&[
        "commit-tree",
        &tree,
        "-p",
        "HEAD",
        "-m",
        "loosen the policy",
    ])
}

/// Attack: the task file's `base_commit` is moved to a commit whose policy allows more, so the re-judgement at
/// "the base" reads the looser policy (and the commit is built on it).
#[test]
fn a_task_file_with_a_rewritten_base_commit_is_not_applied() {
    let repo = ready_repo();
    let loose = looser_policy_commit(&repo);
    let id = gate_passed_task_with(&repo, EXEC_PATCH);
    let r = autodev(repo.path(), &["approve", &id, "--by", "alice"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // At the real base the policy refuses the patch: the rewrite is what the attack needs.
    let r = autodev(repo.path(), &["apply", &id]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.starts_with("APPLY_POLICY_REFUSED: "),
        "{}",
        r.stderr
    );

    rewrite_task(&repo, &id, |t| t["base_commit"] = loose.as_str().into());
    let r = autodev(repo.path(), &["apply", &id]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.starts_with("TASK_NOT_AS_SUBMITTED: "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("base_commit"), "{}", r.stderr);
    assert!(!branches(&repo).contains("autodev/"), "no branch created");
    assert!(!log_types(&repo, &id).contains(&"APPLIED".to_string()));
}

/// Attack: the task file's `repo` points at another repository, so apply would commit there.
#[test]
fn a_task_file_pointing_at_another_repository_is_not_applied() {
    let repo = ready_repo();
    let elsewhere = TempRepo::with_files(&[(
        "src/config.rs",
        "pub fn parse_port(s: &str) -> Option<u16> { s.parse().ok() }\n",
    )]);
    let id = gate_passed_task(&repo);
    let r = autodev(repo.path(), &["approve", &id, "--by", "alice"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let head = elsewhere.git(&["rev-parse", "HEAD"]).trim().to_string();
    let mut submitted = serde_json::Value::Null;
    rewrite_task(&repo, &id, |t| {
        submitted = t.clone();
        t["repo"] = elsewhere.path().to_str().unwrap().into();
        t["base_commit"] = head.as_str().into();
    });
    let r = autodev(repo.path(), &["apply", &id]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.starts_with("TASK_NOT_AS_SUBMITTED: "),
        "{}",
        r.stderr
    );
    assert!(
        !branches(&elsewhere).contains("autodev/"),
        "no branch there"
    );

    // Put back as submitted, the same task applies: the refusal was about the rewrite alone.
    rewrite_task(&repo, &id, |t| *t = submitted);
    let r = autodev(repo.path(), &["apply", &id]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(branches(&repo).contains(&format!("autodev/{id}")));
}
