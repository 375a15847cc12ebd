//! `[[probe]]`: commands that describe what a passing patch does. They run only when asked, only after every
//! check passed, in the checks' sandbox, and never change the verdict.

use gate::{CheckStatus, Gate, GateConfig, GateRequest, Verdict};

use crate::common::repo_with;

const TO_B: &str = "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n";

const GATE_TOML: &str = r#"
[[check]]
name = "is b"
command = "grep -q b a.txt"

[[probe]]
name = "contents"
command = "cat a.txt; exit 3"
"#;

fn judge(repo: &std::path::Path, patch: &str, probes: bool) -> gate::GateReport {
    let mut req = GateRequest::new(repo, "HEAD", patch);
    req.probes = probes;
    Gate::new(GateConfig::default()).check(&req).unwrap()
}

#[test]
fn probes_describe_a_passing_patch_only_when_asked_and_never_decide_the_verdict() {
    let repo = repo_with(&[("a.txt", "a\n"), (".autodev_ssot/gate.toml", GATE_TOML)]);
    let quiet = judge(&repo.path, TO_B, false);
    assert_eq!(quiet.verdict, Verdict::Pass);
    assert!(quiet.probes.is_empty(), "not asked: {:?}", quiet.probes);

    let probed = judge(&repo.path, TO_B, true);
    assert_eq!(
        probed.verdict,
        Verdict::Pass,
        "a probe exiting 3 is not a failure"
    );
    assert_eq!(probed.probes.len(), 1);
    let p = &probed.probes[0];
    assert_eq!(p.name, "contents");
    assert_eq!((p.status, p.exit_code), (CheckStatus::Failed, Some(3)));
    assert_eq!(
        p.output_tail.trim(),
        "b",
        "the probe saw the patched checkout"
    );
    assert_eq!(
        std::fs::read_to_string(repo.path.join("a.txt")).unwrap(),
        "a\n"
    );
}

#[test]
fn a_failing_patch_is_not_probed() {
    let repo = repo_with(&[("a.txt", "a\n"), (".autodev_ssot/gate.toml", GATE_TOML)]);
    let to_c = TO_B.replace("+b", "+c");
    let r = judge(&repo.path, &to_c, true);
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(r.probes.is_empty(), "{:?}", r.probes);
}

#[test]
fn a_probe_is_held_by_the_sandbox_like_a_check() {
    if gate::sandbox::support().landlock_abi == 0 {
        eprintln!("SKIPPED: this kernel has no Landlock");
        return;
    }
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("written-by-a-probe");
    let toml = format!(
        "[[check]]\nname = \"ok\"\ncommand = \"true\"\n\n[[probe]]\nname = \"escape\"\ncommand = \"echo x > {}\"\n",
        target.display()
    );
    let repo = repo_with(&[("a.txt", "a\n"), (".autodev_ssot/gate.toml", &toml)]);
    let r = judge(&repo.path, TO_B, true);
    assert_eq!(r.verdict, Verdict::Pass);
    assert_eq!(r.probes[0].status, CheckStatus::Failed, "{:?}", r.probes[0]);
    assert!(!target.exists(), "a probe wrote outside its checkout");
}
