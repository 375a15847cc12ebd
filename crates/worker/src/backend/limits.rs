//! Client-side bounds on one answer: how many bytes of text and how much time a chat may take.
//!
//! The token limit (`num_predict` / `max_tokens`) is only a request: a server may ignore it, or a model may stream
//! one token every few seconds. Without bounds of its own the client would hold a never-ending answer in memory
//! until the allocator gives up, or wait forever on a crawl. Both bounds follow from the token limit by default,
//! generously enough that no honest answer meets them.

use std::time::Duration;

/// Bytes of answer text allowed per requested token. Tokens of current code models are at most a few dozen
/// bytes (long runs of spaces); the average is 3–4.
pub const BYTES_PER_TOKEN: u64 = 32;

/// The smallest derived byte limit, so a small token limit never cuts an answer that merely tokenised badly.
pub const MIN_ANSWER_BYTES: u64 = 256 * 1024;

/// The slowest generation still taken for honest when the time limit is derived: a 7B model on a small CPU.
pub const SLOW_TOKENS_PER_SECOND: u64 = 2;

/// How much one chat may take before its stream is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerLimits {
    /// Most bytes of answer text (UTF-8) accepted ([`BackendError::AnswerTooLarge`](super::BackendError) past it).
    pub max_bytes: usize,
    /// Longest time from sending the request to the final message
    /// ([`BackendError::AnswerTooSlow`](super::BackendError) past it).
    pub timeout: Duration,
}

impl AnswerLimits {
    /// The limits for an answer of at most `max_tokens` tokens: `max(max_tokens × BYTES_PER_TOKEN,
    /// MIN_ANSWER_BYTES)` bytes, and `first_byte_timeout` (model load and prompt evaluation) plus `max_tokens`
    /// at `SLOW_TOKENS_PER_SECOND`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use worker::backend::AnswerLimits;
    ///
    /// let limits = AnswerLimits::derived(2048, Duration::from_secs(600));
    /// assert_eq!(limits.max_bytes, 256 * 1024);
    /// assert_eq!(limits.timeout, Duration::from_secs(600 + 1024));
    /// ```
    pub fn derived(max_tokens: u32, first_byte_timeout: Duration) -> AnswerLimits {
        let tokens = u64::from(max_tokens);
        let bytes = tokens.saturating_mul(BYTES_PER_TOKEN).max(MIN_ANSWER_BYTES);
        let generation = Duration::from_secs(tokens.div_ceil(SLOW_TOKENS_PER_SECOND));
        AnswerLimits {
            max_bytes: usize::try_from(bytes).unwrap_or(usize::MAX),
            timeout: first_byte_timeout.saturating_add(generation),
        }
    }
}
