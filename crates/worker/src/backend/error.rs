//! [`BackendError`]: every way a call to the model server can fail, with stable codes.

use protocol::WorkerCode;
use std::time::Duration;

/// Result of a model-server call.
pub type Result<T> = std::result::Result<T, BackendError>;

/// A failed call to the model server.
///
/// Messages are lowercase fragments without a trailing period. They name the server by its redacted URL
/// (scheme, host and port only: no user info, no query) and never carry the API key.
///
/// Whether a variant is *retryable* (see [`BackendError::is_retryable`]) says whether sending the same request
/// again later can succeed without anybody changing anything.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// The server could not be reached at all: connection refused, DNS failure or a connect timeout.
    ///
    /// Returned by every call. Retryable; the worker should release the task *without* burning one of its
    /// tries (the task is not at fault) and wait before claiming again.
    #[error(
        "cannot reach the model server at {url}: start Ollama (`ollama serve`) or llama-server, \
         or point the worker at the right address (OLLAMA_HOST / the backend URL)"
    )]
    Unreachable {
        /// The redacted base URL.
        url: String,
        /// The transport error (its URL stripped).
        #[source]
        source: reqwest::Error,
    },

    /// The server does not have the requested model (Ollama's 404 `{"error":"model 'x' not found"}`, or the
    /// OpenAI-style `{"error":{"type":"not_found_error",...}}` of Ollama's `/v1` and llama-server's router).
    ///
    /// Returned by [`chat`](super::Backend::chat) and [`show`](super::Backend::show). Not retryable: an
    /// operator has to pull the model or fix the configured name; the task is not at fault.
    #[error(
        "model '{model}' is not installed on {host}: run `ollama pull {model}` \
         (llama-server: check the model it was started with)"
    )]
    ModelNotFound {
        /// The model name as requested.
        model: String,
        /// The redacted base URL.
        host: String,
    },

    /// The server answered 503 (Ollama's queue is full, llama-server is still loading its model) on every
    /// attempt. [`chat`](super::Backend::chat) retries 503s itself with exponential backoff and returns this
    /// only once `busy_retries` are used up.
    ///
    /// Retryable (later).
    #[error("the model server at {host} is busy (HTTP 503) after {attempts} attempts: {message}")]
    Busy {
        /// The redacted base URL.
        host: String,
        /// How many requests were answered 503.
        attempts: u32,
        /// The server's message, e.g. `server busy, please try again.  maximum pending requests exceeded`.
        message: String,
    },

    /// Neither response headers nor the first body bytes arrived within `first_byte_timeout`. Ollama only
    /// answers once the model is loaded and the prompt evaluated, so this covers a load that hangs.
    ///
    /// Returned by [`chat`](super::Backend::chat). Retryable.
    #[error(
        "the model server sent nothing within {waited:?} (model loading or prompt evaluation too slow)"
    )]
    FirstByteTimeout {
        /// The limit that ran out.
        waited: Duration,
    },

    /// The stream had started but no bytes arrived for `idle_timeout` (the idle limit for metadata calls).
    ///
    /// Returned by every call. Retryable.
    #[error("the model server stalled: nothing received for {waited:?}")]
    IdleTimeout {
        /// The limit that ran out.
        waited: Duration,
    },

    /// The connection ended before the final message (`"done":true` for Ollama, `finish_reason` or
    /// `data: [DONE]` for OpenAI): the server crashed, was restarted or a proxy cut the stream.
    ///
    /// Returned by [`chat`](super::Backend::chat). Retryable.
    #[error("the model server's stream ended early, after {received_chars} characters of output")]
    StreamCut {
        /// Characters of model output received before the cut.
        received_chars: usize,
    },

    /// The server reported a failure: an `{"error": ...}` line in the middle of a stream, or a 500 with a
    /// message (e.g. `timed out waiting for llama runner to start`).
    ///
    /// Retryable (model runners crash and recover); a worker may cap how often.
    #[error("the model server failed: {message}")]
    ServerError {
        /// The server's message.
        message: String,
    },

    /// Any other non-success HTTP status (400 for a prompt over the context, 401 for a wrong API key, 404 for
    /// a wrong URL path, 502 from a proxy, ...).
    ///
    /// Retryable only for 408, 429 and 5xx.
    #[error("the model server answered HTTP {status}: {body_excerpt}")]
    Http {
        /// The HTTP status code.
        status: u16,
        /// The start of the response body.
        body_excerpt: String,
    },

    /// The server answered something that is not the protocol: a line that is not JSON, invalid UTF-8, a
    /// missing field. Usually a wrong `kind` for the URL (an OpenAI server configured as Ollama).
    ///
    /// Not retryable.
    #[error("the model server's answer is not valid: {detail}")]
    InvalidResponse {
        /// What was wrong.
        detail: String,
    },

    /// The [`BackendConfig`](super::BackendConfig) cannot be used (e.g. the base URL does not parse).
    ///
    /// Returned by [`Backend::new`](super::Backend::new). Not retryable.
    #[error("invalid model-server configuration: {detail}")]
    InvalidConfig {
        /// What was wrong.
        detail: String,
    },

    /// The answer grew past the byte limit ([`AnswerLimits::max_bytes`](super::AnswerLimits), derived from the
    /// token limit unless configured) without ending: the server ignores its token limit or the model loops. The
    /// stream is cut there and the partial answer dropped, so memory stays bounded.
    ///
    /// Returned by [`chat`](super::Backend::chat). Not retryable as is: the same request tends to loop the same
    /// way; ask for a shorter answer.
    #[error(
        "the answer passed {limit_bytes} bytes without ending (the server ignores its token limit, or the model \
         loops): the stream was cut"
    )]
    AnswerTooLarge {
        /// The limit that was passed, in bytes.
        limit_bytes: usize,
    },

    /// The answer did not reach its final message within the total time limit
    /// ([`AnswerLimits::timeout`](super::AnswerLimits), derived from the token limit unless configured), although
    /// each gap between chunks stayed under `idle_timeout`: a crawling stream. The stream is cut.
    ///
    /// Returned by [`chat`](super::Backend::chat). Retryable (the server may be less loaded later).
    #[error(
        "the answer did not finish within {limit:?} ({received_chars} characters received): the stream was cut"
    )]
    AnswerTooSlow {
        /// The total time limit.
        limit: Duration,
        /// Characters of model output received before the cut.
        received_chars: usize,
    },

    /// The answer stopped because it hit the token limit (`done_reason`/`finish_reason` `"length"`).
    ///
    /// Never returned by [`chat`](super::Backend::chat) itself, which hands back the partial answer; returned
    /// by [`ChatResponse::into_complete`](super::ChatResponse::into_complete) for callers that need the
    /// whole answer. Not retryable as is: raise `max_tokens`/`num_ctx` or shorten the prompt.
    #[error("the model's answer was cut at the token limit after {completion_tokens} tokens")]
    Truncated {
        /// Tokens generated before the cut.
        completion_tokens: u64,
    },
}

impl BackendError {
    /// A stable, machine-readable code for reports and events.
    pub fn code(&self) -> WorkerCode {
        match self {
            Self::Unreachable { .. } => WorkerCode::BackendUnreachable,
            Self::ModelNotFound { .. } => WorkerCode::ModelNotFound,
            Self::Busy { .. } => WorkerCode::BackendBusy,
            Self::FirstByteTimeout { .. } => WorkerCode::FirstByteTimeout,
            Self::IdleTimeout { .. } => WorkerCode::IdleTimeout,
            Self::StreamCut { .. } => WorkerCode::StreamCut,
            Self::ServerError { .. } => WorkerCode::ServerError,
            Self::Http { .. } => WorkerCode::HttpError,
            Self::InvalidResponse { .. } => WorkerCode::InvalidResponse,
            Self::InvalidConfig { .. } => WorkerCode::BackendConfigInvalid,
            Self::Truncated { .. } => WorkerCode::OutputTruncated,
            Self::AnswerTooLarge { .. } => WorkerCode::AnswerTooLarge,
            Self::AnswerTooSlow { .. } => WorkerCode::AnswerTooSlow,
        }
    }

    /// Whether the same request can succeed later without anybody changing anything.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable { .. }
            | Self::Busy { .. }
            | Self::FirstByteTimeout { .. }
            | Self::IdleTimeout { .. }
            | Self::StreamCut { .. }
            | Self::AnswerTooSlow { .. }
            | Self::ServerError { .. } => true,
            Self::Http { status, .. } => matches!(status, 408 | 429 | 500..=599),
            Self::ModelNotFound { .. }
            | Self::InvalidResponse { .. }
            | Self::InvalidConfig { .. }
            | Self::AnswerTooLarge { .. }
            | Self::Truncated { .. } => false,
        }
    }

    /// Whether the failure lies with the model server's setup rather than with the task: the worker should
    /// release the task without counting a try (unreachable server, missing model).
    pub fn is_infrastructure(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. } | Self::ModelNotFound { .. } | Self::InvalidConfig { .. }
        )
    }
}
