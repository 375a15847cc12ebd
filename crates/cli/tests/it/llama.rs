//! End to end against a REAL model server: llama.cpp's llama-server with SmolLM2-135M-Instruct.
//!
//! A 135M model writes poor edits, so this asserts the pipeline, not code quality: structured answers are
//! parsed, bad edits are refused with reasons and fed back, a report is written, the task reaches a terminal
//! state, and nothing is lost.

use std::path::Path;
use std::process::{Command, Stdio};

use test_support::TempRepo;
use test_support::llama::{LlamaServer, locate};

use crate::{autodev, queue_dir};

#[test]
fn submit_worker_gate_report_against_real_llama_server() {
    let Some((binary, model)) = locate() else {
        return;
    };
    let server = LlamaServer::start(&binary, &model, &[]);

    let repo = TempRepo::with_files(&[
        (
            "src/config.rs",
            "pub fn parse_port(s: &str) -> Option<u16> {\n    s.parse().ok()\n}\n",
        ),
        ("README.md", "A tiny crate.\n"),
    ]);
    assert_eq!(autodev(repo.path(), &["init"]).code, 0);
    let sub = autodev(
        repo.path(),
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "-w",
            "parse_port accepts 0; make it return None when the port is 0",
        ],
    );
    assert_eq!(sub.code, 0, "{}", sub.stderr);
    let id = sub.stdout.trim().to_string();

    let out = Command::new(env!("CARGO_BIN_EXE_autodev"))
        .env("AUTODEV_LANG", "en")
        .args([
            "worker",
            "--once",
            "--backend",
            "openai",
            "--host",
            &server.url(),
            "--model",
            "smollm2",
        ])
        .current_dir(repo.path())
        .env_remove("AUTODEV_QUEUE")
        .env_remove("OLLAMA_MODEL")
        .env("AUTODEV_NUM_CTX", "4096")
        .env("AUTODEV_MAX_TOKENS", "400")
        .env("AUTODEV_MAX_EDITS", "3")
        .env("AUTODEV_MAX_EDIT_CHARS", "120")
        // The schema-constrained JSON format: what keeps a 135M model's answers bounded.
        .env("AUTODEV_EDIT_FORMAT", "search-replace")
        .env("AUTODEV_TEMPERATURE", "0")
        .env("AUTODEV_SEED", "7")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "worker failed:\n{stderr}\nserver log:\n{}",
        server.log_tail()
    );

    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    let state = st["state"].as_str().unwrap();
    assert!(
        state == "done" || state == "failed",
        "terminal state, got {state}: {st}"
    );
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(queue_dir(&repo).join(format!("results/{id}.report.json"))).unwrap(),
    )
    .unwrap();
    let attempts = report["attempts"].as_array().unwrap();
    assert!(!attempts.is_empty(), "{report}");
    assert_eq!(report["backend"], "openai");
    for a in attempts {
        assert!(
            a["completion_tokens"].as_u64().unwrap() > 0,
            "the real server reported usage: {a}"
        );
    }
    // The schema-constrained answer parsed as JSON at least once (what happened to the edits varies).
    assert!(
        attempts
            .iter()
            .any(|a| a["outcome"] != "EDIT_FORMAT_INVALID" && a["outcome"] != "OUTPUT_TRUNCATED"),
        "no structured answer parsed: {report}"
    );
    // Every refused try carries its reasons, which were fed back to the model.
    for a in attempts.iter().filter(|a| a["outcome"] != "GATE_PASSED") {
        assert!(!a["reasons"].as_array().unwrap().is_empty(), "{a}");
    }
    if state == "done" {
        assert_eq!(report["gate_verdict"], "PASS");
        assert!(Path::new(st["patch"].as_str().unwrap()).exists());
    } else {
        assert!(
            st["failure_reason"].as_str().is_some_and(|r| !r.is_empty()),
            "{st}"
        );
    }
    // Nothing lost, nothing left behind: exactly one task, in a terminal folder, and the log parses.
    let all = autodev(repo.path(), &["status", "--json"]).json();
    assert_eq!(all["tasks"].as_array().unwrap().len(), 1);
    assert!(all["log_problems"].as_array().unwrap().is_empty());
    eprintln!(
        "llama e2e: state={state} attempts={} outcomes={:?}",
        attempts.len(),
        attempts
            .iter()
            .map(|a| a["outcome"].clone())
            .collect::<Vec<_>>()
    );
}
