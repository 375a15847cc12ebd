//! Queue resilience: a bad file in the queue breaks no command about another task, and a disk that refuses the
//! worker's results or events gives the task back without using a try.

use std::path::{Path, PathBuf};

use fake_servers::{FakeOllama, Script};
use queue_core::Queue;
use test_support::TempRepo;

use crate::approval::gate_passed_task;
use crate::worker::{events, good_edit, repo_with_task, run_worker, types_for};
use crate::{autodev, queue_dir, ready_repo, today};

/// Plants, in each of pending/, done/ and failed/, an empty file, a damaged one and a directory named like a task.
/// Returns (id, path) of each.
fn plant_bad_entries(queue: &Path) -> Vec<(String, PathBuf)> {
    let mut bad = Vec::new();
    let mut seq = 9000;
    for folder in ["pending", "done", "failed"] {
        for kind in ["empty", "damaged", "directory"] {
            seq += 1;
            let id = format!("T{}-{seq}", today());
            let path = queue.join(folder).join(format!("{id}.json"));
            match kind {
                "empty" => std::fs::write(&path, b"").unwrap(),
                "damaged" => std::fs::write(&path, b"{\"id\": \"T2026").unwrap(),
                _ => std::fs::create_dir_all(path.join("inside")).unwrap(),
            }
            bad.push((id, path));
        }
    }
    bad
}

/// A task that a worker failed (in failed/).
fn failed_task(repo: &TempRepo) -> String {
    let r = autodev(
        repo.path(),
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "-w",
            "a change that the worker gives up on",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let queue = Queue::open(queue_dir(repo)).unwrap();
    let claim = queue.claim("worker:test").unwrap().unwrap();
    queue
        .fail(&claim, "GATE_FAILED", "no patch passed")
        .unwrap();
    claim.task.id.to_string()
}

#[test]
fn corrupt_task_files_in_pending_done_and_failed_break_no_command_about_another_task() {
    let repo = ready_repo();
    let to_apply = gate_passed_task(&repo);
    let to_reject = gate_passed_task(&repo);
    let failed = failed_task(&repo);
    let r = autodev(
        repo.path(),
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "-w",
            "a change still waiting for a worker",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pending = r.stdout.trim().to_string();
    let bad = plant_bad_entries(&queue_dir(&repo));

    // The list: every task, and every bad entry as `corrupt` with its path.
    let st = autodev(repo.path(), &["status"]);
    assert_eq!(st.code, 0, "{}", st.stderr);
    for (id, state) in [
        (&to_apply, "done"),
        (&to_reject, "done"),
        (&failed, "failed"),
        (&pending, "pending"),
    ] {
        assert!(
            st.stdout
                .lines()
                .any(|l| l.starts_with(id.as_str()) && l.contains(state)),
            "{id} {state}:\n{}",
            st.stdout
        );
    }
    for (id, path) in &bad {
        let row = st
            .stdout
            .lines()
            .find(|l| l.starts_with(id.as_str()))
            .unwrap_or_else(|| panic!("{id} not listed:\n{}", st.stdout));
        assert!(row.contains(" corrupt "), "{row}");
        assert!(row.ends_with(&path.display().to_string()), "{row}");
        assert!(
            st.stderr
                .contains(&format!("TASK_FILE_CORRUPT: {}", path.display())),
            "{}",
            st.stderr
        );
    }
    assert!(st.stdout.contains("9 corrupt"), "{}", st.stdout);
    let json = autodev(repo.path(), &["status", "--json"]).json();
    let corrupt: Vec<(String, String)> = json["corrupt"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = bad
        .iter()
        .map(|(id, p)| (id.clone(), p.display().to_string()))
        .collect();
    assert_eq!(corrupt, expected);
    assert_eq!(json["tasks"].as_array().unwrap().len(), 4);

    // Each bad entry answers with its code and path, exit 1, whatever is asked of it.
    for (id, path) in &bad {
        for args in [
            vec!["status", id.as_str()],
            vec!["approve", id.as_str()],
            vec!["reject", id.as_str(), "--reason", "bad"],
            vec!["apply", id.as_str()],
        ] {
            let r = autodev(repo.path(), &args);
            assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
            assert!(
                r.stderr.starts_with("TASK_FILE_CORRUPT: ")
                    && r.stderr.contains(&path.display().to_string()),
                "{args:?}: {}",
                r.stderr
            );
        }
    }

    // Every other task: status, approve, apply and reject work.
    for id in [&to_apply, &to_reject, &failed, &pending] {
        let r = autodev(repo.path(), &["status", id]);
        assert_eq!(r.code, 0, "status {id}: {}", r.stderr);
    }
    let r = autodev(repo.path(), &["approve", &to_apply, "--by", "alice"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = autodev(repo.path(), &["apply", &to_apply]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        repo.git(&["branch", "--list"])
            .contains(&format!("autodev/{to_apply}"))
    );
    let r = autodev(repo.path(), &["reject", &to_reject, "--reason", "no"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = autodev(repo.path(), &["approve", &failed]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.starts_with("NOT_GATE_PASSED: "), "{}", r.stderr);

    // The doctor names each.
    let doc = autodev(
        repo.path(),
        &[
            "doctor",
            "--json",
            "--host",
            "http://127.0.0.1:9",
            "--timeout-secs",
            "2",
        ],
    )
    .json();
    let check = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "queue_files")
        .unwrap_or_else(|| panic!("no queue_files check: {doc}"))
        .clone();
    assert_eq!(check["status"], "WARN", "{check}");
    let message = check["message"].as_str().unwrap();
    assert!(message.starts_with("9 file(s)"), "{message}");
    for (_, path) in &bad {
        assert!(message.contains(&path.display().to_string()), "{message}");
    }
}

fn queue(repo: &TempRepo) -> Queue {
    Queue::open(queue_dir(repo)).unwrap()
}

/// The try number of the task's last claim, from the log.
fn last_claim_attempt(repo: &TempRepo, id: &str) -> u64 {
    events(repo)
        .into_iter()
        .rfind(|e| e["task_id"] == id && e["type"] == "TASK_CLAIMED")
        .map(|e| e["attempt"].as_u64().unwrap())
        .expect("claimed")
}

#[test]
fn a_result_file_that_cannot_be_written_gives_the_task_back_without_using_a_try() {
    let (repo, id) = repo_with_task(&[], &["grep -q 'p == 0' src/config.rs"]);
    let fake = FakeOllama::start(Script::answer(good_edit()));
    let q = queue(&repo);
    let tid: queue_core::TaskId = id.parse().unwrap();
    for ext in ["patch", "gate.json", "report.json"] {
        // A directory where the file goes: the atomic rename onto it fails (EISDIR), as a real write would.
        let blocker = q.result_path(tid, ext);
        std::fs::create_dir(&blocker).unwrap();
        let r = run_worker(repo.path(), &fake.url(), &["--once"]);
        assert_eq!(r.code, 2, "{ext}: {}", r.stderr);
        assert!(
            r.stderr.contains("ARTIFACT_WRITE_FAILED")
                && r.stderr
                    .contains("the task was given back without using a try"),
            "{ext}: {}",
            r.stderr
        );
        let st = autodev(repo.path(), &["status", &id, "--json"]).json();
        assert_eq!(st["state"], "pending", "{ext}: {st}");
        assert_eq!(st["attempts"], 1, "{ext}: {st}");
        let types = types_for(&repo, &id);
        assert_eq!(
            types.last().map(String::as_str),
            Some("TASK_RELEASED"),
            "{ext}: {types:?}"
        );
        for never in [
            "TASK_FAILED",
            "GATE_PASSED",
            "PATCH_PROPOSED",
            "TASK_COMPLETED",
        ] {
            assert!(!types.iter().any(|t| t == never), "{ext}: {types:?}");
        }
        let released = events(&repo)
            .into_iter()
            .rfind(|e| e["task_id"] == id.as_str() && e["type"] == "TASK_RELEASED")
            .unwrap();
        assert_eq!(released["reason"], "ARTIFACT_WRITE_FAILED");
        std::fs::remove_dir(&blocker).unwrap();
    }
    // With room again the next worker finishes it, on the first try still.
    let r = run_worker(repo.path(), &fake.url(), &["--once"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done", "{st}");
    assert_eq!(st["attempts"], 1, "{st}");
    assert_eq!(last_claim_attempt(&repo, &id), 1);
    let gate = std::fs::read(q.result_path(tid, "gate.json")).unwrap();
    let gate: serde_json::Value = serde_json::from_slice(&gate).unwrap();
    assert_eq!(gate["verdict"], "PASS");
    let passes = types_for(&repo, &id)
        .iter()
        .filter(|t| *t == "GATE_PASSED")
        .count();
    assert_eq!(passes, 1);
}

/// A check (run unconfined: `[sandbox] mode = "none"`) that, the first time only, puts a directory where the
/// queue's event log is: every append after the gate fails (EISDIR) until the test puts the log back.
const LOG_BREAKING_CHECK: &str = r#"q='QUEUE'
if [ ! -e "$q/broke-once" ]; then
  touch "$q/broke-once" && mv "$q/events.ndjson" "$q/events.saved" && mkdir "$q/events.ndjson"
fi
grep -q 'p == 0' src/config.rs"#;

#[test]
fn an_event_that_cannot_be_logged_is_tried_again_then_the_task_is_given_back_without_using_a_try() {
    let repo = TempRepo::with_files(&[
        ("src/config.rs", crate::worker::CONFIG_RS),
        ("README.md", "demo\n"),
    ]);
    assert_eq!(autodev(repo.path(), &["init"]).code, 0);
    let q = queue_dir(&repo);
    let check = LOG_BREAKING_CHECK.replace("QUEUE", &q.display().to_string());
    repo.write(
        ".autodev_ssot/gate.toml",
        &format!("[sandbox]\nmode = \"none\"\n\n[[check]]\nname = \"break the log\"\ncommand = '''\n{check}\n'''\n"),
    );
    repo.git(&["add", ".autodev_ssot"]);
    repo.git(&[
        "commit",
        "-qm",
        "autodev policy with a check that breaks the log",
    ]);
    let r = autodev(
        repo.path(),
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "-w",
            "parse_port accepts 0; it must return None for 0",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = r.stdout.trim().to_string();
    let fake = FakeOllama::start(Script::answer(good_edit()));

    let r = run_worker(repo.path(), &fake.url(), &["--once"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        q.join("events.ndjson").is_dir(),
        "the check ran: {}",
        r.stderr
    );
    // Logged and tried again: PATCH_PROPOSED (then TASK_RELEASED) three retries each, then given up on.
    let retries = r
        .stderr
        .matches("appending to the event log failed; trying again")
        .count();
    assert_eq!(retries, 6, "{}", r.stderr);
    assert!(
        r.stderr.contains("giving up appending to the event log"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("EVENT_LOG_WRITE_FAILED: could not append PATCH_PROPOSED")
            && r.stderr
                .contains("the task was given back without using a try"),
        "{}",
        r.stderr
    );
    std::fs::remove_dir(q.join("events.ndjson")).unwrap();
    std::fs::rename(q.join("events.saved"), q.join("events.ndjson")).unwrap();

    // Given back: in pending/, first try, and the log names no gate result for it.
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "pending", "{st}");
    assert_eq!(st["attempts"], 1, "{st}");
    assert_eq!(types_for(&repo, &id), ["TASK_SUBMITTED", "TASK_CLAIMED"]);

    let r = run_worker(repo.path(), &fake.url(), &["--once"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done", "{st}");
    assert_eq!(st["attempts"], 1, "{st}");
    let types = types_for(&repo, &id);
    assert!(!types.iter().any(|t| t == "TASK_FAILED"), "{types:?}");
    assert_eq!(types.iter().filter(|t| *t == "GATE_PASSED").count(), 1);
}

#[test]
fn a_submit_whose_event_cannot_be_logged_queues_nothing_and_says_so() {
    let repo = ready_repo();
    let q = queue_dir(&repo);
    let submit = || {
        autodev(
            repo.path(),
            &[
                "submit",
                "-i",
                "fix",
                "-t",
                "src/config.rs",
                "-w",
                "parse_port accepts 0; make it return None",
            ],
        )
    };
    // A directory where the log is: every append fails (EISDIR), as on a full or broken disk.
    std::fs::rename(q.join("events.ndjson"), q.join("events.saved")).unwrap();
    std::fs::create_dir(q.join("events.ndjson")).unwrap();
    let r = submit();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("error: EVENT_LOG_WRITE_FAILED: the task was not queued: could not append TASK_SUBMITTED"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("after 4 tries"), "{}", r.stderr);
    let listed = |d: &str| std::fs::read_dir(q.join(d)).unwrap().count();
    assert_eq!(listed("pending"), 0);
    assert_eq!(listed("tmp"), 0, "no staged file left behind");
    std::fs::remove_dir(q.join("events.ndjson")).unwrap();
    std::fs::rename(q.join("events.saved"), q.join("events.ndjson")).unwrap();

    let r = submit();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = r.stdout.trim().to_string();
    let json = autodev(repo.path(), &["status", "--json"]).json();
    let ids: Vec<&str> = json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()], "one task, no duplicate");
    assert_eq!(types_for(&repo, &id), ["TASK_SUBMITTED"]);
}
