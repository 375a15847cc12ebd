//! A worker killed with SIGKILL while holding a lease: the task comes back and is finished exactly once.

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use queue_core::{EventKind, Queue, QueueConfig, TaskState};

use crate::children::{new_task, spawn};

type ChildLines = std::io::Lines<BufReader<std::process::ChildStdout>>;

/// Waits for the child's line starting with `prefix`; returns it and the rest of its output, which the caller
/// keeps open so the child never writes into a closed pipe.
fn first_line(child: &mut std::process::Child, prefix: &str) -> (String, ChildLines) {
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let l = lines
            .next()
            .expect("child closed stdout before announcing")
            .unwrap();
        if let Some(rest) = l.strip_prefix(prefix) {
            return (rest.to_string(), lines);
        }
    }
}

#[test]
fn sigkilled_holder_is_requeued_after_expiry_and_finished_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("q");
    let q = Queue::init(
        &root,
        QueueConfig {
            lease_secs: 2,
            max_attempts: 3,
            ..QueueConfig::default()
        },
    )
    .unwrap();
    let id = q.submit(new_task(1), "t").unwrap().id;

    let mut holder = spawn("holder", &root, "");
    let (held, _rest) = first_line(&mut holder, "HOLDING ");
    assert_eq!(held, id.to_string());
    // SIGKILL: no destructor, no cleanup — exactly a crash.
    sigkill(holder.id());
    holder.wait().unwrap();

    assert_eq!(q.status_of(id).unwrap().state, TaskState::Claimed);
    // Before expiry nobody else can have it.
    assert!(q.reap_expired("reaper").unwrap().requeued.is_empty());
    assert!(q.claim("early").unwrap().is_none());

    let deadline = Instant::now() + Duration::from_secs(10);
    let claim = loop {
        let fresh = Queue::open(&root).unwrap(); // a different worker process's view
        if let Some(c) = fresh.claim("rescuer").unwrap() {
            break c;
        }
        assert!(Instant::now() < deadline, "task never came back");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(claim.task.id, id);
    assert_eq!(
        claim.task.attempt, 2,
        "taking back an expired lease uses up a try"
    );
    q.complete(&claim, "OK").unwrap();

    let st = q.status_of(id).unwrap();
    assert_eq!(st.state, TaskState::Done);
    assert_eq!(st.attempts, 2);
    let log = q.log().read().unwrap();
    let of = |name: &str| log.events.iter().filter(|e| e.type_name() == name).count();
    assert_eq!(of("TASK_CLAIMED"), 2);
    assert_eq!(of("TASK_REQUEUED"), 1);
    assert_eq!(of("TASK_COMPLETED"), 1, "finished exactly once");
    assert!(log.events.iter().any(|e| matches!(&e.kind, EventKind::TaskRequeued { attempt: 2, reason, .. } if reason == "LEASE_EXPIRED")));
}

#[test]
fn a_renewing_holder_keeps_its_lease_past_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("q");
    let q = Queue::init(
        &root,
        QueueConfig {
            lease_secs: 2,
            max_attempts: 3,
            ..QueueConfig::default()
        },
    )
    .unwrap();
    let id = q.submit(new_task(1), "t").unwrap().id;
    let mut child = spawn("renewer", &root, "500");
    let (_, rest) = first_line(&mut child, "HOLDING ");
    // Hammer the reaper for longer than a lease: the heartbeat must keep the claim alive.
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(2800) {
        assert!(
            q.reap_expired("reaper").unwrap().requeued.is_empty(),
            "renewed lease was taken back"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let done: Vec<String> = rest
        .map(Result::unwrap)
        .filter(|l| l.starts_with("DONE "))
        .collect();
    assert!(child.wait().unwrap().success());
    assert_eq!(done, vec![format!("DONE {id}")]);
    assert_eq!(q.status_of(id).unwrap().state, TaskState::Done);
}

#[test]
fn tries_run_out_and_the_task_fails_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("q");
    let q = Queue::init(
        &root,
        QueueConfig {
            lease_secs: 2,
            max_attempts: 2,
            ..QueueConfig::default()
        },
    )
    .unwrap();
    let id = q.submit(new_task(1), "t").unwrap().id;
    for _ in 0..2 {
        let mut holder = spawn("holder", &root, "");
        let _held = first_line(&mut holder, "HOLDING ");
        sigkill(holder.id());
        holder.wait().unwrap();
        std::thread::sleep(Duration::from_millis(2300));
        q.reap_expired("reaper").unwrap();
    }
    let st = q.status_of(id).unwrap();
    assert_eq!(st.state, TaskState::Failed);
    assert_eq!(st.failure_reason.as_deref(), Some("MAX_ATTEMPTS_EXCEEDED"));
}

fn sigkill(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}
