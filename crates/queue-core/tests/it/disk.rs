//! A full disk and an event log that refuses appends, with real filesystem failures: a tiny tmpfs (mounted in a
//! user + mount namespace of a child process, so no privilege is needed and nothing outlives the test) and
//! `/dev/full`, the kernel's always-full device.
//!
//! `/dev/full` reads as endless zeros: it stands in for `events.ndjson` only where nothing reads the log.

use std::io::{ErrorKind, Write};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use queue_core::event::APPEND_TRIES;
use queue_core::{Error, Event, EventKind, EventLog, Queue, QueueConfig, TaskId};

use crate::children::{child_command, lines_with, new_task};

const ENOSPC: i32 = 28;

fn is_enospc(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(ENOSPC)
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn submitted(q: &Queue) -> Vec<TaskId> {
    q.log()
        .read()
        .unwrap()
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::TaskSubmitted { .. }))
        .map(|e| e.task_id.unwrap())
        .collect()
}

/// Points `events.ndjson` at `/dev/full`; returns where the real log was moved.
fn log_to_dev_full(q: &Queue) -> std::path::PathBuf {
    let saved = q.root().join("events.saved");
    std::fs::rename(q.log().path(), &saved).unwrap();
    symlink("/dev/full", q.log().path()).unwrap();
    saved
}

fn restore_log(q: &Queue, saved: &Path) {
    std::fs::remove_file(q.log().path()).unwrap();
    std::fs::rename(saved, q.log().path()).unwrap();
}

fn event(n: u32) -> Event {
    Event::new(
        EventKind::QueuePaused {
            reason: format!("r{n}"),
        },
        None,
        "test",
    )
}

#[test]
fn a_failed_append_is_tried_again_and_lands_once_the_disk_has_room() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.ndjson");
    symlink("/dev/full", &path).unwrap();
    let failures: Arc<Mutex<Vec<(u32, i32)>>> = Arc::default();
    let seen = Arc::clone(&failures);
    let freed = path.clone();
    let log = EventLog::new(&path).on_failed_try(move |try_no, err| {
        seen.lock()
            .unwrap()
            .push((try_no, err.raw_os_error().unwrap_or(0)));
        // Room again after the first failure: the log is a plain file from now on.
        if try_no == 1 {
            std::fs::remove_file(&freed).unwrap();
            std::fs::write(&freed, b"").unwrap();
        }
    });
    let ev = event(1);
    log.append(&ev).expect("the second try lands");
    assert_eq!(*failures.lock().unwrap(), vec![(1, ENOSPC)]);
    let read = log.read().unwrap();
    let got: Vec<_> = read.events.iter().map(|e| (&e.id, &e.kind)).collect();
    assert_eq!(got, vec![(&ev.id, &ev.kind)], "exactly once");
}

#[test]
fn an_append_that_keeps_failing_is_reported_after_every_try() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.ndjson");
    symlink("/dev/full", &path).unwrap();
    let tries: Arc<Mutex<Vec<u32>>> = Arc::default();
    let seen = Arc::clone(&tries);
    let log = EventLog::new(&path).on_failed_try(move |n, _| seen.lock().unwrap().push(n));
    match log.append(&event(1)) {
        Err(e @ Error::LogAppend { .. }) => {
            assert_eq!(e.code(), "EVENT_LOG_WRITE_FAILED");
            let Error::LogAppend {
                event,
                tries,
                source,
                ..
            } = e
            else {
                unreachable!()
            };
            assert_eq!(event, "QUEUE_PAUSED");
            assert_eq!(tries, APPEND_TRIES);
            assert!(is_enospc(&source), "{source}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        *tries.lock().unwrap(),
        (1..=APPEND_TRIES).collect::<Vec<_>>()
    );
}

#[test]
fn a_submit_whose_event_cannot_be_logged_leaves_no_task_and_a_retry_queues_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::init(dir.path().join("q"), QueueConfig::default()).unwrap();
    let first = q.submit(new_task(1), "t").unwrap().id;
    let saved = log_to_dev_full(&q);
    // A fresh process: no log handle opened before the log became full.
    let other = Queue::open(q.root()).unwrap();
    match other.submit(new_task(2), "t") {
        Err(Error::LogAppend { event, source, .. }) => {
            assert_eq!(event, "TASK_SUBMITTED");
            assert!(is_enospc(&source), "{source}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(names(&q.root().join("pending")), [format!("{first}.json")]);
    assert!(
        names(&q.root().join("tmp")).is_empty(),
        "no staged file left"
    );
    restore_log(&q, &saved);

    let again = other.submit(new_task(2), "t").unwrap().id;
    assert_eq!(q.pending_ids().unwrap(), vec![first, again]);
    assert_eq!(submitted(&q), vec![first, again], "one event per task");
}

#[test]
fn a_claim_whose_event_cannot_be_logged_is_given_back_without_using_a_try() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::init(dir.path().join("q"), QueueConfig::default()).unwrap();
    let worker = Queue::open(q.root()).unwrap();
    // The worker's first look reaps (reading the log) while the queue is empty; the next is a quarter lease away.
    assert!(worker.claim("w").unwrap().is_none());
    let id = q.submit(new_task(1), "t").unwrap().id;
    let saved = log_to_dev_full(&q);
    match worker.claim("w") {
        Err(Error::LogAppend { event, .. }) => assert_eq!(event, "TASK_CLAIMED"),
        other => panic!("{other:?}"),
    }
    assert_eq!(names(&q.root().join("pending")), [format!("{id}.json")]);
    assert!(names(&q.root().join("claimed")).is_empty());
    restore_log(&q, &saved);

    let claim = worker.claim("w").unwrap().expect("claimable again");
    assert_eq!(claim.task.id, id);
    assert_eq!(claim.task.attempt, 1, "no try used");
    assert_eq!(q.status_of(id).unwrap().attempts, 1);
}

#[test]
fn submit_on_a_full_disk_leaves_nothing_and_a_retry_queues_it_once() {
    let mnt = tempfile::tempdir().unwrap();
    let mut unshare = Command::new("unshare");
    unshare
        .args(["--user", "--map-root-user", "--mount"])
        .arg(std::env::current_exe().unwrap());
    let out = child_command(unshare, "full_disk", mnt.path(), "")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the full-disk child failed (it needs user namespaces, as the gate's sandbox does):\n{stdout}\n{stderr}"
    );
    assert_eq!(
        lines_with(&stdout, "STEP "),
        [
            "no room: nothing staged",
            "room for the task file only: nothing queued",
            "space freed: queued once"
        ]
    );
}

/// The full-disk scenario, run as root of its own user + mount namespace with a tmpfs of 64 pages at `mnt`.
pub(crate) fn full_disk_child(mnt: &Path) {
    let page = page_size();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={}", 64 * page), "tmpfs"])
        .arg(mnt)
        .status()
        .unwrap();
    assert!(mounted.success(), "mount tmpfs");
    let q = Queue::init(mnt.join("q"), QueueConfig::default()).unwrap();
    let first = q.submit(new_task(1), "t").unwrap().id;
    // The log ends on a page boundary (blank lines are skipped by readers): its next record needs a new page.
    let len = usize::try_from(std::fs::metadata(q.log().path()).unwrap().len()).unwrap();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(q.log().path())
        .unwrap();
    f.write_all(&vec![b'\n'; page - len % page]).unwrap();
    drop(f);
    let filler = mnt.join("filler");
    fill(&filler, page);
    let pending = || names(&q.root().join("pending"));
    let staged = || names(&q.root().join("tmp"));

    match q.submit(new_task(2), "t") {
        Err(Error::Io { source, .. }) => assert!(is_enospc(&source), "{source}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(pending(), [format!("{first}.json")]);
    assert!(staged().is_empty());
    println!("STEP no room: nothing staged");

    // One free page: the task file fits, the log's next record does not. Before the fix the task was left in
    // pending/ without its TASK_SUBMITTED.
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&filler)
        .unwrap();
    f.set_len(f.metadata().unwrap().len() - page as u64)
        .unwrap();
    drop(f);
    match q.submit(new_task(3), "t") {
        Err(Error::LogAppend { event, source, .. }) => {
            assert_eq!(event, "TASK_SUBMITTED");
            assert!(is_enospc(&source), "{source}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(pending(), [format!("{first}.json")]);
    assert!(staged().is_empty());
    assert_eq!(submitted(&q), vec![first]);
    println!("STEP room for the task file only: nothing queued");

    std::fs::remove_file(&filler).unwrap();
    let again = q.submit(new_task(3), "t").unwrap().id;
    assert_eq!(q.pending_ids().unwrap(), vec![first, again]);
    assert_eq!(submitted(&q), vec![first, again]);
    println!("STEP space freed: queued once");
}

/// Writes whole pages to `path` until the filesystem is full.
fn fill(path: &Path, page: usize) {
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; page];
    loop {
        match f.write(&chunk) {
            Ok(n) => assert_eq!(n, page, "tmpfs allocates whole pages"),
            Err(e) if e.kind() == ErrorKind::StorageFull || is_enospc(&e) => return,
            Err(e) => panic!("{e}"),
        }
    }
}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap()
}
