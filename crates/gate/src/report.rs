//! The verdict the gate returns, stored by the worker as `<id>.gate.json`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// PASS or FAIL. (ERROR is not a verdict of the library: it is a [`crate::GateError`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    Pass,
    Fail,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
        }
    }
}

/// Machine-readable reasons for a FAIL. The table with explanations is in docs/GATE.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReasonCode {
    /// A hunk's expected lines are not in the file (or a created file exists, a modified one is missing).
    PatchDoesNotApply,
    /// Fuzzy mode: a hunk's context matches in more than one place.
    PatchAmbiguous,
    /// Locating the hunks would take more than the gate's work budget (line comparisons per patch).
    PatchTooCostly,
    /// The patch text is not a valid unified diff (or uses an unsupported feature such as submodules).
    PatchMalformed,
    /// The patch touches a protected path.
    PolicyProtectedPath,
    /// The patch touches a path outside the task's targets / the policy's allowed paths.
    PolicyOutsideTargets,
    /// A path is absolute, contains `..`, a backslash or a control character.
    PolicyPathEscape,
    /// The patch exceeds a size limit (bytes, files or changed lines).
    PolicyTooLarge,
    /// The patch creates or changes a symlink, or writes through one.
    PolicySymlink,
    /// The patch adds an executable bit the policy does not allow.
    PolicyExecutable,
    /// The patch contains a binary change the policy does not allow.
    BinaryPatch,
    /// The patch is empty or changes nothing.
    EmptyPatch,
    /// A check exited non-zero.
    CheckFailed,
    /// A check ran past its time limit and was killed with its whole process group.
    CheckTimeout,
}

impl ReasonCode {
    /// Every code, in documentation order.
    pub const ALL: [ReasonCode; 14] = [
        ReasonCode::PatchDoesNotApply,
        ReasonCode::PatchAmbiguous,
        ReasonCode::PatchTooCostly,
        ReasonCode::PatchMalformed,
        ReasonCode::PolicyProtectedPath,
        ReasonCode::PolicyOutsideTargets,
        ReasonCode::PolicyPathEscape,
        ReasonCode::PolicyTooLarge,
        ReasonCode::PolicySymlink,
        ReasonCode::PolicyExecutable,
        ReasonCode::BinaryPatch,
        ReasonCode::EmptyPatch,
        ReasonCode::CheckFailed,
        ReasonCode::CheckTimeout,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::PatchDoesNotApply => "PATCH_DOES_NOT_APPLY",
            ReasonCode::PatchAmbiguous => "PATCH_AMBIGUOUS",
            ReasonCode::PatchTooCostly => "PATCH_TOO_COSTLY",
            ReasonCode::PatchMalformed => "PATCH_MALFORMED",
            ReasonCode::PolicyProtectedPath => "POLICY_PROTECTED_PATH",
            ReasonCode::PolicyOutsideTargets => "POLICY_OUTSIDE_TARGETS",
            ReasonCode::PolicyPathEscape => "POLICY_PATH_ESCAPE",
            ReasonCode::PolicyTooLarge => "POLICY_TOO_LARGE",
            ReasonCode::PolicySymlink => "POLICY_SYMLINK",
            ReasonCode::PolicyExecutable => "POLICY_EXECUTABLE",
            ReasonCode::BinaryPatch => "BINARY_PATCH",
            ReasonCode::EmptyPatch => "EMPTY_PATCH",
            ReasonCode::CheckFailed => "CHECK_FAILED",
            ReasonCode::CheckTimeout => "CHECK_TIMEOUT",
        }
    }
}

impl std::fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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

    /// The process exit code for this verdict ([`queue_core::exit_codes::OK`] or `REJECTED`).
    pub fn exit_code(&self) -> u8 {
        match self.verdict {
            Verdict::Pass => queue_core::exit_codes::OK,
            Verdict::Fail => queue_core::exit_codes::REJECTED,
        }
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
        for code in ReasonCode::ALL {
            assert!(
                doc.contains(&format!("| `{}` |", code.as_str())),
                "docs/GATE.md lacks a row for {code}"
            );
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
