//! Every rejection code, hostile task files, and non-English requests.

use std::collections::BTreeSet;

use submit::Code;
use test_support::{TempRepo, snapshot};

use crate::{autodev, autodev_stdin, queue_dir, ready_repo};

/// How one case feeds `autodev submit`.
enum Input {
    /// A task file's bytes, given on stdin (`submit -`).
    File(Vec<u8>),
    /// Flags.
    Flags(Vec<String>),
}

fn file(json: serde_json::Value) -> Input {
    Input::File(json.to_string().into_bytes())
}

fn flags(args: &[&str]) -> Input {
    Input::Flags(args.iter().map(|s| s.to_string()).collect())
}

const GOOD_WORK: &str = "parse_port accepts 0; make it return an error instead";

/// Submits and asserts: exit 1, the expected code is reported (JSON and stderr), nothing in the queue changed.
fn assert_rejected(repo: &TempRepo, input: Input, code: &str) {
    let before = snapshot(&queue_dir(repo));
    let r = match &input {
        Input::File(bytes) => autodev_stdin(repo.path(), &["submit", "-", "--json"], Some(bytes)),
        Input::Flags(a) => {
            let mut args: Vec<&str> = vec!["submit", "--json"];
            args.extend(a.iter().map(String::as_str));
            autodev(repo.path(), &args)
        }
    };
    assert_eq!(
        r.code, 1,
        "expected rejection {code}, got exit {}:\n{}\n{}",
        r.code, r.stdout, r.stderr
    );
    let v = r.json();
    let codes: Vec<&str> = v["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&code), "expected {code} in {codes:?}");
    assert!(
        r.stderr.contains(code),
        "stderr names the code: {}",
        r.stderr
    );
    for rej in v["rejected"].as_array().unwrap() {
        assert!(
            rej["message"].as_str().unwrap().len() > 15,
            "each rejection says what to do: {rej}"
        );
    }
    assert_eq!(
        snapshot(&queue_dir(repo)),
        before,
        "a rejected task must not touch the queue ({code})"
    );
}

#[test]
fn every_rejection_code_is_produced_and_changes_nothing() {
    let repo = ready_repo();
    let outside = TempRepo::plain_dir();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("escape")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/dangling", repo.path().join("dangling")).unwrap();
    let not_git = TempRepo::plain_dir();
    let not_git_s = not_git.path().to_str().unwrap().to_string();
    let many: Vec<String> = (0..65).map(|i| format!("f{i}.rs")).collect();
    let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));

    let cases: Vec<(&str, Input)> = vec![
        ("WORK_MISSING", flags(&["-i", "fix", "-t", "src/config.rs"])),
        (
            "WORK_TEXT_TOO_SHORT",
            flags(&["-i", "fix", "-t", "src/config.rs", "-w", "fix the bug"]),
        ),
        (
            "INTENT_MISSING",
            flags(&["-t", "src/config.rs", "-w", GOOD_WORK]),
        ),
        (
            "INTENT_UNKNOWN",
            flags(&["-i", "yolo", "-t", "src/config.rs", "-w", GOOD_WORK]),
        ),
        ("TARGET_MISSING", flags(&["-i", "fix", "-w", GOOD_WORK])),
        (
            "TARGET_ABSOLUTE",
            flags(&["-i", "fix", "-t", "/etc/passwd", "-w", GOOD_WORK]),
        ),
        (
            "TARGET_ESCAPES",
            flags(&["-i", "fix", "-t", "src/../../etc/passwd", "-w", GOOD_WORK]),
        ),
        (
            "TARGET_OUTSIDE_REPO",
            flags(&["-i", "fix", "-t", "escape/x.rs", "-w", GOOD_WORK]),
        ),
        (
            "TARGET_OUTSIDE_REPO",
            flags(&["-i", "fix", "-t", "dangling", "-w", GOOD_WORK]),
        ),
        (
            "TARGET_PROTECTED",
            flags(&["-i", "fix", "-t", ".git/hooks/pre-commit", "-w", GOOD_WORK]),
        ),
        (
            "TARGET_PROTECTED",
            flags(&[
                "-i",
                "fix",
                "-t",
                ".autodev_queue/pending/x.json",
                "-w",
                GOOD_WORK,
            ]),
        ),
        (
            "TARGET_INVALID",
            flags(&["-i", "fix", "-t", "src\\config.rs", "-w", GOOD_WORK]),
        ),
        (
            "TARGETS_TOO_MANY",
            file(serde_json::json!({"intent": "fix", "work": GOOD_WORK, "targets": many})),
        ),
        (
            "TITLE_INVALID",
            flags(&[
                "-i",
                "fix",
                "-t",
                "a.rs",
                "-w",
                GOOD_WORK,
                "--title",
                "two\nlines",
            ]),
        ),
        (
            "CHECKS_INVALID",
            flags(&["-i", "fix", "-t", "a.rs", "-w", GOOD_WORK, "--check", "  "]),
        ),
        (
            "REPO_NOT_FOUND",
            flags(&[
                "-i",
                "fix",
                "-t",
                "a.rs",
                "-w",
                GOOD_WORK,
                "--repo",
                "/nonexistent/repo",
            ]),
        ),
        (
            "REPO_NOT_GIT",
            flags(&[
                "-i", "fix", "-t", "a.rs", "-w", GOOD_WORK, "--repo", &not_git_s,
            ]),
        ),
        (
            "BASE_UNKNOWN",
            flags(&[
                "-i",
                "fix",
                "-t",
                "a.rs",
                "-w",
                GOOD_WORK,
                "--base",
                "no-such-branch",
            ]),
        ),
        (
            "FILE_TOO_LARGE",
            Input::File(
                format!(
                    r#"{{"intent":"fix","targets":["a.rs"],"work":"{}"}}"#,
                    "word ".repeat(2_000_000)
                )
                .into_bytes(),
            ),
        ),
        (
            "FIELD_TOO_LONG",
            flags(&[
                "-i",
                "fix",
                "-t",
                "a.rs",
                "-w",
                &"very long request ".repeat(1000),
            ]),
        ),
        (
            "INVALID_UTF8",
            Input::File(
                b"{\"intent\":\"fix\",\"work\":\"caf\xe9 \xff\xfe broken\",\"targets\":[\"a.rs\"]}"
                    .to_vec(),
            ),
        ),
        (
            "INVALID_JSON",
            Input::File(b"{\"intent\": \"fix\", ".to_vec()),
        ),
        ("INVALID_JSON", Input::File(b"[\"not an object\"]".to_vec())),
        (
            "JSON_TOO_DEEP",
            Input::File(format!(r#"{{"intent":"fix","work":{deep}}}"#).into_bytes()),
        ),
        (
            "UNKNOWN_FIELD",
            file(
                serde_json::json!({"intent": "fix", "work": GOOD_WORK, "targets": ["a.rs"], "priority": "high"}),
            ),
        ),
        (
            "INVALID_FIELD_TYPE",
            file(serde_json::json!({"intent": "fix", "work": GOOD_WORK, "targets": "a.rs"})),
        ),
        (
            "DUPLICATE_FIELD",
            Input::File(
                format!(
                    r#"{{"intent":"fix","intent":"feat","work":"{GOOD_WORK}","targets":["a.rs"]}}"#
                )
                .into_bytes(),
            ),
        ),
    ];
    let mut covered = BTreeSet::new();
    for (code, input) in cases {
        assert_rejected(&repo, input, code);
        covered.insert(code.to_string());
    }
    let all: BTreeSet<String> = Code::ALL.iter().map(|c| c.as_str().to_string()).collect();
    let missing: Vec<_> = all.difference(&covered).collect();
    assert!(missing.is_empty(), "codes without a test: {missing:?}");
}

#[test]
fn three_word_work_is_refused_with_exit_1() {
    let repo = ready_repo();
    let r = autodev(
        repo.path(),
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "-w",
            "fix port parsing",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("WORK_TEXT_TOO_SHORT"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "no id printed");
}

#[test]
fn all_problems_are_reported_at_once() {
    let repo = ready_repo();
    let r = autodev(repo.path(), &["submit", "--json", "-w", "short"]);
    assert_eq!(r.code, 1);
    let codes: Vec<String> = r.json()["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        codes,
        ["WORK_TEXT_TOO_SHORT", "INTENT_MISSING", "TARGET_MISSING"]
    );
}

#[test]
fn korean_request_is_accepted_and_round_trips_intact() {
    let repo = ready_repo();
    let work = "parse_port 함수가 포트 0을 허용합니다. 0이 들어오면 오류를 반환하도록 고쳐 주세요.";
    let title = "포트 0 거부";
    let r = autodev(
        repo.path(),
        &[
            "submit",
            "--json",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "-w",
            work,
            "--title",
            title,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = r.json()["id"].as_str().unwrap().to_string();
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["title"], title);
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(st["task_file"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(stored["work"], work);
    let log = std::fs::read_to_string(queue_dir(&repo).join("events.ndjson")).unwrap();
    assert!(log.contains(title), "the log keeps Hangul as text: {log}");
}

#[test]
fn three_character_korean_request_is_refused() {
    let repo = ready_repo();
    let r = autodev(
        repo.path(),
        &["submit", "-i", "fix", "-t", "src/config.rs", "-w", "고쳐줘"],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("WORK_TEXT_TOO_SHORT"), "{}", r.stderr);
    // The message counts characters, not the 9 UTF-8 bytes.
    assert!(r.stderr.contains("3 characters"), "{}", r.stderr);
}

#[test]
fn ten_megabyte_file_is_refused_without_reading_it_all() {
    let repo = ready_repo();
    let path = repo.path().join("huge.json");
    let mut body = br#"{"intent":"fix","targets":["a.rs"],"work":""#.to_vec();
    body.extend(std::iter::repeat_n(b'a', 10 * 1024 * 1024));
    body.extend(br#""}"#);
    std::fs::write(&path, body).unwrap();
    let before = snapshot(&queue_dir(&repo));
    let r = autodev(repo.path(), &["submit", path.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("FILE_TOO_LARGE"));
    assert_eq!(snapshot(&queue_dir(&repo)), before);
}

#[test]
fn missing_task_file_is_an_infrastructure_error() {
    let repo = ready_repo();
    let r = autodev(repo.path(), &["submit", "no-such-file.json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no-such-file.json"), "{}", r.stderr);
}
