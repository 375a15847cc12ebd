//! `worker::backend` against `FakeOllama`: every fault the native API can show.

use std::time::Duration;

use fake_servers::Answer;
use fake_servers::Chunking;
use fake_servers::DropAfter;
use fake_servers::FakeOllama;
use fake_servers::Script;
use fake_servers::Status;
use fake_servers::Step;
use serde_json::json;
use worker::backend::BackendError;
use worker::backend::BackendKind;
use worker::backend::Phase;

use crate::*;

fn ollama(fake: &FakeOllama) -> Backend {
    backend(BackendKind::Ollama, &fake.url())
}

#[tokio::test]
async fn streams_an_answer_with_metrics_and_progress() {
    let fake = FakeOllama::start(Script::new(vec![Step::Answer(Answer {
        content: "fn add(a: i32, b: i32) -> i32 { a + b }".into(),
        prompt_tokens: Some(120),
        completion_tokens: Some(50),
        ..Answer::default()
    })]));
    let (result, seen) = chat(&ollama(&fake), &request()).await;
    let response = result.unwrap();
    assert_eq!(response.content, "fn add(a: i32, b: i32) -> i32 { a + b }");
    assert_eq!(response.done_reason.as_deref(), Some("stop"));
    assert!(!response.is_truncated());
    assert_eq!(response.model, MODEL);
    assert_eq!(
        (response.prompt_tokens, response.completion_tokens),
        (120, 50)
    );
    // The fake reports 1 ms per prompt token and 20 ms per generated token.
    assert_eq!(response.prompt_duration, Duration::from_millis(120));
    assert_eq!(response.generation_duration, Duration::from_secs(1));
    assert!(response.total_duration > response.generation_duration);
    assert!((response.tokens_per_second() - 50.0).abs() < 1e-6);

    let phases = phases(&seen);
    assert_eq!(phases.first(), Some(&Phase::Connecting));
    assert_eq!(phases.last(), Some(&Phase::Done));
    assert!(phases.contains(&Phase::Generating), "{phases:?}");
    let tokens: Vec<u64> = seen.iter().map(|p| p.completion_tokens_so_far).collect();
    assert!(tokens.windows(2).all(|w| w[0] <= w[1]), "{tokens:?}");
    assert_eq!(
        seen.last().unwrap().received_chars,
        response.content.chars().count()
    );
}

#[tokio::test]
async fn request_body_always_carries_num_ctx_and_options() {
    let fake = FakeOllama::start(Script::answer("ok"));
    let backend = ollama(&fake);
    let schema = json!({"type": "object", "properties": {"edits": {"type": "array"}}, "required": ["edits"]});
    let mut req = request();
    req.temperature = 0.2;
    req.seed = Some(42);
    req.max_tokens = Some(1024);
    req.json_schema = Some(schema.clone());
    chat(&backend, &req).await.0.unwrap();
    chat(&backend, &request()).await.0.unwrap();

    let requests = fake.chat_requests();
    assert_eq!(requests.len(), 2);
    let full = &requests[0].body;
    assert_eq!(full["model"], MODEL);
    assert_eq!(full["stream"], true);
    assert_eq!(full["options"]["num_ctx"], 8192);
    assert_eq!(full["options"]["seed"], 42);
    assert_eq!(full["options"]["num_predict"], 1024);
    assert!((full["options"]["temperature"].as_f64().unwrap() - 0.2).abs() < 1e-6);
    assert_eq!(full["format"], schema);
    assert_eq!(
        full["messages"][0],
        json!({"role": "system", "content": "You write patches."})
    );
    assert_eq!(full["messages"][1]["role"], "user");

    let plain = &requests[1].body;
    assert_eq!(
        plain["options"]["num_ctx"], 8192,
        "num_ctx must be sent even with nothing else"
    );
    assert!(plain.get("format").is_none());
    assert!(plain["options"].get("seed").is_none());
    assert!(plain["options"].get("num_predict").is_none());
}

#[tokio::test]
async fn utf8_split_at_random_bytes_round_trips() {
    for seed in 0..24 {
        let fake = FakeOllama::start(Script::answer(UNICODE).with_seed(seed));
        let (result, _) = chat(&ollama(&fake), &request()).await;
        let response = result.unwrap_or_else(|err| panic!("seed {seed}: {err}"));
        assert_eq!(response.content, UNICODE, "seed {seed}");
    }
    for size in [1, 2, 3, 5] {
        let fake = FakeOllama::start(Script::new(vec![Step::Answer(Answer {
            content: UNICODE.into(),
            chunk: Chunking::Bytes(size),
            ..Answer::default()
        })]));
        assert_eq!(
            chat(&ollama(&fake), &request()).await.0.unwrap().content,
            UNICODE,
            "chunk {size}"
        );
    }
}

#[tokio::test]
async fn done_reason_length_is_detectable() {
    let fake = FakeOllama::start(Script::new(vec![Step::Answer(Answer {
        content: "{\"edits\":[{\"path\":".into(),
        done_reason: "length".into(),
        completion_tokens: Some(8),
        ..Answer::default()
    })]));
    let response = chat(&ollama(&fake), &request()).await.0.unwrap();
    assert!(response.is_truncated());
    assert_eq!(response.done_reason.as_deref(), Some("length"));
    let err = response.into_complete().unwrap_err();
    assert!(
        matches!(
            err,
            BackendError::Truncated {
                completion_tokens: 8
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code().as_str(), "OUTPUT_TRUNCATED");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn missing_metrics_are_tolerated() {
    let fake = FakeOllama::start(Script::new(vec![Step::Answer(Answer {
        content: "abc".into(),
        omit_metrics: true,
        chunk: Chunking::Line,
        ..Answer::default()
    })]));
    let response = chat(&ollama(&fake), &request()).await.0.unwrap();
    assert_eq!(response.content, "abc");
    assert_eq!(response.prompt_tokens, 0);
    assert!(
        response.completion_tokens >= 1,
        "falls back to the chunk count"
    );
    assert_eq!(response.generation_duration, Duration::ZERO);
    assert_eq!(response.tokens_per_second(), 0.0);
    assert!(response.total_duration > Duration::ZERO, "measured locally");
}

#[tokio::test]
async fn connection_refused_is_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let backend = backend(BackendKind::Ollama, &format!("http://127.0.0.1:{port}"));
    let (result, _) = chat(&backend, &request()).await;
    let err = result.unwrap_err();
    assert!(matches!(err, BackendError::Unreachable { .. }), "{err:?}");
    assert_eq!(err.code().as_str(), "BACKEND_UNREACHABLE");
    assert!(err.is_retryable() && err.is_infrastructure());
    let message = err.to_string();
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(
        message.contains("ollama serve") && message.contains("OLLAMA_HOST"),
        "{message}"
    );
    // The metadata calls fail the same way.
    assert_eq!(
        backend.list_models().await.unwrap_err().code().as_str(),
        "BACKEND_UNREACHABLE"
    );
}

#[tokio::test]
async fn user_info_in_the_url_never_reaches_messages() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut config = config(
        BackendKind::Ollama,
        &format!("http://admin:s3cret@127.0.0.1:{port}"),
    );
    config.api_key = Some("sk-live-123".into());
    let backend = Backend::new(config).unwrap();
    let err = chat(&backend, &request()).await.0.unwrap_err();
    let text = format!("{err} {err:?} {:?}", backend.config());
    assert!(
        !text.contains("s3cret") && !text.contains("sk-live-123"),
        "{text}"
    );
}

#[tokio::test]
async fn model_not_installed_names_the_model_and_the_fix() {
    let fake = FakeOllama::start(Script::answer("never").with_models(["llama3.2:latest"]));
    let backend = ollama(&fake);
    let err = chat(&backend, &request()).await.0.unwrap_err();
    assert!(
        matches!(&err, BackendError::ModelNotFound { model, .. } if model == MODEL),
        "{err:?}"
    );
    assert_eq!(err.code().as_str(), "MODEL_NOT_FOUND");
    assert!(!err.is_retryable() && err.is_infrastructure());
    let message = err.to_string();
    assert!(
        message.contains("model 'qwen2.5-coder:7b' is not installed on http://127.0.0.1:"),
        "{message}"
    );
    assert!(
        message.contains("ollama pull qwen2.5-coder:7b"),
        "{message}"
    );
    assert_eq!(fake.chat_requests().len(), 1, "a 404 is not retried");

    let err = backend.show(MODEL).await.unwrap_err();
    assert_eq!(err.code().as_str(), "MODEL_NOT_FOUND");
}

#[tokio::test]
async fn scripted_404_uses_the_real_body_for_the_requested_model() {
    let fake = FakeOllama::start(Script::new(vec![Step::status(404)]));
    let err = chat(&ollama(&fake), &request()).await.0.unwrap_err();
    assert!(
        matches!(&err, BackendError::ModelNotFound { model, .. } if model == MODEL),
        "{err:?}"
    );
    // The scheduler's variant of the message.
    let fake = FakeOllama::start(Script::new(vec![Step::Status(Status {
        code: 404,
        body: Some(r#"{"error":"model \"{model}\" not found, try pulling it first"}"#.into()),
        ..Status::default()
    })]));
    assert_eq!(
        chat(&ollama(&fake), &request())
            .await
            .0
            .unwrap_err()
            .code()
            .as_str(),
        "MODEL_NOT_FOUND"
    );
}

#[tokio::test]
async fn busy_twice_then_success_is_retried() {
    let fake = FakeOllama::start(Script::new(vec![
        Step::status(503),
        Step::status(503),
        Step::answer("finally"),
    ]));
    let response = chat(&ollama(&fake), &request()).await.0.unwrap();
    assert_eq!(response.content, "finally");
    assert_eq!(fake.chat_requests().len(), 3);
}

#[tokio::test]
async fn busy_forever_gives_up_after_the_retries() {
    let fake = FakeOllama::start(Script::new(vec![Step::status(503)]));
    let mut config = config(BackendKind::Ollama, &fake.url());
    config.busy_retries = 3;
    let backend = Backend::new(config).unwrap();
    let err = chat(&backend, &request()).await.0.unwrap_err();
    assert!(
        matches!(&err, BackendError::Busy { attempts: 4, .. }),
        "{err:?}"
    );
    assert_eq!(err.code().as_str(), "BACKEND_BUSY");
    assert!(err.is_retryable());
    assert!(
        err.to_string()
            .contains("server busy, please try again.  maximum pending requests exceeded"),
        "{err}"
    );
    assert_eq!(fake.chat_requests().len(), 4);
}

#[tokio::test]
async fn error_line_after_content_is_a_server_error() {
    let fake = FakeOllama::start(Script::new(vec![Step::error_after(
        "{\"edits\":[한국어",
        "an error was encountered while running the model",
    )]));
    let err = chat(&ollama(&fake), &request()).await.0.unwrap_err();
    assert!(
        matches!(&err, BackendError::ServerError { message } if message == "an error was encountered while running the model"),
        "{err:?}"
    );
    assert_eq!(err.code().as_str(), "SERVER_ERROR");
}

#[tokio::test]
async fn status_500_before_output_is_a_server_error() {
    let fake = FakeOllama::start(Script::new(vec![Step::status(500)]));
    let err = chat(&ollama(&fake), &request()).await.0.unwrap_err();
    assert!(
        err.to_string()
            .contains("timed out waiting for llama runner to start"),
        "{err}"
    );
    assert_eq!(err.code().as_str(), "SERVER_ERROR");
    assert_eq!(
        fake.chat_requests().len(),
        1,
        "500 is not retried internally"
    );
}

#[tokio::test]
async fn other_statuses_are_http_errors() {
    let fake = FakeOllama::start(Script::new(vec![Step::Status(Status {
        code: 400,
        body: Some(r#"{"error":"the prompt is longer than the context length currently available to the model"}"#.into()),
        ..Status::default()
    })]));
    let err = chat(&ollama(&fake), &request()).await.0.unwrap_err();
    assert!(
        matches!(&err, BackendError::Http { status: 400, body_excerpt } if body_excerpt.contains("longer than the context")),
        "{err:?}"
    );
    assert_eq!(err.code().as_str(), "HTTP_ERROR");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn dropped_connection_is_a_stream_cut() {
    let prefix = "{\"edits\":[{\"path\":\"src/한.rs\"";
    let fake = FakeOllama::start(Script::new(vec![Step::drop_after(prefix)]));
    let err = chat(&ollama(&fake), &request()).await.0.unwrap_err();
    assert!(
        matches!(err, BackendError::StreamCut { received_chars } if received_chars == prefix.chars().count()),
        "{err:?}"
    );
    assert_eq!(err.code().as_str(), "STREAM_CUT");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn clean_end_without_the_done_line_is_a_stream_cut() {
    let fake = FakeOllama::start(Script::new(vec![Step::DropAfter(DropAfter {
        content_prefix: "partial".into(),
        clean_close: true,
        ..DropAfter::default()
    })]));
    let err = chat(&ollama(&fake), &request()).await.0.unwrap_err();
    assert!(
        matches!(err, BackendError::StreamCut { received_chars: 7 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn slow_model_load_within_the_limit_reports_loading() {
    let fake = FakeOllama::start(Script::new(vec![Step::Answer(Answer {
        content: "loaded".into(),
        first_byte_delay_ms: 300,
        ..Answer::default()
    })]));
    let mut config = config(BackendKind::Ollama, &fake.url());
    config.first_byte_timeout = Duration::from_secs(3);
    let (result, seen) = chat(&Backend::new(config).unwrap(), &request()).await;
    assert_eq!(result.unwrap().content, "loaded");
    let loading = seen.iter().filter(|p| p.phase == Phase::Loading).count();
    assert!(
        loading >= 3,
        "expected Loading heartbeats during the 300 ms load, got {loading}"
    );
    assert_eq!(
        phases(&seen),
        vec![
            Phase::Connecting,
            Phase::Loading,
            Phase::Generating,
            Phase::Done
        ]
    );
}

#[tokio::test]
async fn model_load_beyond_the_limit_is_a_first_byte_timeout() {
    let fake = FakeOllama::start(Script::new(vec![Step::Answer(Answer {
        content: "too late".into(),
        first_byte_delay_ms: 1500,
        ..Answer::default()
    })]));
    let mut config = config(BackendKind::Ollama, &fake.url());
    config.first_byte_timeout = Duration::from_millis(200);
    let started = std::time::Instant::now();
    let err = chat(&Backend::new(config).unwrap(), &request())
        .await
        .0
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "gave up late: {:?}",
        started.elapsed()
    );
    assert!(
        matches!(err, BackendError::FirstByteTimeout { waited } if waited == Duration::from_millis(200)),
        "{err:?}"
    );
    assert_eq!(err.code().as_str(), "FIRST_BYTE_TIMEOUT");
}

#[tokio::test]
async fn stalled_stream_is_an_idle_timeout() {
    let fake = FakeOllama::start(Script::new(vec![Step::Answer(Answer {
        content: "slow tokens".into(),
        chunk: Chunking::Line,
        delay_ms_between_chunks: 1000,
        ..Answer::default()
    })]));
    let mut config = config(BackendKind::Ollama, &fake.url());
    config.idle_timeout = Duration::from_millis(150);
    let err = chat(&Backend::new(config).unwrap(), &request())
        .await
        .0
        .unwrap_err();
    assert!(matches!(err, BackendError::IdleTimeout { .. }), "{err:?}");
    assert_eq!(err.code().as_str(), "IDLE_TIMEOUT");

    // Gaps under the limit are fine.
    let fake = FakeOllama::start(Script::new(vec![Step::Answer(Answer {
        content: "slow tokens".into(),
        chunk: Chunking::Line,
        delay_ms_between_chunks: 20,
        ..Answer::default()
    })]));
    let mut relaxed = crate::config(BackendKind::Ollama, &fake.url());
    relaxed.idle_timeout = Duration::from_millis(500);
    assert_eq!(
        chat(&Backend::new(relaxed).unwrap(), &request())
            .await
            .0
            .unwrap()
            .content,
        "slow tokens"
    );
}

#[tokio::test]
async fn computed_answers_see_the_request() {
    let fake = FakeOllama::start(Script::computed(|req| {
        let task = req["messages"][1]["content"].as_str().unwrap_or_default();
        format!("answer to: {task}")
    }));
    let response = chat(&ollama(&fake), &request()).await.0.unwrap();
    assert_eq!(response.content, "answer to: Fix the add function.");
}

#[tokio::test]
async fn metadata_calls() {
    let fake = FakeOllama::start(Script::default().with_models([MODEL, "llama3.2"]));
    let backend = ollama(&fake);
    let models = backend.list_models().await.unwrap();
    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, vec![MODEL, "llama3.2"]);
    assert_eq!(models[0].size_bytes, Some(4_683_087_332));
    assert_eq!(backend.version().await.unwrap().as_deref(), Some("0.12.6"));
    let details = backend.show(MODEL).await.unwrap();
    assert_eq!(details.context_length, Some(32_768));
    assert_eq!(details.parameter_size.as_deref(), Some("7.6B"));
    assert_eq!(details.quantization.as_deref(), Some("Q4_K_M"));
    // `llama3.2` is `llama3.2:latest` to Ollama.
    assert!(backend.show("llama3.2:latest").await.is_ok());
    let show = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/show")
        .unwrap();
    assert_eq!(show.body, json!({"model": MODEL}));
}

#[tokio::test]
async fn wrong_server_kind_is_reported_not_mistaken_for_a_missing_model() {
    // An Ollama client pointed at llama-server: /api/chat is an unknown route there.
    let fake = fake_servers::FakeOpenAi::start(Script::answer("x"));
    let err = chat(&ollama_at(&fake.url()), &request())
        .await
        .0
        .unwrap_err();
    assert!(
        matches!(err, BackendError::Http { status: 404, .. }),
        "{err:?}"
    );
}

fn ollama_at(url: &str) -> Backend {
    backend(BackendKind::Ollama, url)
}

#[tokio::test]
async fn endless_stream_is_cut_at_the_byte_limit() {
    // A server that ignores num_predict and never sends "done": before the limit, the client held it all.
    let fake = FakeOllama::start(Script::new(vec![Step::endless(
        "{\"edits\":[{\"path\":\"a\"},",
        64 * 1024,
    )]));
    let mut config = config(BackendKind::Ollama, &fake.url());
    config.max_answer_bytes = Some(1024 * 1024);
    let (result, seen) = chat(&Backend::new(config).unwrap(), &request()).await;
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            BackendError::AnswerTooLarge {
                limit_bytes: 1_048_576
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code().as_str(), "ANSWER_TOO_LARGE");
    assert!(!err.is_retryable() && !err.is_infrastructure());
    let last = seen.last().unwrap();
    assert!(
        last.received_chars <= 1024 * 1024,
        "progress never saw more than the limit: {}",
        last.received_chars
    );

    // Unconfigured, the limit follows the request's token limit (with a floor).
    let backend = ollama(&fake);
    let mut req = request();
    req.max_tokens = Some(10_000);
    assert_eq!(backend.answer_limits(&req).max_bytes, 320_000);
    let err = chat(&backend, &req).await.0.unwrap_err();
    assert!(
        matches!(err, BackendError::AnswerTooLarge { limit_bytes } if limit_bytes == 320_000),
        "{err:?}"
    );
}

#[tokio::test]
async fn trickling_stream_hits_the_total_time_limit() {
    // Every gap is well under the idle timeout, yet the answer would never end.
    let fake = FakeOllama::start(Script::new(vec![Step::trickle("tok ", 20)]));
    let mut config = config(BackendKind::Ollama, &fake.url());
    config.idle_timeout = Duration::from_secs(30);
    config.answer_timeout = Some(Duration::from_millis(400));
    let started = std::time::Instant::now();
    let err = chat(&Backend::new(config).unwrap(), &request())
        .await
        .0
        .unwrap_err();
    assert!(
        matches!(err, BackendError::AnswerTooSlow { limit, received_chars } if limit == Duration::from_millis(400) && received_chars > 0),
        "{err:?}"
    );
    assert_eq!(err.code().as_str(), "ANSWER_TOO_SLOW");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "cut long before the idle timeout: {:?}",
        started.elapsed()
    );

    // A total limit shorter than the model load ends the wait for the first byte too.
    let fake = FakeOllama::start(Script::new(vec![Step::Answer(Answer {
        content: "late".into(),
        first_byte_delay_ms: 5_000,
        ..Answer::default()
    })]));
    let mut slow_load = crate::config(BackendKind::Ollama, &fake.url());
    slow_load.first_byte_timeout = Duration::from_secs(30);
    slow_load.answer_timeout = Some(Duration::from_millis(200));
    let err = chat(&Backend::new(slow_load).unwrap(), &request())
        .await
        .0
        .unwrap_err();
    assert_eq!(err.code().as_str(), "ANSWER_TOO_SLOW", "{err:?}");
}

#[tokio::test]
async fn endless_fake_streams_are_protocol_lines() {
    // The fake itself: real NDJSON content lines, never a final one, and a non-streaming body that never closes.
    let fake = FakeOllama::start(Script::new(vec![Step::trickle("한국어", 0)]));
    let url = format!("{}/api/chat", fake.url());
    let mut response = reqwest::Client::new()
        .post(&url)
        .json(&json!({"model": MODEL, "messages": []}))
        .send()
        .await
        .unwrap();
    let mut text = Vec::new();
    while text.iter().filter(|&&b| b == b'\n').count() < 10 {
        text.extend_from_slice(&response.chunk().await.unwrap().unwrap());
    }
    let lines: Vec<serde_json::Value> = String::from_utf8(text)
        .unwrap()
        .lines()
        .take(10)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.iter().all(|l| l["done"] == false));
    let content: String = lines
        .iter()
        .map(|l| l["message"]["content"].as_str().unwrap())
        .collect();
    assert!(content.starts_with("한국어한국어"), "{content}");

    let mut whole = reqwest::Client::new()
        .post(&url)
        .json(&json!({"model": MODEL, "messages": [], "stream": false}))
        .send()
        .await
        .unwrap();
    let mut text = Vec::new();
    while text.len() < 4096 {
        text.extend_from_slice(&whole.chunk().await.unwrap().unwrap());
    }
    let text = String::from_utf8_lossy(&text);
    assert!(
        text.contains("\"content\":\"한국어한국어"),
        "{}",
        &text[..200]
    );
}
