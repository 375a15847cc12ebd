//! The verdict the gate returns, stored by the worker as `<id>.gate.json`.

use std::io::Read;
use std::path::{Path, PathBuf};

use i18n::{Lang, t};
use serde::{Deserialize, Serialize};

pub use protocol::{ReasonCode, Verdict};

/// What a reason `code` means, in `lang` (one line, no final period): for a reader who sees the code next to its
/// English message (the message is also the JSON and what the model is told, so it stays English).
pub fn explain_reason(code: ReasonCode, lang: Lang) -> String {
    use ReasonCode as C;
    match code {
        C::PatchDoesNotApply => t!(lang, "gate-reason-patch-does-not-apply"),
        C::PatchAmbiguous => t!(lang, "gate-reason-patch-ambiguous"),
        C::PatchTooCostly => t!(lang, "gate-reason-patch-too-costly"),
        C::PatchMalformed => t!(lang, "gate-reason-patch-malformed"),
        C::PolicyProtectedPath => t!(lang, "gate-reason-policy-protected-path"),
        C::PolicyOutsideTargets => t!(lang, "gate-reason-policy-outside-targets"),
        C::PolicyPathEscape => t!(lang, "gate-reason-policy-path-escape"),
        C::PolicyTooLarge => t!(lang, "gate-reason-policy-too-large"),
        C::PolicySymlink => t!(lang, "gate-reason-policy-symlink"),
        C::PolicyExecutable => t!(lang, "gate-reason-policy-executable"),
        C::BinaryPatch => t!(lang, "gate-reason-binary-patch"),
        C::EmptyPatch => t!(lang, "gate-reason-empty-patch"),
        C::CheckFailed => t!(lang, "gate-reason-check-failed"),
        C::CheckTimeout => t!(lang, "gate-reason-check-timeout"),
    }
}

/// One reason for a FAIL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    /// A human explanation; for hunks, what was expected and what was found.
    pub message: String,
    /// The patch path concerned, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The 1-based hunk number within that file's section, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hunk: Option<usize>,
}

impl Reason {
    pub fn new(code: ReasonCode, message: impl Into<String>) -> Reason {
        Reason {
            code,
            message: message.into(),
            file: None,
            hunk: None,
        }
    }

    pub fn with_file(mut self, file: Option<String>) -> Reason {
        self.file = file;
        self
    }

    pub fn with_hunk(mut self, hunk: usize) -> Reason {
        self.hunk = Some(hunk);
        self
    }
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Passed,
    Failed,
    TimedOut,
    /// Not run because an earlier check failed.
    Skipped,
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    pub name: String,
    /// The shell command (run as `sh -c COMMAND` in the checkout).
    pub command: String,
    pub status: CheckStatus,
    /// The exit code; `None` when killed by a signal, timed out or skipped.
    pub exit_code: Option<i32>,
    pub duration_ms: u64,
    pub timeout_secs: u64,
    /// The last few KiB of stdout and stderr together.
    pub output_tail: String,
    /// The full output on disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_path: Option<PathBuf>,
}

/// The gate's answer for one patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateReport {
    pub verdict: Verdict,
    /// Empty on PASS.
    pub reasons: Vec<Reason>,
    /// In order; checks after the first failure are `skipped`. Empty when the patch failed before checks.
    pub checks: Vec<CheckResult>,
    /// `gate.toml`'s `[[probe]]` commands, run after a PASS when the request asked for them. Never part of the
    /// verdict: their output only describes the behaviour of the patched code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<CheckResult>,
    pub files_changed: usize,
    pub lines_added: usize,
    pub lines_removed: usize,
    /// Fuzzy mode, when the patch applied: the canonical `git diff` of the result, which applies strictly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalized_patch: Option<String>,
    /// Whether fuzzy application was requested.
    #[serde(default)]
    pub fuzzy: bool,
    /// The commit the base revision resolved to.
    #[serde(default)]
    pub base_commit: String,
    /// Where the policy came from: `default` or `.autodev_ssot/policy.toml@<commit>`.
    #[serde(default)]
    pub policy: String,
    /// The checkout slot used, when the patch got that far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<usize>,
    /// The checkout directory (valid until the slot is reused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout: Option<PathBuf>,
    /// How the checks were contained, when checks ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<crate::sandbox::SandboxSummary>,
    pub duration_ms: u64,
}

impl GateReport {
    /// Whether the verdict is PASS.
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    /// The process exit code for this verdict ([`protocol::exit_codes::OK`] or `REJECTED`).
    pub fn exit_code(&self) -> u8 {
        self.verdict.exit_code()
    }

    /// The report stored at `path` (a worker's `results/<id>.gate.json`), for showing it to a person: `None` when
    /// it cannot be read or decoded, or is larger than any report the gate writes (the file lies where a check
    /// could have written it; what is shown must neither fail nor grow without bound over it).
    pub fn read(path: &Path) -> Option<GateReport> {
        const LIMIT: u64 = 16 << 20;
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(LIMIT + 1).read_to_end(&mut bytes))
            .ok()?;
        if bytes.len() as u64 > LIMIT {
            return None;
        }
        serde_json::from_slice(&bytes).ok()
    }

    /// The distinct reason codes, sorted.
    pub fn reason_codes(&self) -> Vec<ReasonCode> {
        let mut codes: Vec<ReasonCode> = self.reasons.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        codes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/GATE.md's code table lists every code, and nothing else claims a row.
    #[test]
    fn every_code_is_in_the_documented_table() {
        let doc = include_str!("../../../docs/GATE.md");
        for code in ReasonCode::all() {
            assert!(
                doc.contains(&format!("| `{}` |", code.as_str())),
                "docs/GATE.md lacks a row for {code}"
            );
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    /// Every reason code has its line in both languages, each its own.
    #[test]
    fn every_code_is_explained_in_both_languages() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ReasonCode::all() {
            let (en, ko) = (
                explain_reason(code, Lang::En),
                explain_reason(code, Lang::Ko),
            );
            assert!(
                !en.is_empty() && !en.starts_with("gate-reason-"),
                "{code}: {en}"
            );
            assert!(
                ko.chars().any(|c| ('가'..='힣').contains(&c)) && ko != en,
                "{code}: {ko}"
            );
            assert!(
                seen.insert(en.clone()),
                "{code} says what another code says: {en}"
            );
        }
    }
}
