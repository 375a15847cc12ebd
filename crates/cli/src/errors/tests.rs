use std::path::PathBuf;
use std::time::Duration;

use super::*;

fn denied() -> std::io::Error {
    std::io::Error::from_raw_os_error(13)
}

fn korean(text: &str) -> bool {
    text.chars().any(|c| ('가'..='힣').contains(&c))
}

/// English says what `Display` says (logs and JSON keep `Display`); Korean says something else, in Korean.
fn check<E: std::fmt::Display>(errors: &[E], say: impl Fn(&E, Lang) -> String) {
    for e in errors {
        assert_eq!(say(e, Lang::En), e.to_string());
        let ko = say(e, Lang::Ko);
        assert!(korean(&ko) && ko != e.to_string(), "not Korean: {ko}");
    }
}

/// The queue, approval and delivery errors say themselves (their crates test each variant); the layers here
/// reach them.
#[test]
fn library_errors_reached_through_anyhow_say_themselves() {
    let e = anyhow::Error::new(delivery::Error::Approval(approval::Error::Queue(
        queue_core::Error::NotInitialised {
            path: "/tmp/k/.autodev_queue".into(),
        },
    )));
    assert_eq!(
        describe(&e, Lang::Ko),
        "/tmp/k/.autodev_queue에 대기열이 없습니다. 먼저 `autodev init`을 실행하세요(또는 --queue를 주거나 \
         AUTODEV_QUEUE를 설정하세요)."
    );
    assert_eq!(describe(&e, Lang::En), format!("{e:#}"));
}

#[test]
fn worker_settings_model_server_and_bot_errors_read_as_display_in_english() {
    use worker::config::{ConfigError as C, Source};
    let configs = vec![
        C::Setting {
            name: "AUTODEV_NUM_CTX",
            value: "12".into(),
            source_: Source::Env,
            reason: "a whole number of tokens from 512 to 1048576".into(),
        },
        C::Setting {
            name: "AUTODEV_BACKEND",
            value: "x".into(),
            source_: Source::DotEnv(PathBuf::from(".env")),
            reason: "expected ollama or openai".into(),
        },
        C::File {
            path: ".autodev_ssot/worker.toml".into(),
            line: Some(3),
            reason: "`modle` is not a worker setting".into(),
        },
    ];
    check(&configs, config);
    assert_eq!(
        config(&configs[0], Lang::Ko),
        "설정 AUTODEV_NUM_CTX=\"12\"(환경 변수)의 값이 올바르지 않습니다. 필요한 값: a whole number of tokens from \
         512 to 1048576"
    );

    use worker::backend::BackendError as B;
    let backends = vec![
        B::ModelNotFound {
            model: "qwen2.5-coder:7b".into(),
            host: "http://127.0.0.1:11434".into(),
        },
        B::Busy {
            host: "http://h".into(),
            attempts: 5,
            message: "server busy".into(),
        },
        B::FirstByteTimeout {
            waited: Duration::from_secs(120),
        },
        B::IdleTimeout {
            waited: Duration::from_millis(1500),
        },
        B::StreamCut {
            received_chars: 1234,
        },
        B::ServerError {
            message: "llama runner crashed".into(),
        },
        B::Http {
            status: 400,
            body_excerpt: "context too long".into(),
        },
        B::InvalidResponse {
            detail: "not JSON".into(),
        },
        B::InvalidConfig {
            detail: "bad URL".into(),
        },
        B::AnswerTooLarge {
            limit_bytes: 262_144,
        },
        B::AnswerTooSlow {
            limit: Duration::from_secs(600),
            received_chars: 10,
        },
        B::Truncated {
            completion_tokens: 2048,
        },
    ];
    check(&backends, backend);
    assert_eq!(
        backend(&backends[0], Lang::Ko),
        "http://127.0.0.1:11434에 모델 'qwen2.5-coder:7b'가 설치되어 있지 않습니다. `ollama pull \
         qwen2.5-coder:7b`를 실행하세요(llama-server라면 시작할 때 준 모델을 확인하세요)."
    );

    let workers = vec![worker::WorkerError::Infrastructure {
        code: protocol_code(),
        message: "cannot write results/T20261125-0001.patch".into(),
    }];
    check(&workers, worker);

    use telegram::Error as T;
    let bots = vec![
        T::AlreadyRunning {
            lock: "/q/telegram/poller.lock".into(),
            pid: "4242".into(),
        },
        T::BadToken("401 Unauthorized".into()),
        T::Io {
            path: "/q/telegram/offset".into(),
            source: denied(),
        },
        T::State("lang.json: bad".into()),
    ];
    check(&bots, telegram);
}

fn protocol_code() -> protocol::WorkerCode {
    protocol::WorkerCode::ArtifactWriteFailed
}

#[test]
fn a_failed_command_reads_layer_by_layer_and_english_is_anyhow_s() {
    let inner = queue_core::Error::LogAppend {
        path: "/q/events.ndjson".into(),
        event: "TASK_SUBMITTED",
        tries: 4,
        source: denied(),
    };
    let err = anyhow::Error::new(inner).context(t!(
        Lang::Ko,
        "cli-submit-not-queued",
        code = "EVENT_LOG_WRITE_FAILED"
    ));
    let ko = describe(&err, Lang::Ko);
    assert!(
        ko.starts_with(
            "EVENT_LOG_WRITE_FAILED: 작업을 대기열에 넣지 않았습니다: /q/events.ndjson에 TASK_SUBMITTED를 4번"
        ),
        "{ko}"
    );
    // The OS error is said once, inside the queue's sentence, not again as the chain's last cause.
    assert_eq!(ko.matches("권한이 없습니다").count(), 1, "{ko}");
    assert_eq!(describe(&err, Lang::En), format!("{err:#}"));
}
