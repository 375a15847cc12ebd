//! Claim + complete throughput of the PostgreSQL queue at 1 and 8 processes, in one run, next to (i) the
//! filesystem queue and (ii) the same SQL statements issued by a bare loop with no autodev logic (one
//! connection, no pool, no thread hand-off, no task decoding): the physical reference.
//!
//! Run: `cargo bench -p queue-pg --bench claim_throughput` (env `BENCH_TASKS`, default 2000). The server is
//! Debian's PostgreSQL with its default durability (fsync on), started for the run in a temporary folder. Each
//! worker is a separate OS process (this binary re-executed), released together through a "go" file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use queue_core::{Intent, NewTask, Queue, QueueConfig, TaskQueue};
use queue_pg::PgQueue;
use test_support::postgres::Postgres;

fn main() {
    if let Ok(role) = std::env::var("BENCH_ROLE") {
        child(&role);
        return;
    }
    let tasks: usize = std::env::var("BENCH_TASKS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let pg = Postgres::start_durable();
    let dir = tempfile::Builder::new()
        .prefix("autodev-bench-")
        .tempdir()
        .unwrap();
    println!(
        "claim+complete throughput, {tasks} tasks per run, PostgreSQL with fsync on, queue folders in {}",
        dir.path().display()
    );
    println!(
        "| processes | filesystem queue (tasks/s) | bare SQL loop (tasks/s) | autodev on PostgreSQL (tasks/s) | autodev / bare SQL |"
    );
    println!("|---:|---:|---:|---:|---:|");
    for procs in [1usize, 8] {
        let fs = run_fs(dir.path(), procs, tasks);
        let bare = run_pg(&pg, dir.path(), "bare", procs, tasks);
        let ours = run_pg(&pg, dir.path(), "pg", procs, tasks);
        println!(
            "| {procs} | {fs:.0} | {bare:.0} | {ours:.0} | {:.0}% |",
            100.0 * ours / bare
        );
    }
}

fn new_task(n: usize) -> NewTask {
    NewTask {
        title: format!("bench {n}"),
        intent: Intent::Fix,
        work: "a benchmark task that does nothing at all".into(),
        targets: vec!["src/lib.rs".into()],
        repo: "/bench".into(),
        base: "HEAD".into(),
        base_commit: Some("0".repeat(40)),
        checks: None,
    }
}

fn run_fs(base: &Path, procs: usize, tasks: usize) -> f64 {
    let dir = base.join(format!("fs-{procs}"));
    let q = Queue::init(&dir, QueueConfig::default()).unwrap();
    for i in 0..tasks {
        q.submit(new_task(i), "bench").unwrap();
    }
    race("fs", &dir.display().to_string(), &dir, procs, tasks)
}

fn run_pg(pg: &Postgres, base: &Path, role: &str, procs: usize, tasks: usize) -> f64 {
    let url = pg.database();
    let q = PgQueue::init(&url, QueueConfig::default()).unwrap();
    for i in 0..tasks {
        q.submit(new_task(i), "bench").unwrap();
    }
    let go = base.join(format!("{role}-{procs}"));
    std::fs::create_dir_all(&go).unwrap();
    race(role, &url, &go, procs, tasks)
}

/// Spawns `procs` children on `target`, releases them together, returns tasks/s.
fn race(role: &str, target: &str, dir: &Path, procs: usize, tasks: usize) -> f64 {
    let mut children: Vec<_> = (0..procs)
        .map(|i| {
            Command::new(std::env::current_exe().unwrap())
                .env("BENCH_ROLE", role)
                .env("BENCH_TARGET", target)
                .env("BENCH_GO", dir.join("GO"))
                .env("BENCH_INDEX", i.to_string())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut outs = Vec::new();
    for c in &mut children {
        let mut r = BufReader::new(c.stdout.take().unwrap());
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "READY");
        outs.push(r);
    }
    let start = Instant::now();
    File::create(dir.join("GO")).unwrap();
    for c in &mut children {
        assert!(c.wait().unwrap().success());
    }
    let secs = start.elapsed().as_secs_f64();
    let mut done = 0usize;
    for mut r in outs {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut r, &mut s).unwrap();
        done += s.trim().parse::<usize>().unwrap();
    }
    assert_eq!(done, tasks, "every task handled exactly once");
    tasks as f64 / secs
}

fn child(role: &str) {
    let target = std::env::var("BENCH_TARGET").unwrap();
    let go = PathBuf::from(std::env::var("BENCH_GO").unwrap());
    let me = format!("bench:{}", std::env::var("BENCH_INDEX").unwrap());
    let done = match role {
        "fs" => {
            let q = Queue::open(&target).unwrap();
            ready_then_wait(&go);
            claim_all(&q, &me)
        }
        "pg" => {
            let q = PgQueue::open(&target).unwrap();
            ready_then_wait(&go);
            claim_all(&q, &me)
        }
        "bare" => bare(&target, &go, &me),
        other => panic!("unknown role {other}"),
    };
    writeln!(std::io::stdout().lock(), "{done}").unwrap();
}

fn ready_then_wait(go: &Path) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    while !go.exists() {
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn claim_all(q: &dyn TaskQueue, me: &str) -> usize {
    let mut done = 0;
    while let Some(c) = q.claim(me).unwrap() {
        q.complete(&c, "OK").unwrap();
        done += 1;
    }
    done
}

/// The statements `PgQueue` issues for a claim and a completion, on one connection, in a plain loop.
fn bare(url: &str, go: &Path, me: &str) -> usize {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (mut client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        ready_then_wait(go);
        let lock: i64 = 0x4155_544f_4445_5645;
        let mut done = 0;
        loop {
            let token = ulid::Ulid::new().to_string();
            let tx = client.transaction().await.unwrap();
            let row = tx
                .query_opt(
                    "UPDATE autodev_tasks t
                        SET state = 'claimed', owner = $1, token = $2, updated_at = now(),
                            lease_expires_at = now() + make_interval(secs => q.lease_secs)
                       FROM autodev_queue q
                      WHERE q.paused_at IS NULL
                        AND t.id = (SELECT id FROM autodev_tasks WHERE state = 'pending'
                                     ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
                  RETURNING t.id, t.lease_expires_at",
                    &[&me, &token],
                )
                .await
                .unwrap();
            let Some(row) = row else { break };
            let id: String = row.get(0);
            let ev = serde_json::json!({"type": "TASK_CLAIMED", "task_id": id, "actor": me, "token": token});
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock]).await.unwrap();
            tx.execute("INSERT INTO autodev_events (task_id, event) VALUES ($1, $2)", &[&id, &ev])
                .await
                .unwrap();
            tx.commit().await.unwrap();

            let tx = client.transaction().await.unwrap();
            let none: Option<String> = None;
            let n = tx
                .execute(
                    "UPDATE autodev_tasks
                        SET state = 'done', owner = NULL, token = NULL, lease_expires_at = NULL,
                            failure_reason = $3, updated_at = now()
                      WHERE id = $1 AND token = $2",
                    &[&id, &token, &none],
                )
                .await
                .unwrap();
            assert_eq!(n, 1);
            let ev = serde_json::json!({"type": "TASK_COMPLETED", "task_id": id, "actor": me, "outcome": "OK"});
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock]).await.unwrap();
            tx.execute("INSERT INTO autodev_events (task_id, event) VALUES ($1, $2)", &[&id, &ev])
                .await
                .unwrap();
            tx.commit().await.unwrap();
            done += 1;
        }
        done
    })
}
