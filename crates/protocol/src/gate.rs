//! The gate's answer: a verdict and, for FAIL, the reasons.

use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoStaticStr};

/// PASS or FAIL. (ERROR is not a verdict of the gate library: it is an error, exit code
/// [`crate::exit_codes::ERROR`].)
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, IntoStaticStr, EnumString, EnumIter,
)]
#[serde(rename_all = "UPPERCASE")]
#[strum(serialize_all = "UPPERCASE")]
pub enum Verdict {
    Pass,
    Fail,
}

wire_names!(Verdict, GateVerdict, ReasonCode);

impl Verdict {
    /// The process exit code for this verdict ([`crate::exit_codes::OK`] or [`crate::exit_codes::REJECTED`]).
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Pass => crate::exit_codes::OK,
            Verdict::Fail => crate::exit_codes::REJECTED,
        }
    }
}

/// What a worker report says of the gate (`report.json`'s `gate_verdict`): its verdict, or `NONE` when no
/// patch reached it (every try failed before). Reports written before this type read `""` as `NONE`.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    IntoStaticStr,
    EnumString,
    EnumIter,
)]
#[serde(rename_all = "UPPERCASE")]
#[strum(serialize_all = "UPPERCASE")]
pub enum GateVerdict {
    Pass,
    Fail,
    #[default]
    #[serde(alias = "")]
    None,
}

impl From<Verdict> for GateVerdict {
    fn from(v: Verdict) -> GateVerdict {
        match v {
            Verdict::Pass => GateVerdict::Pass,
            Verdict::Fail => GateVerdict::Fail,
        }
    }
}

/// Machine-readable reasons for a FAIL. The table with explanations is in docs/GATE.md.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    IntoStaticStr,
    EnumString,
    EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The strum name, the serde name and the parse agree for every code (one derivation, one spelling).
    #[test]
    fn wire_names_agree() {
        for code in ReasonCode::all() {
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(code.as_str().parse::<ReasonCode>(), Ok(code));
        }
        for v in Verdict::all() {
            assert_eq!(
                serde_json::to_string(&v).unwrap_or_default(),
                format!("\"{v}\"")
            );
        }
        for v in GateVerdict::all() {
            assert_eq!(
                serde_json::to_string(&v).unwrap_or_default(),
                format!("\"{v}\"")
            );
        }
        // Reports from before the type said "" for "no gate ran".
        assert_eq!(
            serde_json::from_str::<GateVerdict>("\"\"").ok(),
            Some(GateVerdict::None)
        );
    }
}
