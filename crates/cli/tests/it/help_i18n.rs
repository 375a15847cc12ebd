//! `--help` and usage errors in the reader's language: Korean help from the catalogue with no English sentence
//! left, clap's own words (`Usage:`, headings, `[default: …]`) in Korean too, usage errors in Korean with exit
//! code 2, and English exactly as clap prints it.

use test_support::TempRepo;

use crate::i18n::{EN, KO, autodev_in};

/// `text` with every run of whitespace made one space: sentences wrapped at different places compare equal.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn has_hangul(text: &str) -> bool {
    text.chars().any(|c| ('가'..='힣').contains(&c))
}

/// The English help texts long enough to be sentences (a flag's one-word help may stay as it is).
fn english_sentences() -> Vec<String> {
    autodev::help::keys()
        .into_iter()
        .map(|(_, english)| flat(&english))
        .filter(|e| e.split(' ').count() >= 4)
        .collect()
}

#[test]
fn korean_help_has_no_english_sentence_and_english_help_is_clap_s() {
    let dir = TempRepo::plain_dir();
    let sentences = english_sentences();
    assert!(sentences.len() > 100, "{}", sentences.len());
    let commands: &[&[&str]] = &[
        &[],
        &["submit"],
        &["status"],
        &["worker"],
        &["doctor"],
        &["gate"],
        &["gate", "install-hook"],
        &["publish"],
        &["deliver"],
        &["telegram"],
    ];
    for command in commands {
        for flag in ["--help", "-h"] {
            let args: Vec<&str> = command.iter().copied().chain([flag]).collect();
            let ko = autodev_in(dir.path(), &args, KO);
            assert_eq!(ko.code, 0, "{args:?}: {}", ko.stderr);
            assert!(has_hangul(&ko.stdout), "{args:?}: {}", ko.stdout);
            let text = flat(&ko.stdout);
            for s in &sentences {
                assert!(
                    !text.contains(s.as_str()),
                    "{args:?} still says {s:?}:\n{}",
                    ko.stdout
                );
            }
            for clap_word in [
                "Usage:",
                "Commands:",
                "Arguments:",
                "Options:",
                "Print help",
                "[default:",
                "[env:",
                "possible values",
            ] {
                assert!(
                    !ko.stdout.contains(clap_word),
                    "{args:?} says {clap_word}:\n{}",
                    ko.stdout
                );
            }
            let en = autodev_in(dir.path(), &args, EN);
            assert_eq!(en.code, 0);
            assert!(!has_hangul(&en.stdout), "{args:?}: {}", en.stdout);
        }
    }

    let ko = autodev_in(dir.path(), &["--help"], KO);
    assert!(ko.stdout.starts_with(
        "autodev는 코딩 요청을 로컬 모델이 쓴 패치로 바꾸고, 게이트가 검사한 뒤 사용자가 승인하게 합니다.\n"
    ));
    assert!(
        ko.stdout
            .contains("\n사용법: autodev [OPTIONS] <COMMAND>\n\n명령:\n  init "),
        "{}",
        ko.stdout
    );
    assert!(
        ko.stdout
            .contains("\n  submit    요청을 검증해 대기열에 넣고 새 작업 ID를 출력합니다\n"),
        "{}",
        ko.stdout
    );
    assert!(
        ko.stdout.contains("[환경 변수: AUTODEV_QUEUE=]"),
        "{}",
        ko.stdout
    );
    let ko = autodev_in(dir.path(), &["submit", "--help"], KO);
    assert!(
        ko.stdout
            .starts_with("요청을 검증해 대기열에 넣고 새 작업 ID를 출력합니다.\n"),
        "{}",
        ko.stdout
    );
    assert!(ko.stdout.contains("\n인자:\n  [FILE]\n"), "{}", ko.stdout);
    assert!(
        ko.stdout
            .contains("  -t, --target <PATH>\n          변경해도 되는 저장소 기준 상대 경로."),
        "{}",
        ko.stdout
    );
    let ko = autodev_in(dir.path(), &["init", "-h"], KO);
    assert!(ko.stdout.contains("[기본값: 300]"), "{}", ko.stdout);

    // English is the doc comments and clap's words, as before.
    let en = autodev_in(dir.path(), &["--help"], EN);
    assert!(en.stdout.starts_with(
        "autodev turns coding requests into patches written by your local model, checked by a gate and\napproved by you.\n"
    ), "{}", en.stdout);
    assert!(
        en.stdout
            .contains("\nUsage: autodev [OPTIONS] <COMMAND>\n\nCommands:\n  init "),
        "{}",
        en.stdout
    );
    assert!(en.stdout.contains(
        "\n  submit    Validate a request and put it in the queue; prints the new task id\n"
    ));
    assert!(en.stdout.contains("\nOptions:\n      --queue <DIR|URL>\n"));
    assert!(
        en.stdout
            .contains("  -h, --help\n          Print help (see a summary with '-h')\n")
    );
    let en = autodev_in(dir.path(), &["submit", "--help"], EN);
    assert!(
        en.stdout
            .starts_with("Validate a request and put it in the queue; prints the new task id.\n"),
        "{}",
        en.stdout
    );
    assert!(en.stdout.contains(
        "\nArguments:\n  [FILE]\n          A task file (JSON); `-` reads standard input\n"
    ));
    let en = autodev_in(dir.path(), &["init", "-h"], EN);
    assert!(en.stdout.contains("[default: 300]"), "{}", en.stdout);
}

#[test]
fn a_usage_error_is_korean_and_exits_2_and_english_is_clap_s() {
    let dir = TempRepo::plain_dir();
    let ko = autodev_in(dir.path(), &["--bogus"], KO);
    assert_eq!(ko.code, 2);
    assert_eq!(ko.stdout, "");
    assert_eq!(
        ko.stderr,
        "오류: 알 수 없는 인자 '--bogus'입니다\n\n사용법: autodev [OPTIONS] <COMMAND>\n\n\
         자세한 내용은 'autodev --help'를 보세요.\n"
    );
    let en = autodev_in(dir.path(), &["--bogus"], EN);
    assert_eq!(en.code, 2);
    assert_eq!(
        en.stderr,
        "error: unexpected argument '--bogus' found\n\nUsage: autodev [OPTIONS] <COMMAND>\n\n\
         For more information, try '--help'.\n"
    );

    let ko = autodev_in(dir.path(), &["statsu"], KO);
    assert_eq!(ko.code, 2);
    assert_eq!(
        ko.stderr,
        "오류: 알 수 없는 명령 'statsu'입니다\n\n  팁: 비슷한 명령이 있습니다: 'status'\n\n\
         사용법: autodev [OPTIONS] <COMMAND>\n\n자세한 내용은 'autodev --help'를 보세요.\n"
    );
    let en = autodev_in(dir.path(), &["statsu"], EN);
    assert_eq!(
        en.stderr,
        "error: unrecognized subcommand 'statsu'\n\n  tip: a similar subcommand exists: 'status'\n\n\
         Usage: autodev [OPTIONS] <COMMAND>\n\nFor more information, try '--help'.\n"
    );

    // A value that does not parse: the particle follows how the value is read (…1 일: 이).
    let ko = autodev_in(dir.path(), &["approve", "T2026-1"], KO);
    assert_eq!(ko.code, 2);
    assert_eq!(
        ko.stderr,
        "오류: '<ID>'의 값 'T2026-1'이 올바르지 않습니다: 작업 ID는 T<YYYYMMDD>-<NNNN> 형식입니다(예: \
         T20261125-0001)\n\n자세한 내용은 '--help'를 보세요.\n"
    );

    // No subcommand: the help, in Korean, on stderr, exit 2 (as clap does in English).
    let ko = autodev_in(dir.path(), &[], KO);
    assert_eq!(ko.code, 2);
    assert!(
        ko.stderr
            .contains("\n사용법: autodev [OPTIONS] <COMMAND>\n"),
        "{}",
        ko.stderr
    );
    let en = autodev_in(dir.path(), &[], EN);
    assert_eq!(en.code, 2);
    assert!(
        en.stderr.contains("\nUsage: autodev [OPTIONS] <COMMAND>\n"),
        "{}",
        en.stderr
    );
}
