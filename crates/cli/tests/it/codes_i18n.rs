//! Codes recorded next to an English detail (a task's failure reason, a delivery failure, the gate's reasons), as
//! a person reads them: in Korean the code, what it means and the detail as recorded; in English exactly what
//! was shown before (the code and the detail).

use queue_core::{EventKind, Queue};
use test_support::TempRepo;

use crate::i18n::{EN, KO, autodev_in};
use crate::{autodev, queue_dir, ready_repo};

/// Submits a task and fails it as a worker would, with `reason` and `message`. Returns the id.
pub(crate) fn failed_task(repo: &TempRepo, reason: &str, message: &str) -> String {
    let r = autodev(
        repo.path(),
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "--title",
            "Reject port 0",
            "-w",
            "parse_port accepts 0; make it return None",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let queue = Queue::open(queue_dir(repo)).unwrap();
    let claim = queue.claim("worker:test").unwrap().expect("a pending task");
    queue.fail(&claim, reason, message).unwrap();
    r.stdout.trim().to_owned()
}

/// The `label  value` line of `status <id>` whose label is `label`.
fn line<'a>(stdout: &'a str, label: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no {label:?} line in\n{stdout}"))
}

#[test]
fn status_says_what_a_failure_reason_and_a_delivery_failure_mean_in_korean() {
    let repo = ready_repo();
    let id = failed_task(
        &repo,
        "EDIT_NO_MATCH",
        "no acceptable patch after 3 tries; last problem: the SEARCH text is not in src/config.rs",
    );
    let queue = Queue::open(queue_dir(&repo)).unwrap();
    queue
        .record(
            EventKind::DeliveryFailed {
                code: "FORGE_AUTH".into(),
                message: "github refused the token (401): Bad credentials".into(),
                retryable: false,
                retry_at: None,
            },
            Some(id.parse().unwrap()),
            "deliver:test",
        )
        .unwrap();

    let ko = autodev_in(repo.path(), &["status", &id], KO);
    assert_eq!(ko.code, 0, "{}", ko.stderr);
    assert_eq!(
        line(&ko.stdout, "실패 "),
        "실패      EDIT_NO_MATCH: 편집의 SEARCH 텍스트가 파일에 없음"
    );
    assert_eq!(
        line(&ko.stdout, "전달 "),
        "전달      실패: FORGE_AUTH: 포지가 토큰을 거부함 — github refused the token (401): Bad credentials"
    );
    // English as before: the code, and the detail as recorded.
    let en = autodev_in(repo.path(), &["status", &id], EN);
    assert_eq!(line(&en.stdout, "failure "), "failure   EDIT_NO_MATCH");
    assert_eq!(
        line(&en.stdout, "delivery "),
        "delivery  failed: FORGE_AUTH: github refused the token (401): Bad credentials"
    );

    // A code autodev does not know is shown as it is, in both languages.
    let other = failed_task(&repo, "SOMETHING_ELSE", "written by another tool");
    let ko = autodev_in(repo.path(), &["status", &other], KO);
    assert_eq!(line(&ko.stdout, "실패 "), "실패      SOMETHING_ELSE");
    // JSON keeps the code alone.
    let j = autodev_in(repo.path(), &["status", "--json", &id], KO).json();
    assert_eq!(j["failure_reason"], "EDIT_NO_MATCH");
    assert_eq!(
        j["delivery_failed"]["message"],
        "github refused the token (401): Bad credentials"
    );
}
