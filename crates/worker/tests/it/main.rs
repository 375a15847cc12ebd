//! Integration tests of `worker::backend` against the scripted fakes in `fake-servers`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixtures;
mod ollama;
mod openai;
mod real;

use std::time::Duration;

use worker::backend::Backend;
use worker::backend::BackendConfig;
use worker::backend::BackendError;
use worker::backend::BackendKind;
use worker::backend::ChatRequest;
use worker::backend::ChatResponse;
use worker::backend::Message;
use worker::backend::Phase;
use worker::backend::Progress;

/// The model every default script has installed.
const MODEL: &str = "qwen2.5-coder:7b";

/// Korean, emoji (4-byte), a combining sequence and JSON escapes: every multi-byte width.
const UNICODE: &str =
    "{\"summary\":\"한국어 요청 처리 완료 🦀🎉 — café ñ \\\"quoted\\\" 👩‍💻\",\"edits\":[]}";

/// A config with test-sized limits.
fn config(kind: BackendKind, url: &str) -> BackendConfig {
    let mut config = BackendConfig::new(kind, url);
    config.connect_timeout = Duration::from_secs(2);
    config.first_byte_timeout = Duration::from_secs(5);
    config.idle_timeout = Duration::from_secs(5);
    config.request_timeout = Duration::from_secs(5);
    config.busy_backoff_base = Duration::from_millis(5);
    config.progress_interval = Duration::from_millis(20);
    config
}

fn backend(kind: BackendKind, url: &str) -> Backend {
    Backend::new(config(kind, url)).unwrap()
}

fn request() -> ChatRequest {
    ChatRequest::new(
        MODEL,
        vec![
            Message::system("You write patches."),
            Message::user("Fix the add function."),
        ],
        8192,
    )
}

/// Runs a chat, collecting the progress reports.
async fn chat(
    backend: &Backend,
    req: &ChatRequest,
) -> (Result<ChatResponse, BackendError>, Vec<Progress>) {
    let mut seen = Vec::new();
    let result = backend
        .chat(req, &mut |p: &Progress| seen.push(p.clone()))
        .await;
    (result, seen)
}

fn phases(seen: &[Progress]) -> Vec<Phase> {
    let mut out: Vec<Phase> = Vec::new();
    for p in seen {
        if out.last() != Some(&p.phase) {
            out.push(p.phase);
        }
    }
    out
}
