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

/// Attack: `autodev gate /dev/zero` read everything before the 1 MiB cap was checked. The CLI now reads one
/// byte past the repository's limit and stops, from a file or from standard input.
#[test]
fn endless_patch_input_is_refused_at_once() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let started = std::time::Instant::now();
    let from_file = bin()
        .arg("/dev/zero")
        .arg("--repo")
        .arg(&repo.path)
        .arg("--json")
        .output()
        .unwrap();
    let from_stdin = bin()
        .arg("-")
        .arg("--repo")
        .arg(&repo.path)
        .arg("--json")
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    for out in [from_file, from_stdin] {
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["reasons"][0]["code"], "POLICY_TOO_LARGE");
        assert!(
            v["reasons"][0]["message"]
                .as_str()
                .unwrap()
                .contains("1048577 bytes or more"),
            "{v}"
        );
    }
}

/// Attack: `autodev gate --hook pre-push` read its whole standard input before looking at it, so an endless one
/// (`/dev/zero`) grew memory until the process died. It now stops one byte past 1 MiB and answers ERROR at once.
#[test]
fn endless_pre_push_input_is_refused_at_once() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let started = std::time::Instant::now();
    let run = |json: bool| {
        let mut cmd = bin();
        cmd.args(["--hook", "pre-push", "--repo"]).arg(&repo.path);
        if json {
            cmd.arg("--json");
        }
        cmd.stdin(std::fs::File::open("/dev/zero").unwrap())
            .output()
            .unwrap()
    };
    let (json, text) = (run(true), run(false));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        json.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["verdict"], "ERROR", "{v}");
    assert_eq!(v["kind"], "HOOK_INPUT", "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("more than 1048576 bytes"),
        "{v}"
    );
    assert_eq!(text.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&text.stderr);
    assert!(stderr.contains("standard input is more than"), "{stderr}");
}

/// What git really writes still passes through: an ordinary pre-push line under the bound.
#[test]
fn an_ordinary_pre_push_input_is_read() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let zero = "0".repeat(40);
    let line = format!("refs/heads/gone {zero} refs/heads/gone {zero}\n");
    let out = bin()
        .args(["--hook", "pre-push", "--repo"])
        .arg(&repo.path)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(line.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
