//! One suite, two backends: each case is a function of a `&dyn TaskQueue`, run once on a filesystem queue and
//! once on a PostgreSQL queue by [`both!`].

use std::time::Duration;

use queue_core::{Error, EventKind, Queue, QueueConfig, ResultKind, TaskQueue, TaskState};
use queue_pg::PgQueue;

use crate::children::new_task;

/// A queue and what keeps it alive (its folder).
pub(crate) struct Backend {
    pub(crate) queue: Box<dyn TaskQueue>,
    _dir: Option<tempfile::TempDir>,
}

pub(crate) fn fs(config: QueueConfig) -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let queue = Queue::init(dir.path().join(".autodev_queue"), config).unwrap();
    Backend {
        queue: Box::new(queue),
        _dir: Some(dir),
    }
}

pub(crate) fn pg(config: QueueConfig) -> Backend {
    let url = test_support::postgres::server().database();
    Backend {
        queue: Box::new(PgQueue::init(&url, config).unwrap()),
        _dir: None,
    }
}

fn short_lease(max_attempts: u32) -> QueueConfig {
    QueueConfig {
        lease_secs: 1,
        max_attempts,
        ..QueueConfig::default()
    }
}

/// Past a one-second lease on both backends (the filesystem's lease runs from a file time).
fn outlive_lease() {
    std::thread::sleep(Duration::from_millis(2200));
}

macro_rules! both {
    ($name:ident, $config:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::{QueueConfig, short_lease};

            #[test]
            fn fs() {
                let b = super::fs($config);
                super::$name(&*b.queue);
            }
            #[test]
            fn pg() {
                let b = super::pg($config);
                super::$name(&*b.queue);
            }
        }
    };
}

fn types(q: &dyn TaskQueue) -> Vec<&'static str> {
    q.events_after(0)
        .unwrap()
        .0
        .iter()
        .map(|e| e.type_name())
        .collect()
}

both!(
    claims_oldest_first_and_logs_each_step,
    QueueConfig::default()
);
fn claims_oldest_first_and_logs_each_step(q: &dyn TaskQueue) {
    assert!(
        q.claim("w").unwrap().is_none(),
        "an empty queue has nothing to claim"
    );
    let ids: Vec<_> = (0..3)
        .map(|n| q.submit(new_task(n), "cli:t").unwrap().id)
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids rise: {ids:?}");
    for id in &ids {
        let c = q.claim("w").unwrap().unwrap();
        assert_eq!(c.task.id, *id);
        assert_eq!(c.task.attempt, 1);
        assert_eq!(c.task.submitted_by, "cli:t");
        q.complete(&c, "GATE_PASSED").unwrap();
    }
    assert!(q.claim("w").unwrap().is_none());
    let t = types(q);
    assert_eq!(t.iter().filter(|t| **t == "TASK_SUBMITTED").count(), 3);
    assert_eq!(t.iter().filter(|t| **t == "TASK_CLAIMED").count(), 3);
    assert_eq!(t.iter().filter(|t| **t == "TASK_COMPLETED").count(), 3);
    assert_eq!(q.task(ids[0]).unwrap().1, TaskState::Done);
    let counts = q.counts().unwrap();
    assert!(
        counts.contains(&("done", 3)) && counts.contains(&("pending", 0)),
        "{counts:?}"
    );
}

both!(a_stale_token_changes_nothing, QueueConfig::default());
fn a_stale_token_changes_nothing(q: &dyn TaskQueue) {
    let id = q.submit(new_task(1), "cli:t").unwrap().id;
    let held = q.claim("w1").unwrap().unwrap();
    // The same task under a token that is not the holder's.
    let forged = queue_core::Claim::held(held.task.clone(), "w1", "01J0000000000000000000FAKE");
    for res in [
        q.renew(&forged),
        q.complete(&forged, "GATE_PASSED"),
        q.fail(&forged, "X", "x"),
        q.release(&forged, "X"),
        q.put_result(&forged, ResultKind::Patch, b"forged"),
    ] {
        assert!(
            matches!(res, Err(Error::LeaseLost { task }) if task == id),
            "{res:?}"
        );
    }
    assert_eq!(q.task(id).unwrap().1, TaskState::Claimed);
    assert_eq!(q.get_result(id, ResultKind::Patch).unwrap(), None);
    q.complete(&held, "GATE_PASSED").unwrap();
    assert!(
        matches!(
            q.complete(&held, "GATE_PASSED"),
            Err(Error::LeaseLost { .. })
        ),
        "a second finish"
    );
    assert_eq!(
        types(q).iter().filter(|t| **t == "TASK_COMPLETED").count(),
        1
    );
}

both!(
    an_expired_lease_is_taken_back_with_the_next_try,
    short_lease(3)
);
fn an_expired_lease_is_taken_back_with_the_next_try(q: &dyn TaskQueue) {
    let id = q.submit(new_task(1), "cli:t").unwrap().id;
    let old = q.claim("w1").unwrap().unwrap();
    q.put_result(&old, ResultKind::Report, b"first try")
        .unwrap();
    outlive_lease();
    let reaped = q.reap_expired("reaper").unwrap();
    assert_eq!(reaped.requeued, vec![id]);
    let new = q.claim("w2").unwrap().unwrap();
    assert_eq!((new.task.id, new.task.attempt), (id, 2));
    assert!(matches!(
        q.put_result(&old, ResultKind::Report, b"stale"),
        Err(Error::LeaseLost { .. })
    ));
    assert!(matches!(
        q.complete(&old, "GATE_PASSED"),
        Err(Error::LeaseLost { .. })
    ));
    q.put_result(&new, ResultKind::Report, b"second try")
        .unwrap();
    q.complete(&new, "GATE_PASSED").unwrap();
    assert_eq!(
        q.get_result(id, ResultKind::Report).unwrap().as_deref(),
        Some(&b"second try"[..])
    );
    let requeued = q
        .events_after(0)
        .unwrap()
        .0
        .into_iter()
        .find_map(|e| match e.kind {
            EventKind::TaskRequeued {
                attempt, reason, ..
            } => Some((attempt, reason)),
            _ => None,
        });
    assert_eq!(requeued, Some((2, "LEASE_EXPIRED".to_string())));
    let row = q.tasks().unwrap().into_iter().find(|r| r.id == id).unwrap();
    assert_eq!((row.state, row.attempts), (TaskState::Done, 2));
}

both!(the_last_try_expiring_fails_the_task, short_lease(1));
fn the_last_try_expiring_fails_the_task(q: &dyn TaskQueue) {
    let id = q.submit(new_task(1), "cli:t").unwrap().id;
    let _c = q.claim("w1").unwrap().unwrap();
    outlive_lease();
    assert_eq!(q.reap_expired("reaper").unwrap().failed, vec![id]);
    assert_eq!(q.task(id).unwrap().1, TaskState::Failed);
    assert!(q.claim("w2").unwrap().is_none());
    let row = q.tasks().unwrap().into_iter().find(|r| r.id == id).unwrap();
    assert_eq!(row.failure_reason.as_deref(), Some("MAX_ATTEMPTS_EXCEEDED"));
}

both!(a_release_uses_no_try, QueueConfig::default());
fn a_release_uses_no_try(q: &dyn TaskQueue) {
    let id = q.submit(new_task(1), "cli:t").unwrap().id;
    let c = q.claim("w1").unwrap().unwrap();
    q.release(&c, "MODEL_UNAVAILABLE").unwrap();
    assert_eq!(q.task(id).unwrap().1, TaskState::Pending);
    let again = q.claim("w2").unwrap().unwrap();
    assert_eq!(again.task.attempt, 1);
    assert_ne!(again.token, c.token, "each claim has a fresh token");
    assert!(matches!(q.renew(&c), Err(Error::LeaseLost { .. })));
    q.renew(&again).unwrap();
}

both!(a_paused_queue_gives_no_work, QueueConfig::default());
fn a_paused_queue_gives_no_work(q: &dyn TaskQueue) {
    q.submit(new_task(1), "cli:t").unwrap();
    assert!(!q.paused().unwrap());
    assert!(q.pause("cli:t", "maintenance").unwrap());
    assert!(!q.pause("cli:t", "again").unwrap(), "already paused");
    assert!(q.paused().unwrap());
    assert!(q.claim("w").unwrap().is_none());
    assert!(q.resume("cli:t").unwrap());
    assert!(!q.resume("cli:t").unwrap());
    assert!(q.claim("w").unwrap().is_some());
    let t = types(q);
    assert_eq!(t.iter().filter(|t| **t == "QUEUE_PAUSED").count(), 1);
    assert_eq!(t.iter().filter(|t| **t == "QUEUE_RESUMED").count(), 1);
}

both!(
    a_failure_keeps_its_reason_and_a_clipped_message,
    QueueConfig::default()
);
fn a_failure_keeps_its_reason_and_a_clipped_message(q: &dyn TaskQueue) {
    let id = q.submit(new_task(1), "cli:t").unwrap().id;
    let c = q.claim("w").unwrap().unwrap();
    q.fail(&c, "GATE_FAILED", &"x".repeat(10_000)).unwrap();
    let row = q.tasks().unwrap().into_iter().find(|r| r.id == id).unwrap();
    assert_eq!(
        (row.state, row.failure_reason.as_deref()),
        (TaskState::Failed, Some("GATE_FAILED"))
    );
    let message = q
        .events_after(0)
        .unwrap()
        .0
        .into_iter()
        .find_map(|e| match e.kind {
            EventKind::TaskFailed { message, .. } => Some(message),
            _ => None,
        })
        .unwrap();
    assert!(
        message.len() < queue_core::MAX_FAILURE_MESSAGE + 100 && message.starts_with("xxx"),
        "{}",
        message.len()
    );
}

both!(
    a_follower_reads_each_event_once_in_order,
    QueueConfig::default()
);
fn a_follower_reads_each_event_once_in_order(q: &dyn TaskQueue) {
    q.submit(new_task(1), "cli:t").unwrap();
    let (first, cursor) = q.events_after(0).unwrap();
    assert_eq!(first.len(), 1);
    let (none, same) = q.events_after(cursor).unwrap();
    assert!(none.is_empty());
    assert_eq!(same, cursor);
    q.submit(new_task(2), "cli:t").unwrap();
    let c = q.claim("w").unwrap().unwrap();
    q.record(
        EventKind::GateFailed {
            reasons: vec!["X".into()],
        },
        Some(c.task.id),
        "w",
    )
    .unwrap();
    let (next, _) = q.events_after(cursor).unwrap();
    let names: Vec<_> = next.iter().map(|e| e.type_name()).collect();
    assert_eq!(names, ["TASK_SUBMITTED", "TASK_CLAIMED", "GATE_FAILED"]);
}

both!(unknown_tasks_are_named, QueueConfig::default());
fn unknown_tasks_are_named(q: &dyn TaskQueue) {
    let id: queue_core::TaskId = "T20200101-0007".parse().unwrap();
    assert!(matches!(q.task(id), Err(Error::UnknownTask(x)) if x == id));
    assert_eq!(q.get_result(id, ResultKind::Gate).unwrap(), None);
}

both!(a_queue_wide_lock_has_one_holder, QueueConfig::default());
fn a_queue_wide_lock_has_one_holder(q: &dyn TaskQueue) {
    let held = q.try_exclusive("deliver").unwrap();
    assert!(held.is_some());
    assert!(
        q.try_exclusive("deliver").unwrap().is_none(),
        "a second holder"
    );
    assert!(
        q.try_exclusive("telegram").unwrap().is_some(),
        "another lock is free"
    );
    drop(held);
    assert!(
        q.try_exclusive("deliver").unwrap().is_some(),
        "free again once dropped"
    );
}
