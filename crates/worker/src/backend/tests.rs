use super::framing::LineBuffer;
use super::framing::SseDecoder;
use super::stream::Answer;
use super::stream::Decoder;
use super::*;

fn lines_of(chunks: &[&[u8]]) -> Vec<String> {
    let mut buffer = LineBuffer::default();
    let mut out = Vec::new();
    for chunk in chunks {
        buffer.push(chunk).unwrap();
        while let Some(line) = buffer.next_line() {
            out.push(String::from_utf8(line).unwrap());
        }
    }
    if let Some(rest) = buffer.finish() {
        out.push(String::from_utf8(rest).unwrap());
    }
    out
}

#[test]
fn line_buffer_reassembles_lines_split_anywhere() {
    let text = "{\"a\":\"한국어\"}\r\n{\"b\":\"🦀\"}\n\n{\"c\":1}";
    let bytes = text.as_bytes();
    let expected = vec!["{\"a\":\"한국어\"}", "{\"b\":\"🦀\"}", "", "{\"c\":1}"];
    for cut in 0..=bytes.len() {
        let (a, b) = bytes.split_at(cut);
        assert_eq!(lines_of(&[a, b]), expected, "cut at {cut}");
    }
    let singles: Vec<&[u8]> = bytes.chunks(1).collect();
    assert_eq!(lines_of(&singles), expected);
}

#[test]
fn sse_decoder_joins_data_lines_and_skips_comments() {
    let mut sse = SseDecoder::default();
    let mut events = Vec::new();
    for line in [
        ": keep-alive",
        "event: message",
        "data: {\"x\":",
        "data:1}",
        "",
        "",
        "data: [DONE]",
        "",
    ] {
        events.extend(sse.feed_line(line));
    }
    assert_eq!(events, vec!["{\"x\":\n1}".to_owned(), "[DONE]".to_owned()]);
    assert_eq!(sse.take(), None);
}

#[test]
fn ollama_decoder_reads_final_line_metrics() {
    let mut decoder = ollama::ChatDecoder::default();
    let mut answer = Answer::default();
    let first = r#"{"model":"m","message":{"role":"assistant","content":"Hi"},"done":false}"#;
    assert!(!decoder.line(first, &mut answer).unwrap());
    let last = r#"{"model":"m","message":{"role":"assistant","content":""},"done_reason":"length","done":true,"total_duration":3000000000,"load_duration":1000000,"prompt_eval_count":7,"prompt_eval_duration":2000000,"eval_count":2,"eval_duration":500000000}"#;
    assert!(decoder.line(last, &mut answer).unwrap());
    let response = answer.into_response("m", Duration::ZERO);
    assert_eq!(response.content, "Hi");
    assert!(response.is_truncated());
    assert_eq!(response.prompt_tokens, 7);
    assert_eq!(response.completion_tokens, 2);
    assert_eq!(response.total_duration, Duration::from_secs(3));
    assert_eq!(response.generation_duration, Duration::from_millis(500));
    assert!((response.tokens_per_second() - 4.0).abs() < 1e-9);
    assert_eq!(
        response.into_complete().unwrap_err().code().as_str(),
        "OUTPUT_TRUNCATED"
    );
}

#[test]
fn ollama_decoder_tolerates_missing_metrics_and_reports_cut() {
    let mut decoder = ollama::ChatDecoder::default();
    let mut answer = Answer::default();
    decoder
        .line(r#"{"message":{"content":"ab"},"done":false}"#, &mut answer)
        .unwrap();
    let err = decoder.end(&mut answer).unwrap_err();
    assert!(
        matches!(err, BackendError::StreamCut { received_chars: 2 }),
        "{err:?}"
    );

    let mut answer = Answer::default();
    assert!(decoder.line(r#"{"done":true}"#, &mut answer).unwrap());
    let response = answer.into_response("asked", Duration::from_millis(5));
    assert_eq!(response.model, "asked");
    assert_eq!(response.total_duration, Duration::from_millis(5));
    assert_eq!(response.done_reason, None);
}

#[test]
fn ollama_decoder_turns_error_lines_into_server_errors() {
    let mut decoder = ollama::ChatDecoder::default();
    let mut answer = Answer::default();
    let err = decoder
        .line(
            r#"{"error":"an error was encountered while running the model"}"#,
            &mut answer,
        )
        .unwrap_err();
    assert_eq!(err.code().as_str(), "SERVER_ERROR");
    assert!(err.to_string().contains("an error was encountered"));
    let err = decoder.line("not json", &mut answer).unwrap_err();
    assert_eq!(err.code().as_str(), "INVALID_RESPONSE");
}

#[test]
fn openai_finish_reason_without_done_is_complete() {
    let mut decoder = openai::ChatDecoder::default();
    let mut answer = Answer::default();
    for line in [
        r#"data: {"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}"#,
        "",
        r#"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"timings":{"prompt_n":3,"cache_n":2,"prompt_ms":10.0,"predicted_n":1,"predicted_ms":20.0}}"#,
    ] {
        assert!(!decoder.line(line, &mut answer).unwrap());
    }
    decoder.end(&mut answer).unwrap();
    let response = answer.into_response("m", Duration::ZERO);
    assert_eq!(response.content, "x");
    assert_eq!(response.done_reason.as_deref(), Some("stop"));
    assert_eq!(response.prompt_tokens, 5);
    assert_eq!(response.completion_tokens, 1);
    assert_eq!(response.prompt_duration, Duration::from_millis(10));
}

#[test]
fn estimate_is_never_below_the_simple_bounds() {
    for text in [
        "",
        "a",
        "fn main() {}\n",
        "안녕하세요 세계",
        "🦀🦀🦀",
        "mixed 한국어 and 🦀 code();",
    ] {
        let chars = text.chars().count() as u64;
        let bytes = text.len() as u64;
        let estimate = estimate_tokens(text);
        assert!(estimate >= chars.div_ceil(3), "{text:?}: {estimate}");
        assert!(estimate >= bytes.div_ceil(4), "{text:?}: {estimate}");
    }
    assert_eq!(estimate_tokens(""), 0);
    assert_eq!(estimate_tokens("abcdef"), 2);
    assert_eq!(estimate_tokens("한"), 2);
}

#[test]
fn ollama_host_values_map_like_ollamas_client() {
    assert_eq!(ollama_url_from_host(None), "http://127.0.0.1:11434");
    assert_eq!(ollama_url_from_host(Some("")), "http://127.0.0.1:11434");
    assert_eq!(
        ollama_url_from_host(Some("0.0.0.0:11434")),
        "http://127.0.0.1:11434"
    );
    assert_eq!(
        ollama_url_from_host(Some("gpu-box")),
        "http://gpu-box:11434"
    );
    assert_eq!(
        ollama_url_from_host(Some("gpu-box:9999")),
        "http://gpu-box:9999"
    );
    assert_eq!(
        ollama_url_from_host(Some("https://ollama.example")),
        "https://ollama.example:443"
    );
    assert_eq!(
        ollama_url_from_host(Some("http://h:1/prefix/")),
        "http://h:1/prefix"
    );
    assert_eq!(
        ollama_url_from_host(Some("[::1]:8000")),
        "http://[::1]:8000"
    );
}

#[test]
fn config_debug_and_errors_hide_secrets() {
    let mut config = BackendConfig::openai("http://user:hunter2@127.0.0.1:1/v1?token=abc");
    config.api_key = Some("sk-secret".into());
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("hunter2") && !debug.contains("sk-secret") && !debug.contains("abc"),
        "{debug}"
    );
    let backend = Backend::new(config).unwrap();
    let err = backend.status_error(
        StatusCode::NOT_FOUND,
        r#"{"error":"model 'x' not found"}"#,
        Some("x"),
    );
    let text = err.to_string();
    assert!(
        !text.contains("hunter2") && text.contains("127.0.0.1:1"),
        "{text}"
    );
}

#[test]
fn status_mapping_distinguishes_missing_model_from_wrong_path() {
    let backend = Backend::new(BackendConfig::ollama("http://127.0.0.1:1")).unwrap();
    let missing = backend.status_error(
        StatusCode::NOT_FOUND,
        r#"{"error":"model \"m\" not found, try pulling it first"}"#,
        Some("m"),
    );
    assert_eq!(missing.code().as_str(), "MODEL_NOT_FOUND");
    let path = backend.status_error(StatusCode::NOT_FOUND, "404 page not found", Some("m"));
    assert_eq!(path.code().as_str(), "HTTP_ERROR");
    let openai = backend.status_error(
        StatusCode::NOT_FOUND,
        r#"{"error":{"message":"model 'm' not found","type":"not_found_error","param":null,"code":null}}"#,
        Some("m"),
    );
    assert_eq!(openai.code().as_str(), "MODEL_NOT_FOUND");
    let crash = backend.status_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        r#"{"error":"boom"}"#,
        None,
    );
    assert!(matches!(&crash, BackendError::ServerError { message } if message == "boom"));
    let bad = backend.status_error(
        StatusCode::BAD_REQUEST,
        r#"{"error":"model is required"}"#,
        None,
    );
    assert!(matches!(bad, BackendError::Http { status: 400, .. }) && !bad.is_retryable());
}

#[test]
fn backend_kind_parses() {
    assert_eq!(
        "ollama".parse::<BackendKind>().unwrap(),
        BackendKind::Ollama
    );
    assert_eq!(
        "llama-server".parse::<BackendKind>().unwrap(),
        BackendKind::OpenAi
    );
    assert_eq!(
        "bogus".parse::<BackendKind>().unwrap_err().code().as_str(),
        "BACKEND_CONFIG_INVALID"
    );
    assert_eq!(
        Backend::new(BackendConfig::ollama("127.0.0.1:11434"))
            .unwrap_err()
            .code()
            .as_str(),
        "BACKEND_CONFIG_INVALID"
    );
}

#[test]
fn chat_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let backend = Backend::new(BackendConfig::ollama(DEFAULT_OLLAMA_URL)).unwrap();
    let req = ChatRequest::new("m", vec![Message::user("hi")], 2048);
    let mut progress = |_: &Progress| {};
    let future = backend.chat(&req, &mut progress);
    assert_send(&future);
}
