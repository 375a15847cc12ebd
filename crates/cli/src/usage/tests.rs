use super::*;

/// The error `args` give, and what a Korean reader sees.
fn korean(args: &[&str]) -> (clap::Error, String) {
    let err = crate::help::command(Lang::Ko)
        .try_get_matches_from(args)
        .unwrap_err();
    let text = render(&err, Lang::Ko).unwrap_or_else(|| panic!("no Korean for {args:?}"));
    (err, text)
}

#[test]
fn an_unknown_argument_is_said_in_korean_with_the_usage_and_where_to_look() {
    let (err, text) = korean(&["autodev", "--bogus"]);
    assert_eq!(err.exit_code(), 2);
    assert_eq!(
        text,
        "오류: 알 수 없는 인자 '--bogus'입니다\n\n\
         사용법: autodev [OPTIONS] <COMMAND>\n\n\
         자세한 내용은 'autodev --help'를 보세요.\n"
    );
    let (_, text) = korean(&["autodev", "status", "--jsn"]);
    assert_eq!(
        text,
        "오류: 알 수 없는 인자 '--jsn'입니다\n\n  팁: 비슷한 인자가 있습니다: '--json'\n\n\
         사용법: autodev status --json [ID]\n\n\
         자세한 내용은 'autodev status --help'를 보세요.\n"
    );
}

#[test]
fn subcommands_values_and_conflicts_read_in_korean() {
    let (_, text) = korean(&["autodev", "statsu"]);
    assert!(
        text.starts_with(
            "오류: 알 수 없는 명령 'statsu'입니다\n\n  팁: 비슷한 명령이 있습니다: 'status'\n"
        ),
        "{text}"
    );
    let (_, text) = korean(&["autodev", "status", "T2026-1"]);
    assert!(
        text.starts_with(
            "오류: '[ID]'의 값 'T2026-1'이 올바르지 않습니다: 작업 ID는 T<YYYYMMDD>-<NNNN> 형식입니다(예: \
             T20261125-0001)\n"
        ),
        "{text}"
    );
    let (_, text) = korean(&["autodev", "init", "--lease-secs", "1"]);
    assert!(
        text.starts_with("오류: '--lease-secs <LEASE_SECS>'의 값 '1'이 올바르지 않습니다: 허용 범위(2..=86400)를 벗어났습니다\n"),
        "{text}"
    );
    let (_, text) = korean(&["autodev", "init", "--lease-secs", "x"]);
    assert!(
        text.contains("'x'가 올바르지 않습니다: 0 이상의 정수가 아닙니다"),
        "{text}"
    );
    let (_, text) = korean(&["autodev", "worker", "--listen", "1.2.3.4:5", "--no-listen"]);
    assert!(
        text.starts_with("오류: '--listen <ADDR>' 인자는 '--no-listen'과 함께 쓸 수 없습니다\n"),
        "{text}"
    );
    let (_, text) = korean(&["autodev", "approve"]);
    assert!(
        text.starts_with("오류: 꼭 필요한 인자가 빠졌습니다:\n  <ID>\n"),
        "{text}"
    );
    let (_, text) = korean(&["autodev", "gate", "--hook", "pre-pull"]);
    assert!(
        text.starts_with(
            "오류: '--hook <HOOK>'에 쓸 수 없는 값 'pre-pull'입니다\n  [가능한 값: pre-merge-commit, pre-push]\n"
        ),
        "{text}"
    );
}

#[test]
fn help_and_version_are_clap_s_and_english_is_untouched() {
    for args in [
        &["autodev", "--help"][..],
        &["autodev", "-V"],
        &["autodev", "submit", "-h"],
    ] {
        let err = crate::help::command(Lang::Ko)
            .try_get_matches_from(args)
            .unwrap_err();
        assert_eq!(render(&err, Lang::Ko), None, "{args:?}");
        assert_eq!(err.exit_code(), 0);
    }
    let err = crate::help::command(Lang::En)
        .try_get_matches_from(["autodev", "--bogus"])
        .unwrap_err();
    assert_eq!(render(&err, Lang::En), None);
}
