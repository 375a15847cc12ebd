//! Against a real llama.cpp `llama-server` with SmolLM2-135M (see `test_support::llama`): fails with what to do
//! when the server is not built, unless `AUTODEV_SKIP_LLAMA=1`.

use serde_json::json;
use test_support::llama::LlamaServer;
use worker::backend::BackendKind;

use crate::*;

/// Starts llama-server on a free loopback port; `None` only with the explicit opt-out.
async fn start() -> Option<(LlamaServer, String)> {
    let (binary, model) = test_support::llama::locate()?;
    let server = tokio::task::spawn_blocking(move || LlamaServer::start(&binary, &model, &[]))
        .await
        .unwrap();
    let url = server.url();
    Some((server, url))
}

#[tokio::test]
async fn real_llama_server_streams_usage_timings_and_limits() {
    let Some((_server, url)) = start().await else {
        return;
    };
    // A real server on a loaded 2-core machine (other tests, builds) can take far longer than the fakes' 5 s to
    // send its first byte; the worker's own default is 10 minutes.
    let mut cfg = config(BackendKind::OpenAi, &url);
    cfg.first_byte_timeout = Duration::from_secs(180);
    cfg.idle_timeout = Duration::from_secs(120);
    let backend = Backend::new(cfg).unwrap();

    let details = backend.show(MODEL).await.unwrap();
    assert_eq!(
        details.context_length,
        Some(4096),
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
