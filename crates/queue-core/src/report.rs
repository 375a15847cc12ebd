//! What a worker writes as `results/<id>.report.json`, and the approval records people write.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::TaskId;

pub use protocol::GateVerdict;

/// The longest model summary a report keeps, in characters.
pub const MAX_SUMMARY_CHARS: usize = 500;

/// One try at producing a patch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AttemptRecord {
    /// 1-based.
    pub number: u32,
    /// 0 for the try's own answer; 1, 2, … for the extra answers sampled after it passed, to choose among
    /// passing candidates by their `[[probe]]` output (`AUTODEV_CANDIDATES`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub candidate: u32,
    /// Model used for this try.
    pub model: String,
    /// `PATCH_PROPOSED`, `GATE_FAILED`, `EDIT_REFUSED`, `MODEL_ERROR`, …
    pub outcome: String,
    /// Reason codes and sentences, when the try failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Tokens in the prompt, as counted by the server.
    #[serde(default)]
    pub prompt_tokens: u64,
    /// Tokens generated.
    #[serde(default)]
    pub completion_tokens: u64,
    /// Model load time in seconds.
    #[serde(default)]
    pub load_seconds: f64,
    /// Prompt evaluation time in seconds.
    #[serde(default)]
    pub prompt_seconds: f64,
    /// Generation time in seconds.
    #[serde(default)]
    pub generation_seconds: f64,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// `results/<id>.report.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The task.
    pub task_id: Option<TaskId>,
    /// `ollama` or `openai`.
    pub backend: String,
    /// The configured model.
    pub model: String,
    /// The fallback model, when it was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_model: Option<String>,
    /// The model's own summary of the patch it proposed (the answer's `summary`, at most
    /// [`MAX_SUMMARY_CHARS`] characters): what it says it changed, for the person who approves. The model
    /// wrote it, so it is a claim, not a finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Every try, in order.
    pub attempts: Vec<AttemptRecord>,
    /// Files the patch changes.
    pub files_changed: Vec<String>,
    /// Lines added.
    pub lines_added: u64,
    /// Lines removed.
    pub lines_removed: u64,
    /// sha256 of `<id>.patch`, hex; empty when no patch was written.
    pub patch_sha256: String,
    /// `PASS`, `FAIL`, or `NONE` when no patch reached the gate.
    #[serde(default)]
    pub gate_verdict: GateVerdict,
    /// The gate's reason codes.
    #[serde(default)]
    pub gate_reasons: Vec<String>,
    /// When the report was written.
    pub finished_at: Option<DateTime<Utc>>,
}

/// `approved/<id>.approved.json`: a person's yes, bound to the exact patch bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRecord {
    /// The task.
    pub task_id: TaskId,
    /// sha256 of the approved patch, hex.
    pub patch_sha256: String,
    /// Who approved.
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// `cli` or `telegram`.
    pub via: String,
}

/// `rejected/<id>.rejected.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionRecord {
    /// The task.
    pub task_id: TaskId,
    /// Who rejected.
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// `cli` or `telegram`.
    pub via: String,
    /// Why, as written.
    pub reason: String,
}
