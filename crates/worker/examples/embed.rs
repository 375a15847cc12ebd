//! Embedding autodev's libraries in your own tool: submit → worker → gate from Rust code, against a fake model
//! server (swap in `BackendConfig::ollama("http://127.0.0.1:11434")` for a real one).
//!
//! Run: `cargo run -p worker --example embed` (the test command runs it). Exits non-zero if the chain breaks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;

use fake_servers::{FakeOllama, Script};
use queue_core::{Queue, QueueConfig, TaskSpec, TaskState};
use worker::backend::{Backend, BackendConfig};
use worker::{ConfigInputs, RunOptions, Worker, WorkerConfig};

fn git(dir: &std::path::Path, args: &[&str]) {
    let ok = Command::new("git")
        .args([
            "-c",
            "user.name=embed",
            "-c",
            "user.email=embed@example.invalid",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

fn main() {
    // 1. A repository to change.
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("app");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(
        repo.join("src/lib.rs"),
        "pub fn port() -> u16 {\n    0\n}\n",
    )
    .unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "init"]);

    // 2. A queue (anywhere; here outside the repository) and a validated submission.
    let queue = Arc::new(Queue::init(dir.path().join("queue"), QueueConfig::default()).unwrap());
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
    let task = submit::submit(&*queue, &spec, &ctx, "embed:example").unwrap();
    println!("submitted {}", task.id);

    // 3. A model server. This one is scripted to answer with a correct edit.
    let answer = serde_json::json!({"edits": [{"path": "src/lib.rs", "search": "    0\n", "replace": "    8080\n"}]});
    let fake = FakeOllama::start(Script::answer(answer.to_string()));

    // 4. A worker: configuration (same precedence as the CLI), client, gate.
    let mut flags = BTreeMap::new();
    flags.insert("OLLAMA_HOST".to_string(), fake.url());
    let config = WorkerConfig::load(&ConfigInputs {
        flags,
        ..ConfigInputs::default()
    })
    .unwrap();
    let backend = Backend::new(BackendConfig::ollama(config.host.clone())).unwrap();
    let gate = gate::Gate::new(gate::GateConfig::default());
    let worker = Arc::new(Worker::new(
        Arc::clone(&queue) as Arc<dyn queue_core::TaskQueue>,
        backend,
        gate,
        config,
        "embed:worker".into(),
    ));

    let rt = tokio::runtime::Runtime::new().unwrap();
    // Never cancelled: `once` ends the run after one task.
    let stop = worker::CancellationToken::new();
    let summary = rt
        .block_on(worker.run(
            RunOptions {
                once: true,
                concurrency: 1,
            },
            stop,
        ))
        .unwrap();
    println!("worker: {summary:?}");

    // 5. The outcome, as a status and as files.
    let status = queue.status_of(task.id).unwrap();
    assert_eq!(status.state, TaskState::Done, "{status:?}");
    let patch = std::fs::read_to_string(status.patch.as_ref().unwrap()).unwrap();
    println!("gate PASS; patch:\n{patch}");
    assert!(patch.contains("+    8080"));
}
