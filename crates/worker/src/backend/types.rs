//! Requests, responses and progress reports of the backend client.

use std::time::Duration;

use serde::Deserialize;
use serde::Serialize;

use super::error::BackendError;

/// Who wrote a [`Message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions.
    System,
    /// The request.
    User,
    /// An earlier answer of the model.
    Assistant,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// Its text.
    pub content: String,
}

impl Message {
    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        Self {
            role: Role::System,
            content: content.into(),
        }
    }

    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: Role::User,
            content: content.into(),
        }
    }

    /// An assistant message.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// One chat completion request.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// Model name as the server knows it (`qwen2.5-coder:7b`).
    pub model: String,
    /// The conversation.
    pub messages: Vec<Message>,
    /// Context window in tokens. Ollama: always sent as `options.num_ctx`, because Ollama's default depends
    /// on its version and the GPU's memory and an overlong prompt is cut *silently*. llama-server (OpenAI
    /// kind) ignores it: its context is fixed by `-c` when it is launched; read it with
    /// [`Backend::show`](super::Backend::show).
    pub num_ctx: u32,
    /// Sampling temperature.
    pub temperature: f32,
    /// Sampling seed, for reproducible answers.
    pub seed: Option<u64>,
    /// A JSON Schema the answer must follow (Ollama `format`; OpenAI `response_format` `json_schema`).
    pub json_schema: Option<serde_json::Value>,
    /// Most tokens to generate (Ollama `options.num_predict`; OpenAI `max_tokens`).
    pub max_tokens: Option<u32>,
}

impl ChatRequest {
    /// A request with temperature 0, no seed, no schema and no token limit.
    pub fn new(model: impl Into<String>, messages: Vec<Message>, num_ctx: u32) -> Self {
        Self {
            model: model.into(),
            messages,
            num_ctx,
            temperature: 0.0,
            seed: None,
            json_schema: None,
            max_tokens: None,
        }
    }
}

/// A finished answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatResponse {
    /// The whole answer text.
    pub content: String,
    /// Why generation stopped: `"stop"` (the model ended), `"length"` (token limit: see
    /// [`ChatResponse::is_truncated`]); `None` when the server did not say.
    pub done_reason: Option<String>,
    /// Prompt tokens as counted by the server (0 when it did not say).
    pub prompt_tokens: u64,
    /// Generated tokens as counted by the server (the number of streamed chunks when it did not say).
    pub completion_tokens: u64,
    /// Time spent loading the model (Ollama only; zero otherwise).
    pub load_duration: Duration,
    /// Time spent evaluating the prompt (zero when the server did not say).
    pub prompt_duration: Duration,
    /// Time spent generating (zero when the server did not say).
    pub generation_duration: Duration,
    /// Total time as the server measured it, or as measured here when the server did not say.
    pub total_duration: Duration,
    /// The model that answered, as the server names it.
    pub model: String,
}

impl ChatResponse {
    /// Generated tokens per second of generation time (0 when unknown).
    pub fn tokens_per_second(&self) -> f64 {
        let secs = self.generation_duration.as_secs_f64();
        if secs > 0.0 {
            self.completion_tokens as f64 / secs
        } else {
            0.0
        }
    }

    /// Whether the answer was cut at the token limit (`done_reason == "length"`).
    pub fn is_truncated(&self) -> bool {
        self.done_reason.as_deref() == Some("length")
    }

    /// The response, or [`BackendError::Truncated`] when it was cut at the token limit.
    pub fn into_complete(self) -> Result<Self, BackendError> {
        if self.is_truncated() {
            Err(BackendError::Truncated {
                completion_tokens: self.completion_tokens,
            })
        } else {
            Ok(self)
        }
    }
}

/// Where a chat call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The request is being sent.
    Connecting,
    /// Sent, nothing back yet: the server is loading the model and evaluating the prompt (Ollama sends its
    /// headers only after both). Repeated every `progress_interval` while it lasts.
    Loading,
    /// Output is streaming in.
    Generating,
    /// The final message arrived.
    Done,
}

/// A progress report, delivered to the callback passed to [`Backend::chat`](super::Backend::chat).
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Where the call stands.
    pub phase: Phase,
    /// Content chunks received so far (one chunk is about one token).
    pub completion_tokens_so_far: u64,
    /// Characters of output received so far.
    pub received_chars: usize,
    /// Time since the call started (including busy retries).
    pub elapsed: Duration,
}

/// One model the server has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    /// Its name (`qwen2.5-coder:7b`).
    pub name: String,
    /// Its size on disk, when the server says.
    pub size_bytes: Option<u64>,
}

/// What the server says about one model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelDetails {
    /// Context length: Ollama's trained maximum (`model_info.*.context_length`); llama-server's *launch*
    /// context (`/props` `n_ctx`), which is what every request gets.
    pub context_length: Option<u64>,
    /// Parameter count as the server writes it (`7.6B`).
    pub parameter_size: Option<String>,
    /// Quantization (`Q4_K_M`).
    pub quantization: Option<String>,
    /// Transformer layers (Ollama `model_info.<arch>.block_count`), for KV-cache estimates.
    pub block_count: Option<u64>,
    /// Attention heads (`<arch>.attention.head_count`).
    pub head_count: Option<u64>,
    /// Key/value heads (`<arch>.attention.head_count_kv`; fewer than `head_count` with grouped-query
    /// attention; the largest value when the server lists one per layer).
    pub head_count_kv: Option<u64>,
    /// Embedding width (`<arch>.embedding_length`); `embedding_length / head_count` is the usual head size.
    pub embedding_length: Option<u64>,
    /// Per-head key width (`<arch>.attention.key_length`), when the model declares it.
    pub key_length: Option<u64>,
    /// Per-head value width (`<arch>.attention.value_length`), when the model declares it.
    pub value_length: Option<u64>,
}
