//! What the protocol decoders share: the answer being assembled and the decoder interface.

use std::time::Duration;

use super::error::BackendError;
use super::types::ChatResponse;

/// The answer as it streams in.
#[derive(Debug, Default)]
pub(crate) struct Answer {
    pub(crate) content: String,
    pub(crate) received_chars: usize,
    /// Chunks that carried content.
    pub(crate) chunks: u64,
    /// The final message arrived (`done: true`, `[DONE]`, a `finish_reason`).
    pub(crate) finished: bool,
    pub(crate) done_reason: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) prompt_tokens: Option<u64>,
    pub(crate) completion_tokens: Option<u64>,
    pub(crate) load_duration: Option<Duration>,
    pub(crate) prompt_duration: Option<Duration>,
    pub(crate) generation_duration: Option<Duration>,
    pub(crate) total_duration: Option<Duration>,
}

impl Answer {
    pub(crate) fn push_content(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.content.push_str(text);
        self.received_chars += text.chars().count();
        self.chunks += 1;
    }

    pub(crate) fn into_response(self, requested_model: &str, measured: Duration) -> ChatResponse {
        ChatResponse {
            content: self.content,
            done_reason: self.done_reason,
            prompt_tokens: self.prompt_tokens.unwrap_or(0),
            completion_tokens: self.completion_tokens.unwrap_or(self.chunks),
            load_duration: self.load_duration.unwrap_or_default(),
            prompt_duration: self.prompt_duration.unwrap_or_default(),
            generation_duration: self.generation_duration.unwrap_or_default(),
            total_duration: self.total_duration.unwrap_or(measured),
            model: self.model.unwrap_or_else(|| requested_model.to_owned()),
        }
    }
}

/// Decodes one protocol's stream, one complete line at a time.
pub(crate) trait Decoder {
    /// Handles one line (without its newline). Returns `true` once nothing more needs to be read.
    fn line(&mut self, line: &str, answer: &mut Answer) -> Result<bool, BackendError>;

    /// Called once at the end of the stream (after the last line).
    fn end(&mut self, answer: &mut Answer) -> Result<(), BackendError>;
}

/// The message of an `"error"` value: a string (Ollama) or an object with a `message` (OpenAI, llama-server).
pub(crate) fn error_message(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Object(map) => match map.get("message") {
            Some(serde_json::Value::String(text)) => text.clone(),
            _ => value.to_string(),
        },
        other => other.to_string(),
    }
}

/// A duration given in (fractional) milliseconds, ignoring nonsense values.
pub(crate) fn millis(ms: Option<f64>) -> Option<Duration> {
    ms.filter(|ms| ms.is_finite() && *ms >= 0.0)
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
}

/// Parses a whole (non-streamed) JSON body; `what` names the endpoint for the error.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    body: &str,
    what: &str,
) -> Result<T, BackendError> {
    serde_json::from_str(body).map_err(|err| BackendError::InvalidResponse {
        detail: format!(
            "{what} answered something unexpected ({err}): {}",
            super::framing::excerpt(body)
        ),
    })
}
