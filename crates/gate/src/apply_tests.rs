//! Unit tests for hunk application.
use super::*;
use crate::patch::parse;

fn run(content: &str, patch: &str, mode: MatchMode) -> Result<String, Vec<HunkFailure>> {
    let p = parse(patch.as_bytes(), mode == MatchMode::Fuzzy).unwrap();
    apply_hunks(content.as_bytes(), &p.files[0].hunks, mode, false)
        .map(|b| String::from_utf8(b).unwrap())
}

#[test]
fn strict_exact_and_shifted() {
    let patch = "--- a/f\n+++ b/f\n@@ -2,3 +2,3 @@\n b\n-c\n+C\n d\n";
    assert_eq!(
        run("a\nb\nc\nd\ne\n", patch, MatchMode::Strict).unwrap(),
        "a\nb\nC\nd\ne\n"
    );
    // Three lines inserted above: the nearest exact match is found.
    assert_eq!(
        run("x\ny\nz\na\nb\nc\nd\ne\n", patch, MatchMode::Strict).unwrap(),
        "x\ny\nz\na\nb\nC\nd\ne\n"
    );
}

#[test]
fn strict_reports_expected_and_found() {
    let patch = "--- a/f\n+++ b/f\n@@ -2,3 +2,3 @@\n b\n-c\n+C\n d\n";
    let err = run("a\nb\nX\nd\n", patch, MatchMode::Strict).unwrap_err();
    let msg = err[0].message("f");
    assert!(
        msg.contains("hunk #1") && msg.contains("|c") && msg.contains("|X"),
        "{msg}"
    );
}

#[test]
fn strict_newline_at_eof() {
    let add_nl = "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n";
    assert_eq!(run("a", add_nl, MatchMode::Strict).unwrap(), "a\n");
    assert!(run("a\n", add_nl, MatchMode::Strict).is_err());
    let drop_nl = "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n";
    assert_eq!(run("a\n", drop_nl, MatchMode::Strict).unwrap(), "b");
}

#[test]
fn multiple_hunks_track_offsets() {
    let content: String = (1..=20).map(|i| format!("{i}\n")).collect();
    let patch = "--- a/f\n+++ b/f\n@@ -2,1 +2,2 @@\n 2\n+2b\n@@ -10,1 +11,1 @@\n-10\n+ten\n";
    let out = run(&content, patch, MatchMode::Strict).unwrap();
    assert!(
        out.contains("2\n2b\n3") && out.contains("9\nten\n11"),
        "{out}"
    );
}

#[test]
fn fuzzy_passes() {
    // Wrong line numbers, trailing spaces in the file, curly quotes in the patch.
    let content = "fn a() {\n    let s = \"x\";   \n    call();\n}\n";
    let patch = "--- a/f\n+++ b/f\n@@ -40,3 +40,3 @@\n     let s = \u{201C}x\u{201D};\n-    call();\n+    call2();\n }\n";
    assert_eq!(
        run(content, patch, MatchMode::Fuzzy).unwrap(),
        "fn a() {\n    let s = \"x\";   \n    call2();\n}\n"
    );
    assert!(run(content, patch, MatchMode::Strict).is_err());
}

#[test]
fn fuzzy_refuses_ambiguous() {
    let content = "x = 1\ny = 2\nx = 1\ny = 2\n";
    let patch = "--- a/f\n+++ b/f\n@@ @@\n x = 1\n-y = 2\n+y = 3\n";
    let err = run(content, patch, MatchMode::Fuzzy).unwrap_err();
    assert!(matches!(&err[0].error, HunkError::Ambiguous { positions } if positions == &[0, 2]));
}

#[test]
fn fuzzy_keeps_crlf() {
    let patch = "--- a/f\n+++ b/f\n@@ @@\n a\n-b\n+B\n";
    assert_eq!(
        run("a\r\nb\r\nc\r\n", patch, MatchMode::Fuzzy).unwrap(),
        "a\r\nB\r\nc\r\n"
    );
}

#[test]
fn pattern_longer_than_file() {
    let patch = "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n d\n";
    assert!(run("a\n", patch, MatchMode::Strict).is_err());
    assert!(run("a\n", patch, MatchMode::Fuzzy).is_err());
}

#[test]
fn absurd_line_numbers_do_not_overflow() {
    let patch = "--- a/f\n+++ b/f\n@@ -18446744073709551615,1 +9223372036854775807,1 @@\n-a\n+b\n@@ -18446744073709551615,0 +1,1 @@\n+c\n";
    let _ = run("a\n", patch, MatchMode::Strict);
    let _ = run("a\n", patch, MatchMode::Fuzzy);
}

#[test]
fn text_roundtrip() {
    for s in ["", "a", "a\n", "a\r\nb", "\n\n"] {
        assert_eq!(Text::parse(s.as_bytes()).to_bytes(), s.as_bytes());
    }
}

/// Found by the edit-corpus benchmark: a CRLF patch applied fuzzily to an LF file kept a CR on every added line.
#[test]
fn fuzzy_added_lines_follow_the_files_line_endings() {
    let crlf_patch = "--- a/f\r\n+++ b/f\r\n@@ -1,2 +1,2 @@\r\n a\r\n-b\r\n+B\r\n";
    assert_eq!(
        run("a\nb\nc\n", crlf_patch, MatchMode::Fuzzy).unwrap(),
        "a\nB\nc\n"
    );
    let lf_patch = "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n";
    assert_eq!(
        run("a\r\nb\r\nc\r\n", lf_patch, MatchMode::Fuzzy).unwrap(),
        "a\r\nB\r\nc\r\n"
    );
}
