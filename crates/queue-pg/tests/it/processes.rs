//! Real processes against a real server: concurrent claimers, a holder frozen with SIGSTOP past its lease, and
//! workers killed at random while their connections are cut.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};

use queue_core::{EventKind, QueueConfig, ResultKind, TaskQueue, TaskState};
use queue_pg::PgQueue;
use test_support::postgres::{Postgres, server};

use crate::children::{lines_with, new_task, spawn};

fn queue(config: QueueConfig) -> (PgQueue, String) {
    let url = server().database();
    (PgQueue::init(&url, config).unwrap(), url)
}

#[test]
fn eight_processes_claim_2000_tasks_each_exactly_once() {
    let (q, url) = queue(QueueConfig::default());
    let mut submitted = HashSet::new();
    for n in 0..2000 {
        submitted.insert(q.submit(new_task(n), "cli:t").unwrap().id.to_string());
    }
    let children: Vec<_> = (0..8).map(|_| spawn("claimer", &url)).collect();
    let mut seen = BTreeMap::<String, usize>::new();
    let mut per_child = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ids = lines_with(&stdout, "CLAIMED ");
        per_child.push(ids.len());
        for id in ids {
            *seen.entry(id).or_default() += 1;
        }
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "claimed more than once: {twice:?}");
    let seen: HashSet<String> = seen.into_keys().collect();
    assert_eq!(seen, submitted, "every task claimed, none lost");
    assert!(
        per_child.iter().filter(|n| **n > 0).count() >= 2,
        "the claims were shared: {per_child:?}"
    );
    assert!(q.counts().unwrap().contains(&("done", 2000)));
    eprintln!("2000 tasks over 8 processes: {per_child:?}");
}

#[test]
fn a_holder_frozen_past_its_lease_cannot_finish_the_task() {
    let (q, url) = queue(QueueConfig {
        lease_secs: 1,
        ..QueueConfig::default()
    });
    let id = q.submit(new_task(1), "cli:t").unwrap().id;
    let mut child = spawn("stale_holder", &url);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // libtest prints its own lines first.
    let mut line = String::new();
    while !line.starts_with("CLAIMED") {
        line.clear();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
    }
    if !line.starts_with(&format!("CLAIMED {id} ")) {
        let out = child.wait_with_output().unwrap();
        panic!(
            "the child did not claim: {line}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGSTOP) }, 0);

    std::thread::sleep(Duration::from_millis(2200));
    assert_eq!(q.reap_expired("reaper").unwrap().requeued, vec![id]);
    let mine = q.claim("worker:b").unwrap().unwrap();
    assert_eq!(mine.task.attempt, 2);
    q.put_result(&mine, ResultKind::Patch, b"the real patch")
        .unwrap();
    q.complete(&mine, "GATE_PASSED").unwrap();

    // SAFETY: as above.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGCONT) }, 0);
    child.stdin.take().unwrap().write_all(b"go\n").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(lines_with(&rest, "PUT "), ["LEASE_LOST"]);
    assert_eq!(lines_with(&rest, "COMPLETE "), ["LEASE_LOST"]);
    assert_eq!(
        q.get_result(id, ResultKind::Patch).unwrap().as_deref(),
        Some(&b"the real patch"[..])
    );
    let completions: Vec<_> = q
        .events_after(0)
        .unwrap()
        .0
        .into_iter()
        .filter(|e| matches!(e.kind, EventKind::TaskCompleted { .. }))
        .map(|e| e.actor)
        .collect();
    assert_eq!(completions, ["worker:b"]);
}

#[test]
fn workers_killed_and_connections_cut_leave_every_task_finished_exactly_once() {
    const TASKS: usize = 300;
    let (q, url) = queue(QueueConfig {
        lease_secs: 2,
        max_attempts: 50,
        ..QueueConfig::default()
    });
    let db = Postgres::db_name(&url).to_string();
    for n in 0..TASKS {
        q.submit(new_task(n), "cli:t").unwrap();
    }
    let mut workers: Vec<_> = (0..4).map(|_| spawn("worker", &url)).collect();
    let (mut kills, mut cuts, mut round) = (0, 0, 0u64);
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        round += 1;
        std::thread::sleep(Duration::from_millis(150));
        // A cheap, repeatable spread of "random" choices: which worker dies, and when.
        if round % 3 == 0 {
            let victim = usize::try_from(round * 7 % 4).unwrap();
            workers[victim].kill().unwrap();
            workers[victim].wait().unwrap();
            workers[victim] = spawn("worker", &url);
            kills += 1;
        }
        if round % 4 == 0 {
            let n = server().psql(
                "postgres",
                &format!(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                     WHERE datname = '{db}' AND pid <> pg_backend_pid()"
                ),
            );
            cuts += n.trim().parse::<usize>().unwrap_or(0);
        }
        let counts = q.counts().unwrap();
        let finished: usize = counts
            .iter()
            .filter(|(s, _)| matches!(*s, "done" | "failed"))
            .map(|(_, n)| n)
            .sum();
        if finished == TASKS {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not finished in 240 s: {counts:?}"
        );
    }
    for mut w in workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    let mut finals = BTreeMap::<String, Vec<&'static str>>::new();
    let mut claims = 0;
    let mut cursor = 0;
    loop {
        let (events, next) = q.events_after(cursor).unwrap();
        if events.is_empty() {
            break;
        }
        cursor = next;
        for e in events {
            let id = e.task_id.map(|t| t.to_string()).unwrap_or_default();
            match e.kind {
                EventKind::TaskCompleted { .. } => finals.entry(id).or_default().push("done"),
                EventKind::TaskFailed { .. } => finals.entry(id).or_default().push("failed"),
                EventKind::TaskClaimed { .. } => claims += 1,
                _ => {}
            }
        }
    }
    let rows = q.tasks().unwrap();
    assert_eq!(rows.len(), TASKS);
    for row in &rows {
        let ends = finals.get(&row.id.to_string()).cloned().unwrap_or_default();
        let want = match row.state {
            TaskState::Done => "done",
            TaskState::Failed => "failed",
            other => panic!("{} is {other:?}", row.id),
        };
        assert_eq!(
            ends,
            [want],
            "{}: one final event that agrees with the table",
            row.id
        );
        if row.state == TaskState::Done {
            let body = q.get_result(row.id, ResultKind::Report).unwrap().unwrap();
            assert_eq!(body, row.id.to_string().as_bytes());
        }
    }
    assert!(
        kills > 0 && cuts > 0,
        "kills {kills}, connections cut {cuts}"
    );
    eprintln!(
        "chaos: {TASKS} tasks, {kills} workers killed, {cuts} connections cut, {claims} claims, all finished once"
    );
}

#[test]
fn an_idle_worker_wakes_when_a_task_is_submitted_elsewhere() {
    let (idle, url) = queue(QueueConfig::default());
    // The first wait starts the LISTEN connection; give it time to be listening.
    idle.wait_for_work(Duration::from_millis(10));
    std::thread::sleep(Duration::from_millis(1500));
    let waiter = std::thread::spawn(move || {
        let start = Instant::now();
        idle.wait_for_work(Duration::from_secs(120));
        (
            start.elapsed(),
            idle.claim("worker:idle").unwrap().map(|c| c.task.id),
        )
    });
    std::thread::sleep(Duration::from_millis(300));
    let other = PgQueue::open(&url).unwrap();
    let id = other.submit(new_task(1), "cli:elsewhere").unwrap().id;
    let (waited, claimed) = waiter.join().unwrap();
    // Woken by the notification, not by the two-minute timeout.
    assert!(waited < Duration::from_secs(60), "waited {waited:?}");
    assert_eq!(claimed, Some(id));
}
