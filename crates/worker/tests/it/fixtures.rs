//! The JSON scripts in `fixtures/models/` load and behave as their names say.

use fake_servers::FakeOllama;
use fake_servers::FakeOpenAi;
use fake_servers::Script;
use fake_servers::Step;
use worker::backend::BackendKind;

use crate::*;

#[test]
fn every_fixture_script_parses() {
    let dir = fake_servers::fixtures_dir();
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let script = Script::from_file(&path).unwrap_or_else(|err| panic!("{err}"));
            assert!(!script.steps.is_empty(), "{}", path.display());
            count += 1;
        }
    }
    assert!(count >= 6, "only {count} scripts in {}", dir.display());
}

#[test]
fn typos_in_scripts_are_rejected() {
    let err = Script::from_json(r#"{"steps":[{"kind":"answer","contnet":"x"}]}"#).unwrap_err();
    assert!(err.to_string().contains("contnet"), "{err}");
    let err =
        Script::from_json(r#"{"steps":[{"kind":"answer","chunk":"sometimes"}]}"#).unwrap_err();
    assert!(err.to_string().contains("sometimes"), "{err}");
    let script = Script::from_json(
        r#"{"steps":[{"kind":"answer","chunk":7},{"kind":"status","code":503}]}"#,
    )
    .unwrap();
    assert!(
        matches!(&script.steps[0], Step::Answer(a) if a.chunk == fake_servers::Chunking::Bytes(7))
    );
}

#[tokio::test]
async fn ollama_ok_fixture() {
    let fake = FakeOllama::start(Script::fixture("ollama_ok.json").unwrap());
    let (result, _) = chat(&backend(BackendKind::Ollama, &fake.url()), &request()).await;
    let response = result.unwrap();
    assert!(response.content.contains("덧셈 버그 수정 ✅"));
    assert_eq!(
        (response.prompt_tokens, response.completion_tokens),
        (412, 57)
    );
    let _: serde_json::Value = serde_json::from_str(&response.content).unwrap();
}

#[tokio::test]
async fn ollama_busy_then_ok_fixture() {
    let fake = FakeOllama::start(Script::fixture("ollama_busy_then_ok.json").unwrap());
    let (result, _) = chat(&backend(BackendKind::Ollama, &fake.url()), &request()).await;
    assert_eq!(result.unwrap().content, "done after the queue drained");
    assert_eq!(fake.chat_requests().len(), 3);
}

#[tokio::test]
async fn ollama_length_error_and_drop_fixtures() {
    let fake = FakeOllama::start(Script::fixture("ollama_length.json").unwrap());
    let (result, _) = chat(&backend(BackendKind::Ollama, &fake.url()), &request()).await;
    assert!(result.unwrap().is_truncated());

    let fake = FakeOllama::start(Script::fixture("ollama_error_after.json").unwrap());
    let (result, _) = chat(&backend(BackendKind::Ollama, &fake.url()), &request()).await;
    assert_eq!(result.unwrap_err().code().as_str(), "SERVER_ERROR");

    let fake = FakeOllama::start(Script::fixture("ollama_drop.json").unwrap());
    let (result, _) = chat(&backend(BackendKind::Ollama, &fake.url()), &request()).await;
    assert_eq!(result.unwrap_err().code().as_str(), "STREAM_CUT");
}

#[tokio::test]
async fn openai_fixtures() {
    let fake = FakeOpenAi::start(Script::fixture("openai_ok.json").unwrap());
    let (result, _) = chat(&backend(BackendKind::OpenAi, &fake.url()), &request()).await;
    let response = result.unwrap();
    assert_eq!(
        response.content,
        "{\"edits\":[],\"summary\":\"변경 없음 🙂\"}"
    );
    assert_eq!(
        (response.prompt_tokens, response.completion_tokens),
        (44, 48)
    );

    let fake = FakeOpenAi::start(Script::fixture("openai_loading_then_ok.json").unwrap());
    let (result, _) = chat(&backend(BackendKind::OpenAi, &fake.url()), &request()).await;
    assert_eq!(result.unwrap().content, "ready");
    assert_eq!(fake.chat_requests().len(), 2);
}

#[tokio::test]
async fn ollama_404_and_slow_load_fixtures() {
    let fake = FakeOllama::start(Script::fixture("ollama_404.json").unwrap());
    let err = chat(&backend(BackendKind::Ollama, &fake.url()), &request())
        .await
        .0
        .unwrap_err();
    assert_eq!(err.code().as_str(), "MODEL_NOT_FOUND");
    assert!(
        err.to_string().contains("ollama pull qwen2.5-coder:7b"),
        "{err}"
    );

    let fake = FakeOllama::start(Script::fixture("ollama_slow_load.json").unwrap());
    let mut config = config(BackendKind::Ollama, &fake.url());
    config.first_byte_timeout = std::time::Duration::from_millis(100);
    let err = chat(&Backend::new(config).unwrap(), &request())
        .await
        .0
        .unwrap_err();
    assert_eq!(err.code().as_str(), "FIRST_BYTE_TIMEOUT");
    let (result, _) = chat(&backend(BackendKind::Ollama, &fake.url()), &request()).await;
    assert_eq!(result.unwrap().content, "loaded at last");
}
