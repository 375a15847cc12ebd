//! `worker::backend` against `FakeOpenAi` (llama-server's OpenAI-compatible API, server-sent events).

use std::time::Duration;

use fake_servers::Answer;
use fake_servers::Chunking;
use fake_servers::FakeOpenAi;
use fake_servers::Script;
use fake_servers::Step;
use serde_json::json;
use worker::backend::BackendError;
use worker::backend::BackendKind;
use worker::backend::Phase;

use crate::*;

fn openai(fake: &FakeOpenAi) -> Backend {
    backend(BackendKind::OpenAi, &fake.url())
}

#[tokio::test]
async fn streams_sse_with_usage_timings_and_done() {
    let fake = FakeOpenAi::start(Script::new(vec![Step::Answer(Answer {
        content: "fn main() {}".into(),
        prompt_tokens: Some(44),
        completion_tokens: Some(35),
        ..Answer::default()
    })]));
    let (result, seen) = chat(&openai(&fake), &request()).await;
    let response = result.unwrap();
    assert_eq!(response.content, "fn main() {}");
    assert_eq!(response.done_reason.as_deref(), Some("stop"));
    assert_eq!(
        (response.prompt_tokens, response.completion_tokens),
        (44, 35)
    );
    assert_eq!(response.model, MODEL);
    // timings: 1 ms per prompt token, 20 ms per predicted token.
    assert_eq!(response.prompt_duration, Duration::from_millis(44));
    assert_eq!(response.generation_duration, Duration::from_millis(700));
    assert!((response.tokens_per_second() - 50.0).abs() < 1e-6);
    assert_eq!(phases(&seen).first(), Some(&Phase::Connecting));
    assert_eq!(phases(&seen).last(), Some(&Phase::Done));
}

#[tokio::test]
async fn request_body_uses_the_openai_shapes() {
    let fake = FakeOpenAi::start(Script::answer("{}"));
    let schema = json!({"type": "object", "properties": {"edits": {"type": "array"}}});
    let mut req = request();
    req.seed = Some(7);
    req.max_tokens = Some(256);
    req.temperature = 0.5;
    req.json_schema = Some(schema.clone());
    chat(&openai(&fake), &req).await.0.unwrap();
    let body = &fake.chat_requests()[0].body;
    assert_eq!(body["model"], MODEL);
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"], json!({"include_usage": true}));
    assert_eq!(body["seed"], 7);
    assert_eq!(body["max_tokens"], 256);
    assert_eq!(body["temperature"], 0.5);
    assert_eq!(
        body["response_format"],
        json!({"type": "json_schema", "json_schema": {"name": "edits", "schema": schema}})
    );
    assert_eq!(
        body["messages"][0],
        json!({"role": "system", "content": "You write patches."})
    );
    assert!(
        body.get("num_ctx").is_none() && body.get("options").is_none(),
        "llama-server ignores num_ctx"
    );
}

#[tokio::test]
async fn utf8_split_at_random_bytes_round_trips() {
    for seed in 0..24 {
        let fake = FakeOpenAi::start(Script::answer(UNICODE).with_seed(seed));
        let response = chat(&openai(&fake), &request())
            .await
            .0
            .unwrap_or_else(|err| panic!("seed {seed}: {err}"));
        assert_eq!(response.content, UNICODE, "seed {seed}");
    }
    let fake = FakeOpenAi::start(Script::new(vec![Step::Answer(Answer {
        content: UNICODE.into(),
        chunk: Chunking::Bytes(1),
        ..Answer::default()
    })]));
    assert_eq!(
        chat(&openai(&fake), &request()).await.0.unwrap().content,
        UNICODE
    );
}

#[tokio::test]
async fn finish_reason_length_is_detectable() {
    let fake = FakeOpenAi::start(Script::new(vec![Step::Answer(Answer {
        content: "{\"edits\":[".into(),
        done_reason: "length".into(),
        ..Answer::default()
    })]));
    let response = chat(&openai(&fake), &request()).await.0.unwrap();
    assert!(response.is_truncated());
    assert_eq!(
        response.into_complete().unwrap_err().code().as_str(),
        "OUTPUT_TRUNCATED"
    );
}

#[tokio::test]
async fn missing_model_is_model_not_found() {
    let fake = FakeOpenAi::start(Script::answer("x").with_models(["other.gguf"]));
    let err = chat(&openai(&fake), &request()).await.0.unwrap_err();
    assert!(
        matches!(&err, BackendError::ModelNotFound { model, .. } if model == MODEL),
        "{err:?}"
    );
}

#[tokio::test]
async fn loading_model_503_is_retried() {
    let fake = FakeOpenAi::start(Script::new(vec![Step::status(503), Step::answer("ready")]));
    assert_eq!(
        chat(&openai(&fake), &request()).await.0.unwrap().content,
        "ready"
    );
    assert_eq!(fake.chat_requests().len(), 2);

    let fake = FakeOpenAi::start(Script::new(vec![Step::status(503)]));
    let mut config = config(BackendKind::OpenAi, &fake.url());
    config.busy_retries = 1;
    let err = chat(&Backend::new(config).unwrap(), &request())
        .await
        .0
        .unwrap_err();
    assert!(
        matches!(&err, BackendError::Busy { attempts: 2, message, .. } if message == "Loading model"),
        "{err:?}"
    );
}

#[tokio::test]
async fn error_event_is_a_server_error() {
    let fake = FakeOpenAi::start(Script::new(vec![Step::error_after(
        "partial",
        "out of memory",
    )]));
    let err = chat(&openai(&fake), &request()).await.0.unwrap_err();
    assert!(
        matches!(&err, BackendError::ServerError { message } if message == "out of memory"),
        "{err:?}"
    );
}

#[tokio::test]
async fn dropped_stream_is_a_stream_cut() {
    let fake = FakeOpenAi::start(Script::new(vec![Step::drop_after("부분")]));
    let err = chat(&openai(&fake), &request()).await.0.unwrap_err();
    assert!(
        matches!(err, BackendError::StreamCut { received_chars: 2 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn base_url_may_end_in_v1() {
    let fake = FakeOpenAi::start(Script::answer("ok"));
    let backend = backend(BackendKind::OpenAi, &format!("{}/v1/", fake.url()));
    assert_eq!(chat(&backend, &request()).await.0.unwrap().content, "ok");
    assert_eq!(fake.chat_requests()[0].path, "/v1/chat/completions");
}

#[tokio::test]
async fn metadata_calls() {
    let fake = FakeOpenAi::start(Script::default());
    let backend = openai(&fake);
    let models = backend.list_models().await.unwrap();
    assert_eq!(models.len(), 1);
    assert_eq!(models[0].name, MODEL);
    assert_eq!(models[0].size_bytes, Some(4_683_087_332));
    assert_eq!(
        backend.version().await.unwrap().as_deref(),
        Some("b4764-7ad0779f")
    );
    let details = backend.show(MODEL).await.unwrap();
    assert_eq!(
        details.context_length,
        Some(32_768),
        "the launch context from /props"
    );
}

#[tokio::test]
async fn non_streaming_fake_answers_are_faithful_too() {
    // Not used by the client, but other tests may post `"stream": false` to the fakes directly.
    let fake = FakeOpenAi::start(Script::answer("whole"));
    let url = format!("{}/v1/chat/completions", fake.url());
    let body = json!({"model": MODEL, "messages": [{"role": "user", "content": "hi"}]});
    let response: serde_json::Value = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(response["choices"][0]["message"]["content"], "whole");
    assert_eq!(response["object"], "chat.completion");
}

#[tokio::test]
async fn endless_sse_stream_is_cut_at_the_byte_limit() {
    let fake = FakeOpenAi::start(Script::new(vec![Step::endless("🦀 loop ", 32 * 1024)]));
    let mut config = config(BackendKind::OpenAi, &fake.url());
    config.max_answer_bytes = Some(300_000);
    let err = chat(&Backend::new(config).unwrap(), &request())
        .await
        .0
        .unwrap_err();
    assert!(
        matches!(
            err,
            BackendError::AnswerTooLarge {
                limit_bytes: 300_000
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn trickling_sse_stream_hits_the_total_time_limit() {
    let fake = FakeOpenAi::start(Script::new(vec![Step::trickle("tok", 20)]));
    let mut config = config(BackendKind::OpenAi, &fake.url());
    config.answer_timeout = Some(Duration::from_millis(300));
    let err = chat(&Backend::new(config).unwrap(), &request())
        .await
        .0
        .unwrap_err();
    assert!(
        matches!(err, BackendError::AnswerTooSlow { received_chars, .. } if received_chars > 0),
        "{err:?}"
    );
}
