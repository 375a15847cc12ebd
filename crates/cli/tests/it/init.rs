//! `autodev init` and the first submission in a fresh repository.

use std::process::Command;

use test_support::{TempRepo, snapshot};

use crate::{autodev, queue_dir, ready_repo, today};

#[test]
fn empty_repo_init_submit_status_shows_first_task() {
    // A repository with no commits at all, as right after `git init`.
    let dir = TempRepo::plain_dir();
    assert!(
        Command::new("git")
            .args(["init", "-q"])
            .current_dir(dir.path())
            .status()
            .unwrap()
            .success()
    );
    let template = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/task_template.json"
    );

    let init = autodev(dir.path(), &["init"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let sub = autodev(dir.path(), &["submit", template]);
    assert_eq!(sub.code, 0, "{}", sub.stderr);
    let id = format!("T{}-0001", today());
    assert_eq!(sub.stdout.trim(), id);

    let st = autodev(dir.path(), &["status", "--json"]);
    assert_eq!(st.code, 0, "{}", st.stderr);
    let v = st.json();
    assert_eq!(v["tasks"][0]["id"], id.as_str());
    assert_eq!(v["tasks"][0]["state"], "pending");
    assert_eq!(v["tasks"][0]["attempts"], 0);

    let one = autodev(dir.path(), &["status", &id, "--json"]).json();
    assert_eq!(one["id"], id.as_str());
    assert_eq!(one["state"], "pending");

    let log = std::fs::read_to_string(dir.path().join(".autodev_queue/events.ndjson")).unwrap();
    let first: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(first["type"], "TASK_SUBMITTED");
    assert_eq!(first["task_id"], id.as_str());
    assert_eq!(first["actor"], "cli:tester");
    assert!(first["id"].as_str().unwrap().len() == 26, "ULID id");

    // Without $USER (a container, cron): the account's name, never "unknown".
    let sub = Command::new(env!("CARGO_BIN_EXE_autodev"))
        .env("AUTODEV_LANG", "en")
        .args(["submit", template])
        .current_dir(dir.path())
        .env_remove("AUTODEV_QUEUE")
        .env_remove("USER")
        .env_remove("USERNAME")
        .output()
        .unwrap();
    assert_eq!(
        sub.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&sub.stderr)
    );
    let account = Command::new("id").arg("-un").output().unwrap();
    let account = String::from_utf8_lossy(&account.stdout).trim().to_owned();
    let log = std::fs::read_to_string(dir.path().join(".autodev_queue/events.ndjson")).unwrap();
    let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(last["actor"], format!("cli:{account}"));
}

#[test]
fn init_never_overwrites_and_keeps_the_repository_clean() {
    let repo = TempRepo::with_files(&[("a.txt", "a\n")]);
    assert_eq!(autodev(repo.path(), &["init"]).code, 0);
    // Commit the policy folder, as users are told to; then the tree must be clean even with tasks queued.
    repo.git(&["add", ".autodev_ssot"]);
    repo.git(&["commit", "-qm", "ssot"]);
    let policy = repo.path().join(".autodev_ssot/policy.toml");
    std::fs::write(&policy, "# my edits\n").unwrap();
    let again = autodev(repo.path(), &["init", "--lease-secs", "60"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("kept"), "{}", again.stdout);
    assert_eq!(
        std::fs::read_to_string(&policy).unwrap(),
        "# my edits\n",
        "init must not overwrite"
    );
    repo.git(&["checkout", "--", ".autodev_ssot"]);

    let sub = autodev(
        repo.path(),
        &[
            "submit",
            "-i",
            "docs",
            "-t",
            "a.txt",
            "-w",
            "explain what a.txt is for in two lines",
        ],
    );
    assert_eq!(sub.code, 0, "{}", sub.stderr);
    assert_eq!(
        repo.porcelain(),
        "",
        "the queue must never dirty the repository"
    );
    let exclude = std::fs::read_to_string(repo.path().join(".git/info/exclude")).unwrap();
    assert_eq!(exclude.matches("/.autodev_queue/").count(), 1, "{exclude}");
    // Every default SSOT file exists and says what it is.
    for f in [
        "policy.toml",
        "gate.toml",
        "prompt.md",
        "task.schema.json",
        "delivery.toml",
    ] {
        let body = std::fs::read_to_string(repo.path().join(".autodev_ssot").join(f)).unwrap();
        assert!(body.len() > 20, "{f} is documented");
    }
}

#[test]
fn init_from_a_subdirectory_uses_the_repository_top() {
    let repo = TempRepo::with_files(&[("src/lib.rs", "\n")]);
    assert_eq!(autodev(&repo.path().join("src"), &["init"]).code, 0);
    assert!(queue_dir(&repo).join("queue.json").exists());
    assert!(repo.path().join(".autodev_ssot/policy.toml").exists());
}

#[test]
fn committed_schema_matches_the_rust_types() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../.autodev_ssot/task.schema.json"
    ))
    .unwrap();
    assert_eq!(
        committed,
        submit::task_schema(),
        "run `autodev init` in the repo root after changing TaskSpec (or copy submit::task_schema())"
    );
}

#[test]
fn commands_without_a_queue_say_how_to_create_one() {
    let repo = TempRepo::with_files(&[("a.txt", "a\n")]);
    let before = snapshot(repo.path());
    for args in [
        &["status"][..],
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "a.txt",
            "-w",
            "one two three four five",
        ],
        &["pause"],
        &["events"],
    ] {
        let r = autodev(repo.path(), args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("autodev init"), "{}", r.stderr);
    }
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn pause_and_resume_are_logged_and_shown() {
    let repo = ready_repo();
    assert!(
        autodev(
            repo.path(),
            &["pause", "--reason", "upgrading the GPU driver"]
        )
        .stdout
        .contains("paused")
    );
    assert!(autodev(repo.path(), &["pause"]).stdout.contains("already"));
    let st = autodev(repo.path(), &["status", "--json"]).json();
    assert_eq!(st["paused"], true);
    assert!(autodev(repo.path(), &["resume"]).stdout.contains("resumed"));
    let ev = autodev(repo.path(), &["events", "--json"]);
    let types: Vec<String> = ev
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(types, ["QUEUE_PAUSED", "QUEUE_RESUMED"]);
    assert_eq!(
        autodev(repo.path(), &["status", "--json"]).json()["paused"],
        false
    );
}
