//! Files named like tasks that are not readable tasks: reported, set aside by claimers, never fatal for the rest.

use std::path::{Path, PathBuf};

use queue_core::{Error, EventKind, Queue, QueueConfig, TaskId, TaskState};

use crate::children::new_task;

/// The kinds of bad entry a person or a crashed tool leaves behind.
const KINDS: [&str; 4] = ["empty", "garbage", "directory", "other_id"];

/// An id far above anything `submit` hands out in these tests.
fn stray_id(q: &Queue, n: u32) -> TaskId {
    let today = q.pending_ids().unwrap_or_default();
    let day = today
        .first()
        .map(|t| t.date())
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    TaskId::new(day, 9000 + n)
}

/// Plants a bad entry of `kind` named `<id>.json` in `folder`; returns its path.
fn plant(q: &Queue, folder: &str, id: TaskId, kind: &str, other: TaskId) -> PathBuf {
    let path = q.root().join(folder).join(format!("{id}.json"));
    match kind {
        "empty" => std::fs::write(&path, b"").unwrap(),
        "garbage" => std::fs::write(&path, b"{\"id\": \"T2026").unwrap(),
        "directory" => std::fs::create_dir_all(path.join("inside")).unwrap(),
        // A copy of another task's file under the wrong name.
        "other_id" => {
            let src = find_task_file(q.root(), other);
            std::fs::copy(src, &path).unwrap();
        }
        _ => unreachable!(),
    };
    path
}

fn find_task_file(root: &Path, id: TaskId) -> PathBuf {
    for d in ["pending", "done", "failed"] {
        let p = root.join(d).join(format!("{id}.json"));
        if p.is_file() {
            return p;
        }
    }
    panic!("no file for {id}");
}

/// A queue with one task in each of pending, done and failed, and a bad entry of every kind in each of those
/// folders. Returns the queue, the good ids and the bad (id, folder, path).
#[allow(clippy::type_complexity)]
fn damaged_queue(dir: &Path) -> (Queue, [TaskId; 3], Vec<(TaskId, &'static str, PathBuf)>) {
    let q = Queue::init(dir.join("q"), QueueConfig::default()).unwrap();
    let done = q.submit(new_task(1), "t").unwrap().id;
    let failed = q.submit(new_task(2), "t").unwrap().id;
    let c = q.claim("w").unwrap().unwrap();
    q.complete(&c, "GATE_PASSED").unwrap();
    let c = q.claim("w").unwrap().unwrap();
    q.fail(&c, "GATE_FAILED", "no").unwrap();
    let pending = q.submit(new_task(3), "t").unwrap().id;
    let mut bad = Vec::new();
    let mut n = 0;
    for folder in ["pending", "done", "failed"] {
        for kind in KINDS {
            n += 1;
            let id = stray_id(&q, n);
            bad.push((id, folder, plant(&q, folder, id, kind, done)));
        }
    }
    (q, [pending, done, failed], bad)
}

#[test]
fn bad_files_in_every_folder_are_listed_as_corrupt_and_other_tasks_keep_their_status() {
    let dir = tempfile::tempdir().unwrap();
    let (q, [pending, done, failed], bad) = damaged_queue(dir.path());

    let (tasks, summary) = q.status().expect("status survives bad files");
    let states: Vec<_> = tasks.iter().map(|t| (t.id, t.state)).collect();
    assert_eq!(
        states,
        vec![
            (done, TaskState::Done),
            (failed, TaskState::Failed),
            (pending, TaskState::Pending)
        ]
    );
    let listed: Vec<_> = summary
        .corrupt
        .iter()
        .map(|c| (c.id, c.folder, c.path.clone()))
        .collect();
    assert_eq!(listed, bad, "every bad entry, with its folder and path");
    let detail = |i: usize| summary.corrupt[i].detail.as_str();
    assert_eq!(detail(0), "the file is empty");
    assert!(
        detail(1).starts_with("it is not a task file"),
        "{}",
        detail(1)
    );
    assert_eq!(detail(2), "it is a directory, not a file");
    assert_eq!(detail(3), format!("the file says it is task {done}"));

    for id in [pending, done, failed] {
        assert_eq!(q.status_of(id).unwrap().id, id);
    }
    for (id, _, path) in &bad {
        match q.status_of(*id) {
            Err(e @ Error::TaskCorrupt { .. }) => {
                assert_eq!(e.code(), "TASK_FILE_CORRUPT");
                let Error::TaskCorrupt { path: p, .. } = e else {
                    unreachable!()
                };
                assert_eq!(&p, path);
            }
            other => panic!("{id}: {other:?}"),
        }
    }
    let scanned: Vec<_> = q
        .corrupt_files()
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.folder, c.path))
        .collect();
    assert_eq!(scanned, bad, "corrupt_files (for doctor) finds the same");
}

#[test]
fn a_claimer_sets_bad_pending_entries_aside_and_claims_the_task_behind_them() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::init(dir.path().join("q"), QueueConfig::default()).unwrap();
    let good = q.submit(new_task(1), "t").unwrap().id;
    // Older ids than the good task (the day before): a claimer meets them first.
    let day = good.date().pred_opt().unwrap();
    let bad: Vec<(TaskId, PathBuf)> = (1..)
        .zip(KINDS)
        .map(|(seq, kind)| {
            let id = TaskId::new(day, seq);
            (id, plant(&q, "pending", id, kind, good))
        })
        .collect();

    let claim = q.claim("w").unwrap().expect("the good task is claimed");
    assert_eq!(claim.task.id, good);
    q.complete(&claim, "GATE_PASSED").unwrap();
    assert!(q.claim("w").unwrap().is_none(), "nothing else to claim");

    // Out of every state folder: not in failed/, where status would keep reading it.
    for (id, path) in &bad {
        assert!(!path.exists(), "{} still in pending/", path.display());
        assert!(!q.root().join("failed").join(format!("{id}.json")).exists());
    }
    let (tasks, summary) = q.status().unwrap();
    assert_eq!(tasks.len(), 1);
    let aside: Vec<_> = summary.corrupt.iter().map(|c| (c.id, c.folder)).collect();
    assert_eq!(
        aside,
        bad.iter()
            .map(|(id, _)| (*id, "corrupt"))
            .collect::<Vec<_>>()
    );
    assert!(
        summary
            .corrupt
            .iter()
            .all(|c| c.path.starts_with(q.root().join("corrupt")))
    );
    // The log says what happened to each, and where it went.
    let log = q.log().read().unwrap();
    for (id, _) in &bad {
        let failed: Vec<_> = log
            .events
            .iter()
            .filter(|e| e.task_id == Some(*id))
            .collect();
        assert_eq!(failed.len(), 1, "{id}: {failed:?}");
        match &failed[0].kind {
            EventKind::TaskFailed { reason, message } => {
                assert_eq!(reason, "TASK_FILE_CORRUPT");
                assert!(message.contains("set aside as corrupt/"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_corrupt_expired_claim_is_set_aside_by_the_reaper() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::init(
        dir.path().join("q"),
        QueueConfig {
            lease_secs: 1,
            ..QueueConfig::default()
        },
    )
    .unwrap();
    let id = q.submit(new_task(1), "t").unwrap().id;
    let claim = q.claim("w").unwrap().unwrap();
    // The claimed file is damaged while held (a full disk, a tool), and its worker dies.
    std::fs::write(claim.path(), b"").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let summary = q.reap_expired("reaper").unwrap();
    assert_eq!(summary.failed, vec![id]);
    assert!(summary.requeued.is_empty());
    assert_eq!(
        std::fs::read_dir(q.root().join("claimed")).unwrap().count(),
        0
    );
    assert_eq!(
        std::fs::read_dir(q.root().join("failed")).unwrap().count(),
        0
    );
    match q.status_of(id) {
        Err(Error::TaskCorrupt { path, detail, .. }) => {
            assert!(
                path.starts_with(q.root().join("corrupt")),
                "{}",
                path.display()
            );
            assert_eq!(detail, "the file is empty");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_directory_named_like_a_finished_task_gets_no_recovered_event() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::init(dir.path().join("q"), QueueConfig::default()).unwrap();
    let stray = stray_id(&q, 1);
    std::fs::create_dir(q.root().join("done").join(format!("{stray}.json"))).unwrap();
    std::fs::write(q.root().join("failed").join(format!("{stray}.json")), b"").unwrap();
    assert!(
        q.reconcile_log_older_than("reaper", std::time::Duration::ZERO)
            .unwrap()
            .is_empty(),
        "no worker finished these"
    );
    assert!(q.log().read().unwrap().events.is_empty());
}
