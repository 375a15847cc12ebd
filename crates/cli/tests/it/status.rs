//! `autodev status` and `autodev events`.

use std::io::Write;

use crate::{autodev, queue_dir, ready_repo, today};

#[test]
fn unknown_task_is_refused_with_exit_1() {
    let repo = ready_repo();
    let r = autodev(repo.path(), &["status", &format!("T{}-0042", today())]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("TASK_UNKNOWN"));
    let r = autodev(repo.path(), &["status", "not-an-id"]);
    assert_eq!(r.code, 2, "a malformed id is a usage error");
}

#[test]
fn events_report_a_torn_tail_and_filter_by_task() {
    let repo = ready_repo();
    for w in [
        "first change to make in config",
        "second change to make in config",
    ] {
        assert_eq!(
            autodev(
                repo.path(),
                &["submit", "-i", "fix", "-t", "src/config.rs", "-w", w]
            )
            .code,
            0
        );
    }
    std::fs::OpenOptions::new()
        .append(true)
        .open(queue_dir(&repo).join("events.ndjson"))
        .unwrap()
        .write_all(br#"{"id":"01JD","ts":"2026-"#)
        .unwrap();
    let r = autodev(repo.path(), &["events"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout.lines().count(), 2);
    assert!(r.stderr.contains("torn"), "{}", r.stderr);
    let id2 = format!("T{}-0002", today());
    let only = autodev(repo.path(), &["events", "--json", "--task", &id2]);
    assert_eq!(only.stdout.lines().count(), 1);
    assert!(only.stdout.contains(&id2));
    let st = autodev(repo.path(), &["status"]);
    assert_eq!(st.code, 0);
    assert!(st.stderr.contains("torn"));
    assert!(st.stdout.contains("2 pending"), "{}", st.stdout);
}

/// A title derived from work text carries whatever the text held: `status` shows control characters as escapes,
/// never as terminal commands.
#[test]
fn status_shows_control_characters_in_titles_as_escapes() {
    let repo = ready_repo();
    let sub = autodev(
        repo.path(),
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "-w",
            "parse_port \u{1b}[2J\u{1b}]0;owned\u{7} accepts zero and should return an error instead",
        ],
    );
    assert_eq!(sub.code, 0, "{}", sub.stderr);
    let id = sub.stdout.trim().to_owned();
    for args in [vec!["status"], vec!["status", id.as_str()]] {
        let out = autodev(repo.path(), &args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(
            !out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{7}'),
            "{:?}",
            out.stdout
        );
        assert!(out.stdout.contains("\\u{1b}[2J"), "{}", out.stdout);
    }
}
