//! The worker's own cost per task, excluding model time: a fake Ollama answers instantly with a fixed correct
//! edit, the task is trivial, the repository small, no gate checks. Each task is run with `Worker::run(once)`;
//! the same chat against the fake, made directly with the worker's client, is timed in the same loop
//! (interleaved) and subtracted. Also: resident memory of an idle `autodev worker` process.
//!
//! Run: `cargo bench -p worker --bench worker_overhead` (env `BENCH_TASKS`, default 30; `BENCH_AUTODEV_BIN`, the
//! `autodev` binary for the idle-RSS row — skipped when unset).
//!
//! With `BENCH_LLAMA_URL` (a running llama-server, e.g. from `scripts/start-llama-server.sh`) it also compares
//! generation tokens/s seen through the worker's client (`Backend::chat`, OpenAI kind) with a direct streaming
//! request to the same server, interleaved `BENCH_LLAMA_RUNS` times (default 5) after one warm-up of each.

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
        Arc::clone(&queue) as Arc<dyn queue_core::TaskQueue>,
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
        let task = submit::submit(&*queue, &spec, &ctx, "bench").unwrap();
        let stop = worker::CancellationToken::new();
        let t = Instant::now();
        let s = rt
            .block_on(worker.run(
                RunOptions {
                    once: true,
                    concurrency: 1,
                },
                stop,
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

    idle_rss(&dir, &fake.url());
    if let Some(url) = std::env::var("BENCH_LLAMA_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        tokens_per_second(&rt, url.trim_end_matches('/'));
    }
}

const LLAMA_PROMPT: &str =
    "Write a Rust function that returns the n-th Fibonacci number, then explain how it works.";
const LLAMA_MAX_TOKENS: u32 = 128;

/// One direct streaming request: (server-reported generation tokens/s, generated tokens, wall seconds).
async fn direct_chat(client: &reqwest::Client, url: &str, model: &str) -> (f64, u64, f64) {
    let body = serde_json::json!({
        "model": model,
        "messages": [{"role": "user", "content": LLAMA_PROMPT}],
        "stream": true,
        "stream_options": {"include_usage": true},
        "max_tokens": LLAMA_MAX_TOKENS,
        "temperature": 0.0,
        "seed": 1,
    });
    let t = Instant::now();
    let text = client
        .post(format!("{url}/v1/chat/completions"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .text()
        .await
        .unwrap();
    let wall = t.elapsed().as_secs_f64();
    let timings = text
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str::<serde_json::Value>(d.trim()).ok())
        .filter_map(|v| v.get("timings").cloned())
        .next_back()
        .expect("no chunk with timings in the stream");
    let tps = timings["predicted_per_second"].as_f64().unwrap();
    let n = timings["predicted_n"].as_u64().unwrap_or(0);
    (tps, n, wall)
}

fn tokens_per_second(rt: &tokio::runtime::Runtime, url: &str) {
    let runs: usize = std::env::var("BENCH_LLAMA_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let model = std::env::var("BENCH_LLAMA_MODEL").unwrap_or_else(|_| "bench".into());
    let client = reqwest::Client::new();
    let backend = Backend::new(BackendConfig::openai(url)).unwrap();
    let mut req = ChatRequest::new(model.clone(), vec![Message::user(LLAMA_PROMPT)], 4096);
    req.seed = Some(1);
    req.max_tokens = Some(LLAMA_MAX_TOKENS);
    let (mut direct, mut direct_e2e, mut via, mut via_e2e, mut tokens) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Run 0 warms both paths up (prompt cache, connection) and is not counted.
    for i in 0..=runs {
        let (tps, n, wall) = rt.block_on(direct_chat(&client, url, &model));
        let t = Instant::now();
        let resp = rt.block_on(backend.chat(&req, &mut |_| {})).unwrap();
        let w = t.elapsed().as_secs_f64();
        if i > 0 {
            direct.push(tps);
            direct_e2e.push(n as f64 / wall);
            via.push(resp.tokens_per_second());
            via_e2e.push(resp.completion_tokens as f64 / w);
            tokens.push(format!("{n}/{}", resp.completion_tokens));
        }
    }
    let (d, v) = (median(direct), median(via));
    let (de, ve) = (median(direct_e2e), median(via_e2e));
    let ratio = 100.0 * v / d;
    println!();
    println!("### Tokens/s through the worker versus a direct request");
    println!();
    println!(
        "The same llama-server (`scripts/start-llama-server.sh`: SmolLM2-135M Q4_1, 1 slot), the same prompt, \
         streaming, `max_tokens` {LLAMA_MAX_TOKENS}, temperature 0, seed 1; {runs} runs interleaved (direct, then \
         the worker's `Backend::chat`) after one warm-up of each; medians. Generation tokens/s is the server's \
         own measure (`timings`: generated tokens / generation time); end-to-end is generated tokens / wall time \
         of the whole request as the client sees it. Tokens generated (direct/worker) per run: {}.",
        tokens.join(", ")
    );
    println!();
    println!("| what | direct | through the worker | worker / direct | target |");
    println!("|---|---:|---:|---:|---|");
    println!(
        "| **generation tokens/s** | {d:.1} | {v:.1} | **{ratio:.1}%** | ≥ 97%: {} |",
        if ratio >= 97.0 { "met" } else { "**missed**" }
    );
    println!(
        "| end-to-end tokens/s (incl. prompt and HTTP) | {de:.1} | {ve:.1} | {:.1}% | |",
        100.0 * ve / de
    );
}

fn idle_rss(dir: &tempfile::TempDir, fake_url: &str) {
    if let Ok(bin) = std::env::var("BENCH_AUTODEV_BIN") {
        let q2 = dir.path().join("idle-queue");
        Queue::init(&q2, QueueConfig::default()).unwrap();
        let mut child = Command::new(bin)
            .args(["worker", "--queue"])
            .arg(&q2)
            .args(["--host", fake_url])
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
