//! Exclusive claims and unique ids under real multi-process contention.

use std::collections::{BTreeMap, HashSet};

use queue_core::{EventKind, Queue, QueueConfig, TaskState};

use crate::children::{lines_with, new_task, spawn};

#[test]
fn eight_processes_claim_two_thousand_tasks_each_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("q");
    let q = Queue::init(&root, QueueConfig::default()).unwrap();
    let mut submitted = HashSet::new();
    for i in 0..2000 {
        submitted.insert(q.submit(new_task(i), "test").unwrap().id.to_string());
    }
    let children: Vec<_> = (0..8).map(|_| spawn("claimer", &root, "")).collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_child = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "claimer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let done = lines_with(&String::from_utf8_lossy(&out.stdout), "DONE ");
        per_child.push(done.len());
        for id in done {
            *seen.entry(id).or_default() += 1;
        }
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "claimed more than once: {twice:?}");
    let seen_ids: HashSet<String> = seen.keys().cloned().collect();
    assert_eq!(seen_ids, submitted, "every submitted task is claimed");
    assert!(
        per_child.iter().filter(|n| **n > 0).count() >= 2,
        "work was spread over processes: {per_child:?}"
    );

    let (status, summary) = q.status().unwrap();
    assert_eq!(status.len(), 2000);
    assert!(
        status
            .iter()
            .all(|s| s.state == TaskState::Done && s.attempts == 1)
    );
    assert_eq!(summary.counts.get(&TaskState::Done), Some(&2000));
    let log = q.log().read().unwrap();
    assert!(log.torn_tail.is_none() && log.bad_lines.is_empty());
    let count = |f: fn(&EventKind) -> bool| log.events.iter().filter(|e| f(&e.kind)).count();
    assert_eq!(count(|k| matches!(k, EventKind::TaskClaimed { .. })), 2000);
    assert_eq!(
        count(|k| matches!(k, EventKind::TaskCompleted { .. })),
        2000
    );
}

#[test]
fn eight_processes_submitting_five_hundred_each_get_distinct_ids() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("q");
    let q = Queue::init(&root, QueueConfig::default()).unwrap();
    let children: Vec<_> = (0..8).map(|_| spawn("submitter", &root, "500")).collect();
    let mut ids = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "submitter failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        ids.extend(lines_with(&String::from_utf8_lossy(&out.stdout), "ID "));
    }
    assert_eq!(ids.len(), 4000);
    let distinct: HashSet<_> = ids.iter().cloned().collect();
    assert_eq!(distinct.len(), 4000, "ids must be unique");
    let pending: HashSet<String> = q
        .pending_ids()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(pending, distinct, "every task is in pending/");
    let logged: HashSet<String> = q
        .log()
        .read()
        .unwrap()
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::TaskSubmitted { .. }))
        .map(|e| e.task_id.unwrap().to_string())
        .collect();
    assert_eq!(logged, distinct, "every submission is in the log");
    // Dense per-day sequence: 1..=4000 (all submitted on one UTC day unless the test straddles midnight).
    let pending = q.pending_ids().unwrap();
    let mut seqs: Vec<u32> = pending.iter().map(|i| i.seq()).collect();
    seqs.sort_unstable();
    if pending.iter().all(|i| i.date() == pending[0].date()) {
        assert_eq!(seqs, (1..=4000).collect::<Vec<_>>());
    }
}

#[test]
fn paused_queue_hands_out_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::init(dir.path().join("q"), QueueConfig::default()).unwrap();
    q.submit(new_task(1), "t").unwrap();
    assert!(q.pause("t", "maintenance").unwrap());
    assert!(!q.pause("t", "again").unwrap(), "second pause is a no-op");
    assert!(q.claim("w").unwrap().is_none());
    assert!(q.resume("t").unwrap());
    assert!(!q.resume("t").unwrap());
    assert!(q.claim("w").unwrap().is_some());
    let types: Vec<_> = q
        .log()
        .read()
        .unwrap()
        .events
        .iter()
        .map(|e| e.type_name())
        .collect();
    assert_eq!(
        types,
        [
            "TASK_SUBMITTED",
            "QUEUE_PAUSED",
            "QUEUE_RESUMED",
            "TASK_CLAIMED"
        ]
    );
}

#[test]
fn release_returns_the_task_without_using_a_try_and_fences_stale_owners() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::init(dir.path().join("q"), QueueConfig::default()).unwrap();
    let id = q.submit(new_task(1), "t").unwrap().id;
    let c1 = q.claim("w1").unwrap().unwrap();
    q.release(&c1, "BACKEND_UNREACHABLE").unwrap();
    // The stale claim can no longer complete, renew or release.
    assert!(matches!(
        q.complete(&c1, "OK"),
        Err(queue_core::Error::LeaseLost { .. })
    ));
    assert!(matches!(
        q.renew(&c1),
        Err(queue_core::Error::LeaseLost { .. })
    ));
    let c2 = q.claim("w2").unwrap().unwrap();
    assert_eq!(c2.task.id, id);
    assert_eq!(c2.task.attempt, 1, "a release does not use up a try");
    assert!(matches!(
        q.complete(&c1, "OK"),
        Err(queue_core::Error::LeaseLost { .. })
    ));
    // Released four times in all: still the first try, as status reports it ("tries 5 of 3" counted claims).
    q.release(&c2, "BACKEND_UNREACHABLE").unwrap();
    for _ in 0..3 {
        let c = q.claim("w3").unwrap().unwrap();
        q.release(&c, "MODEL_NOT_FOUND").unwrap();
    }
    let c3 = q.claim("w3").unwrap().unwrap();
    assert_eq!(q.status_of(id).unwrap().attempts, 1);
    q.complete(&c3, "OK").unwrap();
    assert_eq!(q.status_of(id).unwrap().state, TaskState::Done);
    assert_eq!(q.status_of(id).unwrap().attempts, 1);
}
