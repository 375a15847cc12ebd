//! Against a real llama.cpp `llama-server`, when one is available: `LLAMA_SERVER` (the binary) and
//! `LLAMA_MODEL` (a GGUF file), as printed by `scripts/ensure-llama-server.sh`. Skipped otherwise.

use std::process::Child;
use std::process::Command;
use std::process::Stdio;
use std::time::Duration;

use serde_json::json;
use worker::backend::BackendKind;

use crate::*;

/// Kills the server (only the child this test started) when the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts llama-server on a free loopback port with a 2048-token context; `None` when not configured.
async fn start() -> Option<(Server, String)> {
    let (Ok(binary), Ok(model)) = (std::env::var("LLAMA_SERVER"), std::env::var("LLAMA_MODEL"))
    else {
        eprintln!(
            "skipped: set LLAMA_SERVER and LLAMA_MODEL (scripts/ensure-llama-server.sh) to run"
        );
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(binary)
        .args([
            "-m",
            &model,
            "-c",
            "2048",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "-np",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    let url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    for _ in 0..600 {
        if let Ok(response) = client.get(format!("{url}/health")).send().await
            && response.status().is_success()
        {
            return Some((server, url));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("llama-server did not become healthy within 60 s");
}

#[tokio::test]
async fn real_llama_server_streams_usage_timings_and_limits() {
    let Some((_server, url)) = start().await else {
        return;
    };
    let backend = backend(BackendKind::OpenAi, &url);

    let details = backend.show(MODEL).await.unwrap();
    assert_eq!(
        details.context_length,
        Some(2048),
        "the launch context from /props"
    );
    assert!(!backend.list_models().await.unwrap().is_empty());

    let mut req = request();
    req.messages = vec![Message::user("Say hello in Korean and add an emoji.")];
    req.seed = Some(1);
    req.max_tokens = Some(48);
    let (result, seen) = chat(&backend, &req).await;
    let response = result.unwrap();
    assert!(!response.content.is_empty());
    assert!(
        matches!(response.done_reason.as_deref(), Some("stop" | "length")),
        "{response:?}"
    );
    assert!(
        response.prompt_tokens > 0 && response.completion_tokens > 0,
        "{response:?}"
    );
    assert!(
        response.generation_duration > Duration::ZERO,
        "timings parsed: {response:?}"
    );
    assert!(response.tokens_per_second() > 0.0);
    assert_eq!(phases(&seen).last(), Some(&Phase::Done));

    req.max_tokens = Some(3);
    let response = chat(&backend, &req).await.0.unwrap();
    assert!(response.is_truncated(), "{response:?}");
    assert_eq!(response.completion_tokens, 3);

    let schema = json!({
        "type": "object",
        "properties": {"greeting": {"type": "string", "maxLength": 20}},
        "required": ["greeting"],
    });
    req.max_tokens = Some(64);
    req.json_schema = Some(schema);
    let response = chat(&backend, &req).await.0.unwrap();
    eprintln!("schema-constrained answer: {response:?}");
    if response.done_reason.as_deref() == Some("stop") {
        let value: serde_json::Value = serde_json::from_str(&response.content)
            .unwrap_or_else(|err| panic!("schema not applied ({err}): {:?}", response.content));
        assert!(value["greeting"].is_string(), "{value}");
    }
}
