//! Codes recorded next to an English detail (a task's failure reason, a delivery failure, the gate's reasons), as
//! a person reads them: in Korean the code, what it means and the detail as recorded; in English exactly what
//! was shown before (the code and the detail).

use queue_core::{EventKind, Queue, TaskId};
use test_support::TempRepo;

use crate::i18n::{EN, KO, autodev_in};
use crate::{autodev, queue_dir, ready_repo};

/// Submits a task and fails it as a worker would, with `reason` and `message`. Returns the id.
pub(crate) fn failed_task(repo: &TempRepo, reason: &str, message: &str) -> String {
    failed_task_after(repo, reason, message, |_, _| {})
}

/// [`failed_task`], with `before` run on the claimed task before it fails (to write its results).
pub(crate) fn failed_task_after(
    repo: &TempRepo,
    reason: &str,
    message: &str,
    before: impl FnOnce(&Queue, TaskId),
) -> String {
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
    before(&queue, claim.task.id);
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

/// The `gate.json` of a FAIL on `check "tests"` and a path outside the targets, as the worker stores it.
pub(crate) fn write_failed_gate_json(queue: &Queue, id: TaskId) {
    let report = serde_json::json!({
        "verdict": "FAIL",
        "reasons": [
            {"code": "POLICY_OUTSIDE_TARGETS", "message": "src/main.rs is outside the allowed paths (src/config.rs)", "file": "src/main.rs"},
            {"code": "CHECK_FAILED", "message": "check \"tests\" failed (exit 1); log: /cache/logs/01-tests.log"}
        ],
        "checks": [],
        "files_changed": 1,
        "lines_added": 1,
        "lines_removed": 0,
        "duration_ms": 1200
    });
    std::fs::write(
        queue.result_path(id, "gate.json"),
        serde_json::to_vec_pretty(&report).unwrap(),
    )
    .unwrap();
}

#[test]
fn status_says_each_gate_reason_in_korean_with_its_message_as_recorded() {
    let repo = ready_repo();
    let message =
        "no acceptable patch after 3 tries; last problem: CHECK_FAILED: check \"tests\" failed";
    let id = failed_task_after(&repo, "GATE_FAILED", message, write_failed_gate_json);

    let ko = autodev_in(repo.path(), &["status", &id], KO);
    assert_eq!(ko.code, 0, "{}", ko.stderr);
    assert_eq!(
        line(&ko.stdout, "실패 "),
        "실패      GATE_FAILED: 게이트가 패치를 통과시키지 않음"
    );
    let gate = line(&ko.stdout, "게이트 ");
    assert!(gate.ends_with(&format!("results/{id}.gate.json")), "{gate}");
    let after = ko.stdout.split_once(&format!("{gate}\n")).unwrap().1;
    assert_eq!(
        after,
        "사유      POLICY_OUTSIDE_TARGETS: 작업 대상이나 허용된 경로 밖을 건드림\n          src/main.rs is outside \
         the allowed paths (src/config.rs)\n사유      CHECK_FAILED: 검사가 실패함(종료 코드가 0이 아님)\n          check \
         \"tests\" failed (exit 1); log: /cache/logs/01-tests.log\n"
    );
    // English is what it was: gate.json's path, no lines of its own.
    let en = autodev_in(repo.path(), &["status", &id], EN);
    assert_eq!(line(&en.stdout, "failure "), "failure   GATE_FAILED");
    assert!(
        en.stdout.ends_with(&format!("results/{id}.gate.json\n")),
        "{}",
        en.stdout
    );
}

/// `autodev gate` on a failing check and on a path outside `--allow`: in Korean each reason's code, what it means,
/// and below it the message as it is (also the JSON and what the model is told); in English as before.
#[test]
fn the_gate_says_each_reason_in_korean_above_its_message() {
    let repo = TempRepo::with_files(&[("src/config.rs", "fn port() -> u16 {\n    0\n}\n")]);
    let base = repo.git(&["rev-parse", "HEAD"]);
    let base = &base.trim()[..10];
    let work = tempfile::tempdir().unwrap();
    let work_root = work.path().to_str().unwrap();
    let patch = work.path().join("fix.diff");
    std::fs::write(
        &patch,
        "--- a/src/config.rs\n+++ b/src/config.rs\n@@ -1,3 +1,3 @@\n fn port() -> u16 {\n-    0\n+    8080\n }\n",
    )
    .unwrap();
    let gate = |env, extra: &[&str]| {
        let mut args = vec!["gate", patch.to_str().unwrap(), "--work-root", work_root];
        args.extend_from_slice(extra);
        let run = autodev_in(repo.path(), &args, env);
        assert_eq!(run.code, 1, "{}", run.stderr);
        normalise(&run.stdout, work_root, base)
    };
    assert_eq!(
        gate(KO, &["--check", "false"]),
        "FAIL  파일 1개, +1 -1, 검사 1개 중 0개 통과, <secs>초 (기준 <base>)
  CHECK_FAILED           검사가 실패함(종료 코드가 0이 아님)
                         check \"false\" failed (exit 1); log: <log>
  검사 false                          FAILED    <secs>초
    전체 로그: <log>
"
    );
    assert_eq!(
        gate(EN, &["--check", "false"]),
        "FAIL  1 file(s), +1 -1, checks 0/1 passed, <secs>s (base <base>)
  CHECK_FAILED           check \"false\" failed (exit 1); log: <log>
  check false                          FAILED    <secs>s
    full log: <log>
"
    );
    assert_eq!(
        gate(KO, &["--allow", "README.md"]),
        "FAIL  파일 1개, +1 -1, 검사 0개 중 0개 통과, <secs>초 (기준 <base>)
  POLICY_OUTSIDE_TARGETS 작업 대상이나 허용된 경로 밖을 건드림
                         src/config.rs is outside the allowed paths (README.md)
"
    );
}

/// `out` with the base commit, durations and log paths (under `work_root`) replaced by placeholders.
fn normalise(out: &str, work_root: &str, base: &str) -> String {
    let mut text = out.replace(base, "<base>");
    while let Some(start) = text.find(work_root) {
        let end = text[start..]
            .find(char::is_whitespace)
            .map_or(text.len(), |n| start + n);
        text.replace_range(start..end, "<log>");
    }
    let mut normal = String::new();
    let mut number = String::new();
    for c in text.chars().chain(['\n']) {
        if c.is_ascii_digit() || (c == '.' && !number.is_empty()) {
            number.push(c);
            continue;
        }
        if number.contains('.') {
            normal.push_str("<secs>");
        } else {
            normal.push_str(&number);
        }
        number.clear();
        normal.push(c);
    }
    normal.pop();
    normal
}
