//! [`judge_policy`]: the gate's static policy on its own, for callers that must judge stored patch bytes again
//! without a checkout or checks. `autodev apply` uses it: the patch in `results/` is a file anything running as
//! the queue's user could have rewritten after the gate passed it, so apply re-judges the bytes it commits.
//!
//! These are the rules [`crate::Gate::check`] applies before it checks anything out (size, empty, parse, paths,
//! modes, binary, limits), with the policy read from `.autodev_ssot/policy.toml` at the base commit. The
//! `judge_agrees_with_the_gate` test keeps the two in step.

use std::path::Path;

use crate::error::{GateError, Result};
use crate::gate::POLICY_PATH;
use crate::git::{self, Git};
use crate::patch;
use crate::policy::{self, Policy};
use crate::report::{Reason, ReasonCode};

/// Judges `patch` by the repository's policy at `base` (a commit or revision in the repository containing
/// `repo`; `None` for a repository without commits, judged by the default policy). `allowed_paths` are the
/// task's targets (`None`: the policy's `allowed`). Returns the reasons to refuse; empty means the policy allows
/// it. Errors only when the policy cannot be read (not a repository, unknown base, invalid policy.toml).
pub fn judge_policy(
    repo: &Path,
    base: Option<&str>,
    patch: &[u8],
    allowed_paths: Option<&[String]>,
) -> Result<Vec<Reason>> {
    let policy = policy_at(repo, base)?;
    Ok(judge_patch(&policy, patch, allowed_paths))
}

/// `.autodev_ssot/policy.toml` at `base`, or the default policy when the file (or any commit) is missing.
pub fn policy_at(repo: &Path, base: Option<&str>) -> Result<Policy> {
    let git = Git::new("git");
    let info = git::locate_repo(&git, repo)?;
    let Some(base) = base else {
        return Ok(Policy::default());
    };
    let commit = git::resolve_commit(&git, &info, base)?;
    match git::read_blob(&git, &info, &commit, POLICY_PATH)? {
        None => Ok(Policy::default()),
        Some(bytes) => Policy::from_toml(&String::from_utf8_lossy(&bytes)).map_err(|message| {
            GateError::Config {
                file: format!("{POLICY_PATH}@{commit}"),
                message,
            }
        }),
    }
}

/// The static rules on patch bytes, in the gate's order; the first failing stage answers.
pub fn judge_patch(policy: &Policy, bytes: &[u8], allowed_paths: Option<&[String]>) -> Vec<Reason> {
    let size = bytes.len() as u64;
    if size > policy.limits.max_patch_bytes {
        let msg = format!(
            "the patch is {size} bytes; the limit is {}",
            policy.limits.max_patch_bytes
        );
        return vec![Reason::new(ReasonCode::PolicyTooLarge, msg)];
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return vec![Reason::new(ReasonCode::EmptyPatch, "the patch is empty")];
    }
    // Strict parsing: what is committed is applied by `git apply`, which has no fuzzy mode.
    let parsed = match patch::parse(bytes, false) {
        Ok(p) => p,
        Err(e) => {
            return vec![Reason::new(ReasonCode::PatchMalformed, e.to_string()).with_file(e.file)];
        }
    };
    if parsed.files.is_empty() {
        let msg = "no file sections found: the text is not a unified diff";
        return vec![Reason::new(ReasonCode::PatchMalformed, msg)];
    }
    let allowed = allowed_paths.unwrap_or(&policy.paths.allowed);
    policy::check_patch(&parsed, policy, allowed)
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;
    use crate::{Gate, GateConfig, GateRequest};

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@x",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir)
            .status()
            .map(|s| s.success());
        assert_eq!(ok.ok(), Some(true), "git {args:?}");
    }

    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path();
        std::fs::create_dir_all(p.join("src")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(p.join("src/a.rs"), "one\n").unwrap_or_else(|e| panic!("{e}"));
        git(p, &["init", "-q"]);
        git(p, &["add", "-A"]);
        git(p, &["commit", "-qm", "init"]);
        dir
    }

    fn edit(path: &str) -> String {
        format!("--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-one\n+two\n")
    }

    #[test]
    fn judge_agrees_with_the_gate() {
        let dir = repo();
        let targets = vec!["src/a.rs".to_owned()];
        let cases = [
            edit("src/a.rs"),
            edit("src/b.rs"),
            "--- /dev/null\n+++ b/.autodev_ssot/gate.toml\n@@ -0,0 +1 @@\n+[[checks]]\n".to_owned(),
            edit("../escape.rs"),
            "not a diff\n".to_owned(),
            "   \n".to_owned(),
        ];
        let gate = Gate::new(GateConfig::default());
        for patch in cases {
            let judged = judge_policy(dir.path(), Some("HEAD"), patch.as_bytes(), Some(&targets))
                .unwrap_or_else(|e| panic!("{e}"));
            let mut req = GateRequest::new(dir.path(), "HEAD", patch.as_bytes());
            req.allowed_paths = Some(targets.clone());
            let report = gate.check(&req).unwrap_or_else(|e| panic!("{e}"));
            let codes: Vec<ReasonCode> = judged.iter().map(|r| r.code).collect();
            if codes.is_empty() {
                assert!(
                    report.passed(),
                    "{patch:?}: judge allows it, the gate said {report:?}"
                );
            } else {
                assert_eq!(codes, report.reason_codes(), "{patch:?}");
            }
        }
    }

    #[test]
    fn the_policy_comes_from_the_base_commit() {
        let dir = repo();
        let p = dir.path();
        std::fs::create_dir_all(p.join(".autodev_ssot")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            p.join(".autodev_ssot/policy.toml"),
            "[paths]\nprotected = [\"src/a.rs\"]\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        git(p, &["add", "-A"]);
        git(p, &["commit", "-qm", "protect a.rs"]);
        let patch = edit("src/a.rs");
        let at = |base: &str| {
            judge_policy(p, Some(base), patch.as_bytes(), None).unwrap_or_else(|e| panic!("{e}"))
        };
        assert!(at("HEAD~1").is_empty());
        let codes: Vec<ReasonCode> = at("HEAD").iter().map(|r| r.code).collect();
        assert_eq!(codes, vec![ReasonCode::PolicyProtectedPath]);
        assert!(matches!(
            judge_policy(p, Some("no-such-rev"), patch.as_bytes(), None),
            Err(GateError::UnknownBase { .. })
        ));
    }
}
