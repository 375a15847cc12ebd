//! The worker's codes: why a try or a task ended, why a task was given back. One enum, so the report's attempt
//! outcomes, `failed/` reasons, `TASK_RELEASED` reasons, and the `autodev_task_failures_total{reason}` labels all
//! use the same spellings (docs/MODEL_CONTRACT.md explains each).

use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoStaticStr};

/// A worker outcome code, e.g. `EDIT_NO_MATCH`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    IntoStaticStr,
    EnumString,
    EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkerCode {
    // The task itself.
    /// The base files cannot be read at the task's base commit.
    BaseUnreadable,
    /// The repository had no commits when the task was submitted.
    BaseUnborn,
    /// No try ran at all.
    NoAttempt,
    /// The task's own prompt does not fit the context window.
    ContextTooLarge,
    /// The server cut the prompt (it did not fit the server's context).
    ContextTruncated,
    // The answer.
    /// The model stopped at its token limit mid-answer.
    AnswerTruncated,
    /// The answer grew past the worker's byte limit and was cut off.
    AnswerTooLarge,
    /// The answer took longer than the worker's total time limit and was cut off.
    AnswerTooSlow,
    /// The server's own output limit cut the answer.
    OutputTruncated,
    /// The answer makes the same change as an earlier try the gate refused (not gated again).
    AnswerRepeated,
    // The edits.
    /// The answer is not the JSON edit format.
    EditFormatInvalid,
    /// The answer holds no edits.
    EditNoEdits,
    /// More edits than `AUTODEV_MAX_EDITS`, refused before any matching.
    EditTooMany,
    /// An edit's path is outside the task's targets.
    EditOutsideTargets,
    /// An edit's path is absolute, has `..` or is otherwise not a repository path.
    EditPathInvalid,
    /// An edit's text is not usable (control characters, too long).
    EditTextInvalid,
    /// An edit's SEARCH text is not in the file.
    EditNoMatch,
    /// An edit's SEARCH text is in the file more than once.
    EditAmbiguous,
    /// Matching the edits would take more than the work budget.
    EditTooCostly,
    /// The edits change nothing.
    EditNoChange,
    /// A whole-file answer left part of the file out ("... rest unchanged").
    EditElided,
    /// The edits were refused (no more specific code).
    EditRefused,
    /// The worker itself failed while applying the edits.
    EditInternalError,
    // The gate.
    /// The gate passed the patch.
    GatePassed,
    /// The gate failed the patch.
    GateFailed,
    /// The gate could not reach a verdict.
    GateError,
    // The model server (a try ends; unreachable, missing model and busy give the task back).
    /// Nothing answered at the server's address.
    BackendUnreachable,
    /// The model is not installed on the server.
    ModelNotFound,
    /// The server stayed busy (503) through every retry.
    BackendBusy,
    /// No first byte within the first-byte timeout.
    FirstByteTimeout,
    /// The stream went quiet past the idle timeout.
    IdleTimeout,
    /// The stream ended without its final record.
    StreamCut,
    /// The server answered 5xx or reported an error in the stream.
    ServerError,
    /// Another HTTP error status.
    HttpError,
    /// The server's answer is not its protocol.
    InvalidResponse,
    /// The backend settings are unusable.
    BackendConfigInvalid,
    // The worker itself (the task is given back).
    /// The worker was told to stop (SIGTERM) in the middle of the task.
    Shutdown,
    /// A result file (`results/<id>.patch`, `.gate.json`, `.report.json`) could not be written.
    ArtifactWriteFailed,
    /// An event could not be appended to `events.ndjson` even after retries.
    EventLogWriteFailed,
}

wire_names!(WorkerCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_agree() {
        for code in WorkerCode::all() {
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{code}\""));
            assert_eq!(code.as_str().parse::<WorkerCode>(), Ok(code));
        }
        assert_eq!(WorkerCode::EditNoMatch.as_str(), "EDIT_NO_MATCH");
        assert_eq!(
            WorkerCode::BackendConfigInvalid.as_str(),
            "BACKEND_CONFIG_INVALID"
        );
    }
}
