use std::path::PathBuf;
use std::time::Duration;

use super::*;

fn id() -> queue_core::TaskId {
    "T20261125-0001".parse().unwrap()
}

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

fn queue_errors() -> Vec<queue_core::Error> {
    use queue_core::Error as E;
    vec![
        E::Io {
            path: "/q/pending".into(),
            source: denied(),
        },
        E::NotInitialised {
            path: "/tmp/k/.autodev_queue".into(),
        },
        E::Corrupt {
            path: "/q/queue.json".into(),
            detail: "EOF while parsing".into(),
        },
        E::LeaseLost { task: id() },
        E::UnknownTask(id()),
        E::IdsExhausted {
            day: "20261125".into(),
        },
        E::LogAppend {
            path: "/q/events.ndjson".into(),
            event: "TASK_SUBMITTED",
            tries: 4,
            source: std::io::Error::from_raw_os_error(28),
        },
        E::TaskCorrupt {
            id: id(),
            path: "/q/done/T20261125-0001.json".into(),
            detail: "expected value at line 1".into(),
        },
    ]
}

#[test]
fn queue_errors_read_as_display_in_english_and_in_korean_otherwise() {
    check(&queue_errors(), queue);
    assert_eq!(
        queue(&queue_errors()[1], Lang::Ko),
        "/tmp/k/.autodev_queue에 대기열이 없습니다. 먼저 `autodev init`을 실행하세요(또는 --queue를 주거나 \
         AUTODEV_QUEUE를 설정하세요)."
    );
    assert_eq!(
        queue(&queue_errors()[6], Lang::Ko),
        "/q/events.ndjson에 TASK_SUBMITTED를 4번 시도했지만 추가하지 못했습니다: 디스크에 남은 공간이 없습니다(os \
         error 28). 디스크 공간을 확보하거나 로그를 쓰지 못하게 막는 원인(권한, 마운트)을 고친 뒤 다시 시도하세요."
    );
}

#[test]
fn approval_and_delivery_errors_read_as_display_in_english() {
    use approval::Error as A;
    let approvals = vec![
        A::NotApproved(id()),
        A::Gate(gate::GateError::UnknownBase {
            repo: "/r".into(),
            rev: "main".into(),
        }),
        A::Git {
            dir: "/r".into(),
            args: "commit-tree".into(),
            stderr: "fatal: x".into(),
        },
        A::Io {
            path: "/q/approved/x".into(),
            source: denied(),
        },
        A::Corrupt {
            path: "/q/approved/x".into(),
            detail: "bad".into(),
        },
        A::Queue(queue_core::Error::UnknownTask(id())),
    ];
    check(&approvals, approval);

    use delivery::Error as D;
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let deliveries = vec![
        D::Approval(A::NotApproved(id())),
        D::Config {
            file: ".autodev_ssot/delivery.toml".into(),
            message: "repository \"x\" must be owner/name".into(),
        },
        D::RemoteUnknown {
            remote: "upstream".into(),
        },
        D::TokenMissing {
            forge: "gitea",
            variables: "GITEA_TOKEN or FORGEJO_TOKEN".into(),
        },
        D::RemoteUnreachable {
            remote: "origin".into(),
            url: "https://example.invalid/r.git".into(),
            stderr: "fatal: unable to access".into(),
        },
        D::RemoteBranchMoved {
            remote: "origin".into(),
            branch: "autodev/T20261125-0001".into(),
            remote_commit: "aaaa".into(),
            local_commit: "bbbb".into(),
        },
        D::PushRejected {
            remote: "origin".into(),
            branch: "autodev/T20261125-0001".into(),
            message: "protected branch".into(),
        },
        D::ForgeAuth {
            forge: "github",
            status: 401,
            message: "Bad credentials".into(),
        },
        D::ForgeNotFound {
            forge: "github",
            repository: "o/r".into(),
            api_base: "https://api.github.com".into(),
            message: "Not Found".into(),
        },
        D::ForgeRateLimited {
            forge: "github",
            retry_at: Some(at),
        },
        D::ForgeRateLimited {
            forge: "github",
            retry_at: None,
        },
        D::Forge {
            forge: "gitea",
            message: "HTTP 502".into(),
        },
        D::Git {
            dir: "/r".into(),
            args: "ls-remote".into(),
            stderr: "fatal".into(),
        },
        D::Queue(queue_core::Error::NotInitialised { path: "/q".into() }),
    ];
    check(&deliveries, delivery);
    assert_eq!(
        delivery(&deliveries[2], Lang::Ko),
        "저장소에 원격 \"upstream\"이 없습니다. 원격을 추가하거나(`git remote add upstream URL`) --remote를 주세요."
    );
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
