//! The worker's own cost per task, excluding model time: a fake Ollama answers instantly with a fixed correct
//! edit, the task is trivial, the repository small, no gate checks. Each task is run with `Worker::run(once)`;
//! the same chat against the fake, made directly with the worker's client, is timed in the same loop
//! (interleaved) and subtracted. Also: resident memory of an idle `autodev worker` process.
//!
//! Run: `cargo bench -p worker --bench worker_overhead` (env `BENCH_TASKS`, default 30; `BENCH_AUTODEV_BIN`, the
//! `autodev` binary for the idle-RSS row — skipped when unset).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_servers::{FakeOllama, Script};
use queue_core::{Queue, QueueConfig, TaskSpec, TaskState};
use worker::backend::{Backend, BackendConfig, ChatRequest, Message};
use worker::{ConfigInputs, RunOptions, Worker, WorkerConfig};

fn git(dir: &std::path::Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(["-c", "user.name=b", "-c", "user.email=b@example.invalid"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() {
    let tasks: usize = std::env::var("BENCH_TASKS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("app");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    for i in 0..20 {
        std::fs::write(
            repo.join(format!("src/m{i}.rs")),
            format!("pub fn f{i}() -> u32 {{\n    {i}\n}}\n"),
        )
        .unwrap();
    }
    std::fs::write(
        repo.join("src/lib.rs"),
        "pub fn port() -> u16 {\n    0\n}\n",
    )
    .unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "init"]);
    let queue = Arc::new(Queue::init(dir.path().join("queue"), QueueConfig::default()).unwrap());

    let answer = serde_json::json!({"edits": [{"path": "src/lib.rs", "search": "    0\n", "replace": "    8080\n"}]});
    let fake = FakeOllama::start(Script::answer(answer.to_string()));
    let mut flags = BTreeMap::new();
    flags.insert("OLLAMA_HOST".to_string(), fake.url());
    let config = WorkerConfig::load(&ConfigInputs {
        flags,
        ..ConfigInputs::default()
    })
    .unwrap();
    let model = config.model.clone();
    let backend = Backend::new(BackendConfig::ollama(config.host.clone())).unwrap();
    let direct = Backend::new(BackendConfig::ollama(config.host.clone())).unwrap();
    let gate = gate::Gate::new(gate::GateConfig {
        work_root: Some(dir.path().join("gate")),
        ..gate::GateConfig::default()
    });
    let worker = Arc::new(Worker::new(
        Arc::clone(&queue),
        backend,
        gate,
        config,
        "bench:worker".into(),
    ));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let spec = TaskSpec {
        intent: Some("fix".into()),
        work: Some("port() returns 0; make it return 8080, the documented default".into()),
        targets: Some(vec!["src/lib.rs".into()]),
        repo: Some(repo.display().to_string()),
        ..TaskSpec::default()
    };
    let ctx = submit::ValidateContext {
        cwd: dir.path().to_path_buf(),
    };
    let (mut per_task, mut chat) = (Vec::new(), Vec::new());
    // One warm-up task (creates the gate's slot), not counted.
    for i in 0..=tasks {
        let task = submit::submit(&queue, &spec, &ctx, "bench").unwrap();
        let (_stop, rx) = tokio::sync::watch::channel(false);
        let t = Instant::now();
        let s = rt
            .block_on(worker.run(
                RunOptions {
                    once: true,
                    concurrency: 1,
                },
                rx,
            ))
            .unwrap();
        let took = t.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(s.passed, 1, "{s:?}");
        assert_eq!(queue.status_of(task.id).unwrap().state, TaskState::Done);
        let req = ChatRequest::new(
            model.clone(),
            vec![Message::user("port() returns 0; make it return 8080")],
            4096,
        );
        let t = Instant::now();
        rt.block_on(direct.chat(&req, &mut |_| {})).unwrap();
        let c = t.elapsed().as_secs_f64() * 1000.0;
        if i > 0 {
            per_task.push(took);
            chat.push(c);
        }
    }
    let (p, c) = (median(per_task), median(chat));
    println!(
        "{tasks} tasks, one at a time (`Worker::run` with once), trivial edit, 21-file repository, no checks; medians"
    );
    println!();
    println!("| what | median ms | target |");
    println!("|---|---:|---|");
    println!(
        "| whole task through the worker (claim → prompt → fake model → edit → diff → gate → report) | {p:.1} | |"
    );
    println!("| the same chat against the fake, direct (model time, subtracted) | {c:.1} | |");
    println!(
        "| **worker overhead per task** | **{:.1}** | ≤ 50 ms: {} |",
        p - c,
        if p - c <= 50.0 { "met" } else { "**missed**" }
    );

    if let Ok(bin) = std::env::var("BENCH_AUTODEV_BIN") {
        let q2 = dir.path().join("idle-queue");
        Queue::init(&q2, QueueConfig::default()).unwrap();
        let mut child = Command::new(bin)
            .args(["worker", "--queue"])
            .arg(&q2)
            .args(["--host", &fake.url()])
            .env("AUTODEV_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_secs(5));
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
        let kb = |key: &str| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        let (rss, threads) = (kb("VmRSS:"), kb("Threads:"));
        let alive = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        let _ = child.wait();
        println!(
            "| idle `autodev worker` resident memory (VmRSS after 5 s polling an empty queue; {threads} threads; still running: {alive}) | {:.1} MB | ≤ 30 MB: {} |",
            rss / 1024.0,
            if alive && rss / 1024.0 <= 30.0 {
                "met"
            } else {
                "**missed**"
            }
        );
    }
}
