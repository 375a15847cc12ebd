//! Errors that come from inside the libraries, as a person meets them in normal use, in the reader's language:
//! no queue, a task that is not approved, a model server that does not answer, a path that is not a
//! repository, nothing to submit. The codes and exit codes stay; English stays the libraries' own words.

use test_support::TempRepo;

use crate::approval::gate_passed_task;
use crate::i18n::{EN, KO, autodev_in};
use crate::ready_repo;

#[test]
fn status_without_a_queue_says_so_in_korean_and_exits_2() {
    let repo = TempRepo::with_files(&[("README.md", "demo\n")]);
    let queue = repo.path().join(".autodev_queue");
    let ko = autodev_in(repo.path(), &["status"], KO);
    assert_eq!(ko.code, 2);
    assert_eq!(
        ko.stderr,
        format!(
            "오류: {}에 대기열이 없습니다. 먼저 `autodev init`을 실행하세요(또는 --queue를 주거나 \
             AUTODEV_QUEUE를 설정하세요).\n",
            queue.display()
        )
    );
    let en = autodev_in(repo.path(), &["status"], EN);
    assert_eq!(en.code, 2);
    assert_eq!(
        en.stderr,
        format!(
            "error: no queue at {}: run `autodev init` first (or pass --queue / set AUTODEV_QUEUE)\n",
            queue.display()
        )
    );
}

#[test]
fn publish_refusals_and_submit_mistakes_are_korean_with_their_codes() {
    let repo = ready_repo();
    let id = gate_passed_task(&repo);
    // Not approved: apply's refusal, through publish, with its code (…-0001 reads 일: 을).
    let ko = autodev_in(repo.path(), &["publish", &id], KO);
    assert_eq!(ko.code, 1, "{}", ko.stderr);
    assert_eq!(
        ko.stderr,
        format!(
            "NOT_APPROVED: {id} 작업은 승인되지 않았습니다. 패치를 검토한 뒤 `autodev approve {id}`을 \
             실행하세요.\n"
        )
    );
    let en = autodev_in(repo.path(), &["publish", &id], EN);
    assert_eq!(en.code, 1);
    assert_eq!(
        en.stderr,
        format!(
            "NOT_APPROVED: task {id} is not approved; run `autodev approve {id}` after reviewing its patch\n"
        )
    );
    // JSON keeps English.
    let json = autodev_in(repo.path(), &["publish", &id, "--json"], KO);
    assert!(json.stdout.contains("is not approved"), "{}", json.stdout);

    let ko = autodev_in(repo.path(), &["submit"], KO);
    assert_eq!(ko.code, 2);
    assert!(
        ko.stderr.starts_with(
            "오류: 제출할 것이 없습니다: 작업 파일(autodev submit task.json)이나 플래그"
        ),
        "{}",
        ko.stderr
    );
    let en = autodev_in(repo.path(), &["submit"], EN);
    assert!(
        en.stderr
            .starts_with("error: nothing to submit: give a task file"),
        "{}",
        en.stderr
    );

    let ko = autodev_in(repo.path(), &["submit", "nowhere.json"], KO);
    assert_eq!(ko.code, 2);
    assert_eq!(
        ko.stderr,
        "오류: 작업 파일 nowhere.json을 열 수 없습니다: 파일이나 디렉터리가 없습니다(os error 2)\n"
    );
    let en = autodev_in(repo.path(), &["submit", "nowhere.json"], EN);
    assert_eq!(
        en.stderr,
        "error: cannot open task file nowhere.json: No such file or directory (os error 2)\n"
    );
}

#[test]
fn an_unreachable_model_server_and_a_missing_repository_are_korean() {
    let repo = ready_repo();
    let args = [
        "worker",
        "--once",
        "--no-listen",
        "--host",
        "http://127.0.0.1:9",
    ];
    let ko = autodev_in(repo.path(), &args, KO);
    assert_eq!(ko.code, 2, "{}", ko.stderr);
    assert!(
        ko.stderr.contains(
            "오류: http://127.0.0.1:9의 모델 서버에 연결할 수 없습니다. Ollama(`ollama serve`)나 llama-server를 \
             시작하거나, 워커가 올바른 주소를 쓰게 하세요(OLLAMA_HOST / 백엔드 URL).\n"
        ),
        "{}",
        ko.stderr
    );
    let en = autodev_in(repo.path(), &args, EN);
    assert_eq!(en.code, 2);
    assert!(
        en.stderr.contains(
            "error: cannot reach the model server at http://127.0.0.1:9: start Ollama (`ollama serve`) or \
             llama-server, or point the worker at the right address (OLLAMA_HOST / the backend URL)\n"
        ),
        "{}",
        en.stderr
    );

    let dir = TempRepo::plain_dir();
    let patch = dir.path().join("fix.patch");
    std::fs::write(&patch, "").unwrap();
    std::fs::create_dir(dir.path().join("notrepo")).unwrap();
    let gate = ["gate", "fix.patch", "--repo", "notrepo"];
    let ko = autodev_in(dir.path(), &gate, KO);
    assert_eq!(ko.code, 2);
    assert!(
        ko.stderr
            .starts_with("autodev gate: ERROR: notrepo는 git 작업 트리가 아닙니다: "),
        "{}",
        ko.stderr
    );
    let en = autodev_in(dir.path(), &gate, EN);
    assert!(
        en.stderr
            .starts_with("autodev gate: ERROR: notrepo is not a git working tree: "),
        "{}",
        en.stderr
    );
}
