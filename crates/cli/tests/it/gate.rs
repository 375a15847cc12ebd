//! `autodev gate` through the real binary: PASS 0, FAIL 1 with a code, ERROR 2.

use test_support::{TempRepo, snapshot};

use crate::autodev;

fn repo() -> TempRepo {
    TempRepo::with_files(&[
        ("src/config.rs", "fn port() -> u16 {\n    0\n}\n"),
        (".ci/run", "true\n"),
    ])
}

const GOOD: &str = "\
diff --git a/src/config.rs b/src/config.rs
--- a/src/config.rs
+++ b/src/config.rs
@@ -1,3 +1,3 @@
 fn port() -> u16 {
-    0
+    8080
 }
";

#[test]
fn pass_fail_and_error_have_their_exit_codes() {
    let repo = repo();
    repo.write(
        "src/config.rs",
        "fn port() -> u16 {\n    1\n}\n// uncommitted work\n",
    );
    let before = snapshot(repo.path());
    let patch = repo
        .path()
        .parent()
        .unwrap()
        .join(format!("good-{}.diff", std::process::id()));
    std::fs::write(&patch, GOOD).unwrap();

    let pass = autodev(repo.path(), &["gate", patch.to_str().unwrap(), "--json"]);
    assert_eq!(pass.code, 0, "{}\n{}", pass.stdout, pass.stderr);
    assert_eq!(pass.json()["verdict"], "PASS");

    let bad = GOOD.replace("src/config.rs", ".ci/run");
    let bad_path = patch.with_extension("bad.diff");
    std::fs::write(&bad_path, bad).unwrap();
    let fail = autodev(repo.path(), &["gate", bad_path.to_str().unwrap(), "--json"]);
    assert_eq!(fail.code, 1, "{}", fail.stderr);
    let codes: Vec<String> = fail.json()["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        codes.contains(&"POLICY_PROTECTED_PATH".to_string()),
        "{codes:?}"
    );

    let outside = TempRepo::plain_dir();
    let err = autodev(
        outside.path(),
        &[
            "gate",
            patch.to_str().unwrap(),
            "--repo",
            "/nonexistent/repo",
        ],
    );
    assert_eq!(err.code, 2, "{}", err.stderr);

    assert_eq!(
        snapshot(repo.path()),
        before,
        "the user's tree, index and HEAD are untouched"
    );
    let _ = std::fs::remove_file(patch);
    let _ = std::fs::remove_file(bad_path);
}
