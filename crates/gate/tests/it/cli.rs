//! The `autodev-gate gate` binary: exit codes, JSON, and the secrets scrub seen from a real process.

use std::process::Command;

use crate::common::repo_with;

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_autodev-gate"));
    cmd.arg("gate");
    cmd
}

const PATCH: &str = "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n";

#[test]
fn exit_codes_and_json() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let patch = repo.path.parent().unwrap().join("p.diff");
    std::fs::write(&patch, PATCH).unwrap();

    let out = bin()
        .arg(&patch)
        .arg("--repo")
        .arg(&repo.path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("PASS"));

    let out = bin()
        .arg(&patch)
        .arg("--repo")
        .arg(&repo.path)
        .args(["--check", "false", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "FAIL");
    assert_eq!(v["reasons"][0]["code"], "CHECK_FAILED");

    let out = bin()
        .arg(&patch)
        .arg("--repo")
        .arg(&repo.path)
        .args(["--base", "nope", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "ERROR");
    assert_eq!(v["kind"], "UNKNOWN_BASE");

    let out = bin()
        .arg("/no/such.patch")
        .arg("--repo")
        .arg(&repo.path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    // stdin, --allow
    let mut child = bin()
        .arg("-")
        .arg("--repo")
        .arg(&repo.path)
        .args(["--allow", "src/"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(PATCH.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("POLICY_OUTSIDE_TARGETS"));
}

#[test]
fn checks_do_not_see_secrets_unless_allowed() {
    let repo = repo_with(&[
        ("a.txt", "a\n"),
        (
            ".autodev_ssot/gate.toml",
            "[env]\nallow = [\"DEPLOY_KEY\"]\n",
        ),
    ]);
    let patch = repo.path.parent().unwrap().join("p.diff");
    std::fs::write(&patch, PATCH).unwrap();
    let check = r#"test -z "$TELEGRAM_BOT_TOKEN$AWS_SECRET_ACCESS_KEY$DB_PASSWORD" && test "$DEPLOY_KEY" = kept && test "$HARMLESS" = yes"#;
    let out = bin()
        .arg(&patch)
        .arg("--repo")
        .arg(&repo.path)
        .args(["--check", check])
        .env("TELEGRAM_BOT_TOKEN", "123:abc")
        .env("AWS_SECRET_ACCESS_KEY", "s")
        .env("DB_PASSWORD", "p")
        .env("DEPLOY_KEY", "kept")
        .env("HARMLESS", "yes")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn help_teaches() {
    let out = bin().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in ["install-hook", "--fuzzy", "--allow", "Exit codes", "PASS"] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
}
