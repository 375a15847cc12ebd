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
