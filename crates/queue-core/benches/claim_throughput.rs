//! Durable claim+complete throughput of the queue with 1, 2 and 8 processes, next to a minimal loop doing the
//! same physical work (rename + fsync of the file and both directories, twice per task) in the same run.
//!
//! Run: `cargo bench -p queue-core --bench claim_throughput` (env `BENCH_TASKS`, default 2000).
//! Each worker is a separate OS process (this binary re-executed), started together through a "go" file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use queue_core::fsutil::{rename_noreplace, sync_dir};
use queue_core::{Intent, NewTask, Queue, QueueConfig};

fn main() {
    if let Ok(role) = std::env::var("BENCH_ROLE") {
        child(&role);
        return;
    }
    let tasks: usize = std::env::var("BENCH_TASKS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let base = tempfile::Builder::new()
        .prefix("autodev-bench-")
        .tempdir_in(bench_dir())
        .unwrap();
    println!(
        "queue claim+complete throughput, {tasks} tasks per run, tmp dir {}",
        base.path().display()
    );
    println!(
        "| processes | raw rename+fsync loop (tasks/s) | autodev queue (tasks/s) | queue / raw |"
    );
    println!("|---:|---:|---:|---:|");
    for procs in [1usize, 2, 8] {
        let raw = run_raw(base.path(), procs, tasks);
        let q = run_queue(base.path(), procs, tasks);
        println!("| {procs} | {raw:.0} | {q:.0} | {:.0}% |", 100.0 * q / raw);
    }
}

fn bench_dir() -> PathBuf {
    std::env::var_os("BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
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

/// Spawns `procs` children, releases them together, returns tasks/s.
fn race(role: &str, dir: &Path, procs: usize, tasks: usize) -> f64 {
    let go = dir.join("GO");
    let mut children: Vec<_> = (0..procs)
        .map(|i| {
            Command::new(std::env::current_exe().unwrap())
                .env("BENCH_ROLE", role)
                .env("BENCH_PATH", dir)
                .env("BENCH_INDEX", i.to_string())
                .env("BENCH_PROCS", procs.to_string())
                .env("BENCH_TASKS", tasks.to_string())
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
    File::create(&go).unwrap();
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

fn run_raw(base: &Path, procs: usize, tasks: usize) -> f64 {
    let dir = base.join(format!("raw-{procs}"));
    for d in ["a", "b", "c"] {
        fs::create_dir_all(dir.join(d)).unwrap();
    }
    for i in 0..tasks {
        let mut f = File::create(dir.join("a").join(i.to_string())).unwrap();
        f.write_all(&[b'x'; 600]).unwrap();
    }
    sync_dir(&dir.join("a")).unwrap();
    race("raw", &dir, procs, tasks)
}

fn run_queue(base: &Path, procs: usize, tasks: usize) -> f64 {
    let dir = base.join(format!("queue-{procs}"));
    let q = Queue::init(&dir, QueueConfig::default()).unwrap();
    for i in 0..tasks {
        q.submit(new_task(i), "bench").unwrap();
    }
    race("queue", &dir, procs, tasks)
}

fn child(role: &str) {
    let dir = PathBuf::from(std::env::var("BENCH_PATH").unwrap());
    let idx: usize = std::env::var("BENCH_INDEX").unwrap().parse().unwrap();
    let procs: usize = std::env::var("BENCH_PROCS").unwrap().parse().unwrap();
    let tasks: usize = std::env::var("BENCH_TASKS").unwrap().parse().unwrap();
    let queue = (role == "queue").then(|| Queue::open(&dir).unwrap());
    let mut out = std::io::stdout().lock();
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    while !dir.join("GO").exists() {
        std::thread::sleep(Duration::from_micros(200));
    }
    let mut done = 0usize;
    match queue {
        Some(q) => {
            let me = format!("bench:{idx}");
            while let Some(c) = q.claim(&me).unwrap() {
                q.complete(&c, "OK").unwrap();
                done += 1;
            }
        }
        None => {
            // The physical reference: the same renames and fsyncs, with no contention logic (tasks are
            // partitioned up front) and no log.
            let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
            for i in (idx..tasks).step_by(procs) {
                let name = i.to_string();
                for (from, to) in [(&a, &b), (&b, &c)] {
                    rename_noreplace(&from.join(&name), &to.join(&name)).unwrap();
                    File::open(to.join(&name)).unwrap().sync_all().unwrap();
                    sync_dir(to).unwrap();
                    sync_dir(from).unwrap();
                }
                done += 1;
            }
        }
    }
    writeln!(out, "{done}").unwrap();
}
