//! What a recorded code means, in people's words: a task's failure reason (`failure_reason`, `TASK_FAILED`), where
//! the code sits next to a detail recorded in English. The code itself stays as it is; the sentence is for a
//! reader of another language (English output shows the code and the recorded detail as it always has).

use i18n::{Lang, t};
use protocol::WorkerCode;

/// What the worker's `code` means, in `lang` (one line, no final period).
pub fn worker_code(code: WorkerCode, lang: Lang) -> String {
    use WorkerCode as C;
    match code {
        C::BaseUnreadable => t!(lang, "worker-code-base-unreadable"),
        C::BaseUnborn => t!(lang, "worker-code-base-unborn"),
        C::NoAttempt => t!(lang, "worker-code-no-attempt"),
        C::ContextTooLarge => t!(lang, "worker-code-context-too-large"),
        C::ContextTruncated => t!(lang, "worker-code-context-truncated"),
        C::AnswerTruncated => t!(lang, "worker-code-answer-truncated"),
        C::AnswerTooLarge => t!(lang, "worker-code-answer-too-large"),
        C::AnswerTooSlow => t!(lang, "worker-code-answer-too-slow"),
        C::OutputTruncated => t!(lang, "worker-code-output-truncated"),
        C::AnswerRepeated => t!(lang, "worker-code-answer-repeated"),
        C::EditFormatInvalid => t!(lang, "worker-code-edit-format-invalid"),
        C::EditNoEdits => t!(lang, "worker-code-edit-no-edits"),
        C::EditTooMany => t!(lang, "worker-code-edit-too-many"),
        C::EditOutsideTargets => t!(lang, "worker-code-edit-outside-targets"),
        C::EditPathInvalid => t!(lang, "worker-code-edit-path-invalid"),
        C::EditTextInvalid => t!(lang, "worker-code-edit-text-invalid"),
        C::EditNoMatch => t!(lang, "worker-code-edit-no-match"),
        C::EditAmbiguous => t!(lang, "worker-code-edit-ambiguous"),
        C::EditTooCostly => t!(lang, "worker-code-edit-too-costly"),
        C::EditNoChange => t!(lang, "worker-code-edit-no-change"),
        C::EditElided => t!(lang, "worker-code-edit-elided"),
        C::EditRefused => t!(lang, "worker-code-edit-refused"),
        C::EditInternalError => t!(lang, "worker-code-edit-internal-error"),
        C::GatePassed => t!(lang, "worker-code-gate-passed"),
        C::GateFailed => t!(lang, "worker-code-gate-failed"),
        C::GateError => t!(lang, "worker-code-gate-error"),
        C::BackendUnreachable => t!(lang, "worker-code-backend-unreachable"),
        C::ModelNotFound => t!(lang, "worker-code-model-not-found"),
        C::BackendBusy => t!(lang, "worker-code-backend-busy"),
        C::FirstByteTimeout => t!(lang, "worker-code-first-byte-timeout"),
        C::IdleTimeout => t!(lang, "worker-code-idle-timeout"),
        C::StreamCut => t!(lang, "worker-code-stream-cut"),
        C::ServerError => t!(lang, "worker-code-server-error"),
        C::HttpError => t!(lang, "worker-code-http-error"),
        C::InvalidResponse => t!(lang, "worker-code-invalid-response"),
        C::BackendConfigInvalid => t!(lang, "worker-code-backend-config-invalid"),
        C::Shutdown => t!(lang, "worker-code-shutdown"),
        C::ArtifactWriteFailed => t!(lang, "worker-code-artifact-write-failed"),
        C::EventLogWriteFailed => t!(lang, "worker-code-event-log-write-failed"),
    }
}

/// What a task's failure reason means, in `lang`: a worker code, or one of the queue's own
/// (`MAX_ATTEMPTS_EXCEEDED`, `RECOVERED_AFTER_CRASH`, `TASK_FILE_CORRUPT`). `None` for a code autodev does not
/// know (written by something else, or by another version).
pub fn failure(reason: &str, lang: Lang) -> Option<String> {
    if let Ok(code) = reason.parse::<WorkerCode>() {
        return Some(worker_code(code, lang));
    }
    Some(match reason {
        "MAX_ATTEMPTS_EXCEEDED" => t!(lang, "queue-code-max-attempts-exceeded"),
        "RECOVERED_AFTER_CRASH" => t!(lang, "queue-code-recovered-after-crash"),
        "TASK_FILE_CORRUPT" => t!(lang, "queue-code-task-file-corrupt"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn korean(text: &str) -> bool {
        text.chars().any(|c| ('가'..='힣').contains(&c))
    }

    /// Every worker code has its line in both languages (the catalogue test checks that each key exists; this,
    /// that no code is left without one and none says another's line).
    #[test]
    fn every_worker_code_is_explained_in_both_languages() {
        let mut seen = std::collections::BTreeSet::new();
        for code in WorkerCode::all() {
            let (en, ko) = (worker_code(code, Lang::En), worker_code(code, Lang::Ko));
            assert!(
                !en.is_empty() && !en.starts_with("worker-code-"),
                "{code}: {en}"
            );
            assert!(korean(&ko) && ko != en, "{code}: {ko}");
            assert!(
                seen.insert(en.clone()),
                "{code} says what another code says: {en}"
            );
            assert_eq!(failure(code.as_str(), Lang::Ko), Some(ko));
        }
    }

    #[test]
    fn the_queues_own_reasons_are_explained_and_unknown_ones_are_not() {
        for reason in [
            "MAX_ATTEMPTS_EXCEEDED",
            "RECOVERED_AFTER_CRASH",
            "TASK_FILE_CORRUPT",
        ] {
            let ko = failure(reason, Lang::Ko).unwrap_or_default();
            assert!(korean(&ko), "{reason}: {ko}");
            assert!(failure(reason, Lang::En).is_some_and(|en| !en.is_empty() && en != ko));
        }
        assert_eq!(failure("MODEL_ERROR", Lang::Ko), None);
        assert_eq!(
            failure("EDIT_NO_MATCH", Lang::Ko).as_deref(),
            Some("편집의 SEARCH 텍스트가 파일에 없음")
        );
    }
}
