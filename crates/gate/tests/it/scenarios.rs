//! The data-driven test: every folder in `fixtures/gate/` is one patch judged against one repository.
//!
//! Each scenario also proves the user's side is untouched: the repository gets a staged edit, an unstaged edit
//! and an untracked file before the gate runs, and its files, index, HEAD and refs are compared byte for byte
//! afterwards. For PASS, the checkout must equal `expected/` (which also proves the user's uncommitted edits did
//! not leak into it); for fuzzy PASS, the normalised patch must apply strictly to the same tree.

use std::path::Path;

use gate::{Gate, GateConfig, GateRequest, Verdict};
use serde::Deserialize;

use crate::common::{
    assert_trees_eq, fixtures_root, make_dirty, repo_from_fixture, tree, user_state,
};

#[derive(Debug, Deserialize)]
struct Expected {
    verdict: String,
    #[serde(default)]
    reasons: Vec<String>,
    #[serde(default)]
    fuzzy: bool,
    #[serde(default)]
    allowed: Option<Vec<String>>,
    #[serde(default)]
    checks: Option<Vec<String>>,
    #[serde(default)]
    base: Option<String>,
}

fn run_scenario(dir: &Path) -> Result<(), String> {
    let exp: Expected = serde_json::from_slice(
        &std::fs::read(dir.join("expected.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let setup = dir.join("setup.sh");
    let repo = repo_from_fixture(
        &dir.join("input"),
        setup.exists().then_some(setup.as_path()),
    );
    make_dirty(&repo);
    let before = user_state(&repo.path);

    let patch = std::fs::read(dir.join("patch.diff")).map_err(|e| e.to_string())?;
    let gate = Gate::new(GateConfig::default());
    let mut req = GateRequest::new(
        &repo.path,
        exp.base.clone().unwrap_or_else(|| "HEAD".into()),
        patch,
    );
    req.fuzzy = exp.fuzzy;
    req.allowed_paths = exp.allowed.clone();
    req.checks = exp.checks.clone();
    let result = gate.check(&req);

    if user_state(&repo.path) != before {
        return Err("the user's working tree, index, HEAD or refs changed".into());
    }
    let report = match (result, exp.verdict.as_str()) {
        (Err(_), "ERROR") => return Ok(()),
        (Err(e), want) => return Err(format!("got ERROR ({e}), want {want}")),
        (Ok(r), "ERROR") => return Err(format!("got {:?}, want ERROR", r.verdict)),
        (Ok(r), _) => r,
    };
    let mut got_reasons: Vec<String> = report
        .reason_codes()
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    got_reasons.sort();
    let mut want_reasons = exp.reasons.clone();
    want_reasons.sort();
    want_reasons.dedup();
    if report.verdict.as_str() != exp.verdict || got_reasons != want_reasons {
        return Err(format!(
            "got {} {got_reasons:?}, want {} {want_reasons:?}; messages: {:?}",
            report.verdict.as_str(),
            exp.verdict,
            report
                .reasons
                .iter()
                .map(|r| &r.message)
                .collect::<Vec<_>>()
        ));
    }
    // Round trip through JSON: this is the stored <id>.gate.json.
    let json = serde_json::to_string(&report).map_err(|e| e.to_string())?;
    let back: gate::GateReport = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    if back != report {
        return Err("report does not round-trip through JSON".into());
    }
    if report.verdict == Verdict::Pass {
        let checkout = report.checkout.clone().ok_or("PASS without a checkout")?;
        let expected_tree = tree(&dir.join("expected"));
        assert_trees_eq(&tree(&checkout), &expected_tree, "checkout vs expected/")?;
        if exp.fuzzy {
            let normalized = report
                .normalized_patch
                .ok_or("fuzzy PASS without normalized_patch")?;
            let mut strict = GateRequest::new(&repo.path, "HEAD", normalized.into_bytes());
            strict.checks = Some(Vec::new());
            let again = gate.check(&strict).map_err(|e| e.to_string())?;
            if !again.passed() {
                return Err(format!(
                    "normalized patch does not apply strictly: {:?}",
                    again.reasons
                ));
            }
            assert_trees_eq(
                &tree(&again.checkout.ok_or("no checkout")?),
                &expected_tree,
                "normalized patch",
            )?;
        } else if report.normalized_patch.is_some() {
            return Err("normalized_patch present without fuzzy".into());
        }
    }
    Ok(())
}

#[test]
fn all_scenarios() {
    let mut dirs: Vec<_> = std::fs::read_dir(fixtures_root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.json").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 40, "only {} scenarios", dirs.len());
    let filter = std::env::var("GATE_SCENARIO").unwrap_or_default();
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if !name.contains(&filter) {
            continue;
        }
        if let Err(e) = run_scenario(dir) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} scenario(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fifty_megabyte_patch_is_refused_before_any_checkout() {
    let repo = crate::common::repo_with(&[("a.txt", "a\n")]);
    let mut patch = b"--- /dev/null\n+++ b/big.txt\n@@ -0,0 +1,800000 @@\n".to_vec();
    let line = format!("+{}\n", "x".repeat(63));
    while patch.len() < 50 * 1024 * 1024 {
        patch.extend_from_slice(line.as_bytes());
    }
    let gate = Gate::new(GateConfig::default());
    let report = gate
        .check(&GateRequest::new(&repo.path, "HEAD", patch))
        .unwrap();
    assert_eq!(
        report.reason_codes(),
        vec![gate::ReasonCode::PolicyTooLarge]
    );
    assert!(report.slot.is_none(), "no checkout for a refused patch");
    let work_root = gate.work_root_for(&repo.path).unwrap();
    assert!(
        !work_root.join("checkouts").exists(),
        "{}",
        work_root.display()
    );
}

#[test]
fn missing_repo_is_an_error_not_a_fail() {
    let dir = tempfile::tempdir().unwrap();
    let gate = Gate::new(GateConfig::default());
    let err = gate
        .check(&GateRequest::new(
            dir.path().join("nope"),
            "HEAD",
            b"x".to_vec(),
        ))
        .unwrap_err();
    assert_eq!(err.kind(), "REPO_NOT_FOUND");
    let err = gate
        .check(&GateRequest::new(dir.path(), "HEAD", b"x".to_vec()))
        .unwrap_err();
    assert_eq!(err.kind(), "REPO_NOT_FOUND");
}

#[test]
fn slot_is_pristine_between_runs() {
    // A check leaves junk (tracked edit, untracked and ignored files); the next run must not see any of it.
    let repo = crate::common::repo_with(&[("a.txt", "a\n"), (".gitignore", "target/\n")]);
    let gate = Gate::new(GateConfig {
        slots: 1,
        ..GateConfig::default()
    });
    let patch = b"--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n".to_vec();
    let mut req = GateRequest::new(&repo.path, "HEAD", patch);
    req.checks = Some(vec![
        "mkdir -p target && touch target/junk untracked && echo x >> .gitignore".into(),
    ]);
    assert!(gate.check(&req).unwrap().passed());
    req.checks = Some(vec![
        "test ! -e target && test ! -e untracked && test \"$(cat .gitignore)\" = target/".into(),
    ]);
    let r = gate.check(&req).unwrap();
    assert!(r.passed(), "{:?}", r.checks);
}
