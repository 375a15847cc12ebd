//! Unit tests for the parser.
use super::*;

fn strict(s: &str) -> Patch {
    parse(s.as_bytes(), false).unwrap()
}

#[test]
fn git_modify() {
    let p = strict(
        "diff --git a/src/a.rs b/src/a.rs\nindex 1111111..2222222 100644\n--- a/src/a.rs\n+++ b/src/a.rs\n@@ -1,3 +1,3 @@ fn x\n a\n-b\n+B\n c\n",
    );
    assert_eq!(p.files.len(), 1);
    let f = &p.files[0];
    assert_eq!(f.old_path.as_deref(), Some("src/a.rs"));
    assert_eq!(f.new_path.as_deref(), Some("src/a.rs"));
    assert_eq!(f.old_mode, Some(MODE_FILE));
    assert_eq!((f.added(), f.removed()), (1, 1));
    assert_eq!(f.hunks[0].old_start, Some(1));
    assert_eq!(f.hunks[0].lines[1], HunkLine::Remove(b"b".to_vec()));
}

#[test]
fn new_delete_rename_modes() {
    let p = strict(concat!(
        "diff --git a/n.txt b/n.txt\nnew file mode 100755\nindex 0000000..1111111\n--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1 @@\n+x\n",
        "diff --git a/d.txt b/d.txt\ndeleted file mode 100644\n--- a/d.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-y\n",
        "diff --git a/old name.txt b/new name.txt\nsimilarity index 100%\nrename from old name.txt\nrename to new name.txt\n",
        "diff --git a/m.sh b/m.sh\nold mode 100644\nnew mode 100755\n",
    ));
    assert_eq!(p.files.len(), 4);
    assert!(p.files[0].is_new());
    assert_eq!(p.files[0].new_mode, Some(MODE_EXECUTABLE));
    assert!(p.files[1].is_delete());
    assert!(p.files[2].is_rename);
    assert_eq!(p.files[2].old_path.as_deref(), Some("old name.txt"));
    assert_eq!(p.files[2].new_path.as_deref(), Some("new name.txt"));
    assert_eq!(
        (p.files[3].old_mode, p.files[3].new_mode),
        (Some(MODE_FILE), Some(MODE_EXECUTABLE))
    );
}

#[test]
fn no_newline_markers_and_crlf() {
    let p = strict("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\r\n\\ No newline at end of file\n+b\r\n");
    let h = &p.files[0].hunks[0];
    assert!(h.old_no_newline && !h.new_no_newline);
    assert_eq!(h.lines[0], HunkLine::Remove(b"a\r".to_vec()));
}

#[test]
fn quoted_paths() {
    let p = strict(
        "diff --git \"a/t\\303\\251st\" \"b/t\\303\\251st\"\n--- \"a/t\\303\\251st\"\n+++ \"b/t\\303\\251st\"\n@@ -1 +1 @@\n-a\n+b\n",
    );
    assert_eq!(p.files[0].new_path.as_deref(), Some("tést"));
}

#[test]
fn plain_diff_u_with_timestamps_and_prose() {
    let p = strict(
        "Here is the fix:\n\n--- src/x.c\t2024-01-01 00:00:00\n+++ src/x.c\t2024-01-02 00:00:00\n@@ -1 +1 @@\n-a\n+b\nThanks!\n",
    );
    assert_eq!(p.files[0].old_path.as_deref(), Some("src/x.c"));
}

#[test]
fn strict_counts_are_enforced() {
    let e = parse(b"--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n", false).unwrap_err();
    assert!(e.message.contains("ends early"), "{e}");
    assert!(parse(b"@@ -1 +1 @@\n-a\n+b\n", false).is_err());
    assert!(parse(b"--- a/f\n+++ b/f\n@@ bogus @@\n-a\n", false).is_err());
}

#[test]
fn lenient_recounts_and_accepts_bare_headers() {
    let p = parse(
        b"--- a/f\n+++ b/f\n@@ -10,99 +10,99 @@\n a\n\n-b\n+B\n c\n\n",
        true,
    )
    .unwrap();
    let h = &p.files[0].hunks[0];
    assert_eq!((h.old_count, h.new_count), (4, 4));
    assert_eq!(h.lines[1], HunkLine::Context(Vec::new()));
    let p = parse(b"--- a/f\n+++ b/f\n@@ @@\n-a\n+b\n", true).unwrap();
    assert_eq!(p.files[0].hunks[0].old_start, None);
}

/// Real `git diff --binary` output (a file with a NUL byte changed).
const BINARY_SECTION: &str = "diff --git a/i.png b/i.png\nindex 96db3e1c616a9650209b6a2491a6a663261c7edf..f2902b799237389eb9cba4dc5cf54481fefe784d 100644\nGIT binary patch\nliteral 8\nPcmYdHN@l32tYQQJ3{V1-\n\nliteral 7\nOcmYdHN@hq&O#=W4MFLg;\n\n";

/// Attack: a text section after `GIT binary patch` data was skipped by the parser (so never judged) but applied
/// by `git apply`.
#[test]
fn text_section_after_binary_data_is_parsed() {
    let smuggled = BINARY_SECTION.to_owned()
        + "--- a/.github/workflows/ci.yml\n+++ b/.github/workflows/ci.yml\n@@ -1 +1 @@\n-a\n+b\n";
    for lenient in [false, true] {
        let p = parse(smuggled.as_bytes(), lenient).unwrap();
        assert_eq!(p.files.len(), 2, "lenient={lenient}");
        assert_eq!(p.files[1].display_path(), ".github/workflows/ci.yml");
        assert_eq!(p.files[0].binary_lines.len(), 6);
    }
}

#[test]
fn corrupt_binary_data_is_malformed() {
    for bad in [
        "GIT binary patch\nliteral 8\nnot base85 at all\n\n",
        "GIT binary patch\nliteral 8\nPcmYdHN@l32tYQQJ3{V1-\n",
        "GIT binary patch\nsomething else\n",
        "GIT binary patch\nliteral 8\n\n",
    ] {
        let text = format!("diff --git a/i.png b/i.png\n{bad}");
        assert!(parse(text.as_bytes(), false).is_err(), "{bad:?}");
    }
}

#[test]
fn nul_in_a_text_hunk_is_seen() {
    let p = strict("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\0c\n");
    assert!(p.files[0].has_nul_in_text());
    assert!(!strict("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n").files[0].has_nul_in_text());
}

/// Attack: `--- a/X` with `+++ b/Y` and no rename lines passed the gate (as a rename) while git apply refuses it.
#[test]
fn different_paths_without_rename_lines_are_malformed() {
    for text in [
        "--- a/x\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n",
        "diff --git a/x b/y\n--- a/x\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n",
        "diff --git a/x b/x\n--- a/x\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n",
        "diff --git a/x b/x\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n",
    ] {
        for lenient in [false, true] {
            let err = parse(text.as_bytes(), lenient).unwrap_err();
            assert!(
                err.message.contains("rename") || err.message.contains("names"),
                "{text:?}: {err}"
            );
        }
    }
    // A real rename is fine.
    let p = strict(
        "diff --git a/x b/y\nsimilarity index 90%\nrename from x\nrename to y\n--- a/x\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n",
    );
    assert!(p.files[0].is_rename);
}

/// Writing a parsed patch back and parsing it again gives the same patch, for every scenario patch that
/// parses: what `git apply` receives is what was judged.
#[test]
fn written_patch_parses_to_the_same_patch() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/gate");
    let mut checked = 0;
    let mut inputs: Vec<Vec<u8>> = vec![
        BINARY_SECTION.as_bytes().to_vec(),
        b"diff --git \"a/t\\303\\251st x\" \"b/t\\303\\251st x\"\n--- \"a/t\\303\\251st x\"\n+++ \"b/t\\303\\251st x\"\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n".to_vec(),
    ];
    for entry in std::fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path().join("patch.diff");
        if let Ok(bytes) = std::fs::read(path) {
            inputs.push(bytes);
        }
    }
    let canonical = |mut p: Patch| {
        for f in &mut p.files {
            f.line = 0;
            // A created or deleted file without a stated mode is written with git's default mode.
            if f.is_new() {
                f.new_mode.get_or_insert(MODE_FILE);
            }
            if f.is_delete() {
                f.old_mode.get_or_insert(MODE_FILE);
            }
            for h in &mut f.hunks {
                h.header = String::new();
            }
        }
        p
    };
    for input in inputs {
        let Ok(p) = parse(&input, false) else {
            continue;
        };
        let written = p.to_git_bytes().unwrap();
        let again = parse(&written, false)
            .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&written)));
        assert_eq!(
            canonical(again),
            canonical(p.clone()),
            "{}",
            String::from_utf8_lossy(&written)
        );
        checked += 1;
    }
    assert!(checked > 30, "only {checked} patches checked");
}

#[test]
fn binary() {
    let p = strict(
        &(BINARY_SECTION.to_owned()
            + "diff --git a/b b/b\n--- a/b\n+++ b/b\n@@ -1 +1 @@\n-a\n+b\n"),
    );
    assert!(p.files[0].binary && p.files[0].binary_data);
    assert_eq!(p.files.len(), 2);
    let p = strict("Binary files a/x.bin and b/x.bin differ\n");
    assert!(p.files[0].binary);
}

#[test]
fn never_panics_on_garbage() {
    let inputs: &[&[u8]] = &[
        b"",
        b"diff --git",
        b"diff --git \"",
        b"diff --git a/x",
        b"--- a\n+++ b\n@@",
        b"--- a\n+++ b\n@@ -1,1 +1,1 @@",
        b"--- /dev/null\n+++ /dev/null\n",
        b"diff --git a/x b/x\nold mode zz\n",
        b"\xff\xfe--- \xff\n+++ \xff\n",
        b"--- a\n+++ b\n@@ -18446744073709551616 +1 @@\n",
        b"diff --git \"a/\\777\" b/x\n",
    ];
    for i in inputs {
        let _ = parse(i, false);
        let _ = parse(i, true);
    }
}
