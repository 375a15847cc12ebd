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
    let patch =
        "--- a/f\n+++ b/f\n@@ -2,2 +2,3 @@\n 2\n+2b\n 3\n@@ -10,2 +11,2 @@\n-10\n+ten\n 11\n";
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

/// `git apply --check` on `content` as file `f`: whether git accepts the patch.
fn git_accepts(content: &str, patch: &str) -> bool {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), content).unwrap();
    std::fs::write(dir.path().join("p.diff"), patch).unwrap();
    let out = Command::new("git")
        .args(["apply", "--check", "p.diff"])
        .current_dir(dir.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .output()
        .unwrap();
    out.status.success()
}

/// Strict anchoring is git's `match_beginning` / `match_end`: for each case our verdict equals git apply's.
#[test]
fn strict_anchoring_agrees_with_git_apply() {
    let file = "a\nb\nc\nd\ne\n";
    let cases = [
        // Leading context dropped from a hunk at line 1: was placed one line below the start.
        "@@ -1,2 +1,3 @@\n+new\n b\n c\n",
        // Correct insertion at the start.
        "@@ -1,2 +1,3 @@\n+new\n a\n b\n",
        // No trailing context but not at the end of the file.
        "@@ -2,2 +2,3 @@\n b\n c\n+new\n",
        // No trailing context, at the end.
        "@@ -4,2 +4,3 @@\n d\n e\n+new\n",
        // Header says line 1, context is elsewhere.
        "@@ -1,3 +1,3 @@\n b\n-c\n+C\n d\n",
        // Ordinary hunk in the middle, header a little off.
        "@@ -3,3 +3,3 @@\n b\n-c\n+C\n d\n",
        // Header line 0 on a non-empty file.
        "@@ -0,0 +1 @@\n+x\n",
        // The whole file.
        "@@ -1,5 +1,5 @@\n a\n b\n-c\n+C\n d\n e\n",
    ];
    for body in cases {
        let patch = format!("--- a/f\n+++ b/f\n{body}");
        let ours = run(file, &patch, MatchMode::Strict).is_ok();
        assert_eq!(ours, git_accepts(file, &patch), "{body}");
    }
}

#[test]
fn anchored_refusal_says_why() {
    let err = run(
        "a\nb\nc\n",
        "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n+new\n b\n c\n",
        MatchMode::Strict,
    )
    .unwrap_err();
    assert!(matches!(
        err[0].error,
        HunkError::NotAtAnchor {
            edge: Edge::Start,
            ..
        }
    ));
    let msg = err[0].message("f");
    assert!(msg.contains("at the start of the file"), "{msg}");
}

/// Fuzzy: a hunk at line 1 without leading context goes at the start or nowhere — unless its header is stale
/// (counts disagree with the body: it lost lines) or has no numbers (`@@ @@`: no position information).
#[test]
fn fuzzy_pins_a_context_free_start_only_when_the_header_is_trustworthy() {
    let file = "a\nb\nc\nd\n";
    let pinned = "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n+new\n b\n c\n";
    assert!(matches!(
        run(file, pinned, MatchMode::Fuzzy).unwrap_err()[0].error,
        HunkError::NotAtAnchor { .. }
    ));
    // At the start it applies.
    let at_start = "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n+new\n a\n b\n";
    assert_eq!(
        run(file, at_start, MatchMode::Fuzzy).unwrap(),
        "new\na\nb\nc\nd\n"
    );
    // Stale counts (the edit-corpus "first context line missing" case): located by content.
    let stale = "--- a/f\n+++ b/f\n@@ -1,3 +1,4 @@\n+new\n b\n c\n";
    assert_eq!(
        run(file, stale, MatchMode::Fuzzy).unwrap(),
        "a\nnew\nb\nc\nd\n"
    );
    let bare = "--- a/f\n+++ b/f\n@@ @@\n+new\n b\n c\n";
    assert_eq!(
        run(file, bare, MatchMode::Fuzzy).unwrap(),
        "a\nnew\nb\nc\nd\n"
    );
    // Leading context present: content decides, as for any fuzzy hunk; no trailing context pins nothing.
    let lazy = "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n b\n-c\n+C\n";
    assert_eq!(run(file, lazy, MatchMode::Fuzzy).unwrap(), "a\nb\nC\nd\n");
}

/// Attack: thousands of context-only hunks against a large file made the search quadratic (minutes of CPU).
#[test]
fn locating_stops_at_the_budget() {
    let content: String = (0..100_000).map(|i| format!("line {}\n", i % 7)).collect();
    let mut patch = String::from("--- a/f\n+++ b/f\n");
    for _ in 0..3000 {
        patch.push_str("@@ @@\n line 1\n line 2\n line 3\n line 4\n-nope\n+x\n");
    }
    let p = parse(patch.as_bytes(), true).unwrap();
    let started = std::time::Instant::now();
    let mut budget = Budget::default();
    let err = apply_hunks_within(
        content.as_bytes(),
        &p.files[0].hunks,
        MatchMode::Fuzzy,
        false,
        &mut budget,
    )
    .unwrap_err();
    assert!(
        err.iter().any(
            |f| matches!(f.error, HunkError::TooCostly { limit } if limit == DEFAULT_WORK_BUDGET)
        ),
        "{:?}",
        err.last()
    );
    assert_eq!(budget.used(), DEFAULT_WORK_BUDGET);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    // Strict mode is bounded the same way (a near-miss at every position costs a full comparison).
    let same: String = "a\n".repeat(20_000);
    let mut strict_patch = String::from("--- a/f\n+++ b/f\n");
    for _ in 0..50 {
        strict_patch.push_str("@@ -5000,500 +5000,500 @@\n");
        strict_patch.push_str(&" a\n".repeat(498));
        strict_patch.push_str("-b\n+c\n");
        strict_patch.push_str(" a\n");
    }
    let p = parse(strict_patch.as_bytes(), false).unwrap();
    let err =
        apply_hunks(same.as_bytes(), &p.files[0].hunks, MatchMode::Strict, false).unwrap_err();
    assert!(
        err.iter()
            .any(|f| matches!(f.error, HunkError::TooCostly { .. }))
    );
}

#[test]
fn budget_is_deterministic() {
    let content: String = (0..2000).map(|i| format!("{i}\n")).collect();
    let patch = "--- a/f\n+++ b/f\n@@ -1500,3 +1500,3 @@\n 1499\n-1500\n+x\n 1501\n";
    let p = parse(patch.as_bytes(), true).unwrap();
    let used = |mode| {
        let mut b = Budget::default();
        apply_hunks_within(content.as_bytes(), &p.files[0].hunks, mode, false, &mut b).unwrap();
        b.used()
    };
    assert_eq!(used(MatchMode::Fuzzy), used(MatchMode::Fuzzy));
    assert!(used(MatchMode::Strict) < used(MatchMode::Fuzzy));
}
