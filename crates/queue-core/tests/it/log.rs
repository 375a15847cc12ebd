//! The audit log under concurrent appenders and damage.

use std::io::Write;

use queue_core::{Queue, QueueConfig};

use crate::children::new_task;

#[test]
fn torn_final_line_is_tolerated_and_reported_and_appends_continue() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::init(dir.path().join("q"), QueueConfig::default()).unwrap();
    q.submit(new_task(1), "t").unwrap();
    std::fs::OpenOptions::new()
        .append(true)
        .open(q.log().path())
        .unwrap()
        .write_all(br#"{"id":"01JD","ts":"2026-11-25T1"#)
        .unwrap();
    let (_, summary) = q.status().unwrap();
    assert_eq!(summary.log_problems.len(), 1, "{:?}", summary.log_problems);
    assert!(summary.log_problems[0].contains("torn"));
    // The next append lands after the fragment; the reader salvages it.
    q.submit(new_task(2), "t").unwrap();
    let read = q.log().read().unwrap();
    assert_eq!(read.events.len(), 2);
    assert_eq!(q.status().unwrap().0.len(), 2);
}

#[test]
fn a_finish_whose_event_was_lost_in_a_crash_is_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::init(dir.path().join("q"), QueueConfig::default()).unwrap();
    let a = q.submit(new_task(1), "t").unwrap().id;
    let b = q.submit(new_task(2), "t").unwrap().id;
    let ca = q.claim("w").unwrap().unwrap();
    let cb = q.claim("w").unwrap().unwrap();
    q.complete(&ca, "GATE_PASSED").unwrap();
    q.fail(&cb, "GATE_FAILED", "x").unwrap();
    // Simulate workers killed between the rename and the log append: drop both final events.
    let text = std::fs::read_to_string(q.log().path()).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.contains("TASK_COMPLETED") && !l.contains("TASK_FAILED"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(q.log().path(), kept).unwrap();

    // A fresh process (another worker) reconciles; a young finish is left alone (its worker may be alive).
    let other = Queue::open(q.root()).unwrap();
    assert!(
        other.reconcile_log("reaper").unwrap().is_empty(),
        "too young to be a crash"
    );
    let mut got = other
        .reconcile_log_older_than("reaper", std::time::Duration::ZERO)
        .unwrap();
    got.sort();
    assert_eq!(got, vec![a, b]);
    assert!(
        other
            .reconcile_log_older_than("reaper", std::time::Duration::ZERO)
            .unwrap()
            .is_empty(),
        "once only"
    );
    let events = other.log().read().unwrap().events;
    let finals: Vec<_> = events
        .iter()
        .filter(|e| matches!(e.type_name(), "TASK_COMPLETED" | "TASK_FAILED"))
        .map(|e| (e.task_id.unwrap(), e.type_name()))
        .collect();
    assert_eq!(finals, vec![(a, "TASK_COMPLETED"), (b, "TASK_FAILED")]);
}

/// Found by running the worker: a failure quoting 20,000 model edits was one 3 MB event line.
#[test]
fn a_huge_failure_message_is_clipped_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::init(dir.path().join("q"), QueueConfig::default()).unwrap();
    q.submit(new_task(1), "t").unwrap();
    let claim = q.claim("w").unwrap().unwrap();
    let message = "EDIT_NO_MATCH: edit 1 … ".repeat(120_000);
    q.fail(&claim, "EDIT_NO_MATCH", &message).unwrap();
    let text = std::fs::read_to_string(q.log().path()).unwrap();
    let line = text.lines().find(|l| l.contains("TASK_FAILED")).unwrap();
    assert!(
        line.len() < 2 * queue_core::MAX_FAILURE_MESSAGE,
        "{}",
        line.len()
    );
    let events = q.log().read().unwrap().events;
    let logged = serde_json::to_value(events.last().unwrap()).unwrap();
    let logged = logged["message"].as_str().unwrap();
    assert!(logged.starts_with("EDIT_NO_MATCH: edit 1"), "{logged}");
    let kept = logged.rfind("… [").unwrap();
    assert!(kept <= queue_core::MAX_FAILURE_MESSAGE);
    assert!(
        logged.ends_with(&format!("… [{} more bytes cut]", message.len() - kept)),
        "{}",
        &logged[kept..]
    );
}
