//! Scripts: what a fake server answers to each chat call, loadable from JSON (`fixtures/models/`).

use std::fmt;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;
use serde::Serialize;

/// Computes an answer's content from the chat request's JSON body (for [`Step::Computed`]).
#[derive(Clone)]
pub struct Responder(pub Arc<dyn Fn(&serde_json::Value) -> String + Send + Sync>);

impl fmt::Debug for Responder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Responder(..)")
    }
}

/// What a fake server does. Chat calls consume [`Script::steps`] in order; the last step repeats.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Script {
    /// Seeds the random chunk and token splits; call `n` uses `seed + n`, so a run is reproducible.
    pub seed: u64,
    /// What `/api/version` answers.
    pub version: String,
    /// The installed models (`/api/tags`, `/v1/models`, `/api/show`). A chat for a model not listed gets
    /// the server's real 404, unless `accept_any_model`.
    pub models: Vec<FakeModel>,
    /// Serve chats for any model name (llama-server in single-model mode ignores `model`).
    pub accept_any_model: bool,
    /// The chat answers, in order.
    pub steps: Vec<Step>,
    /// Computes the content of [`Step::Computed`] steps (code only, not JSON).
    #[serde(skip)]
    pub responder: Option<Responder>,
}

impl Default for Script {
    fn default() -> Self {
        Self {
            seed: 0,
            version: "0.12.6".to_owned(),
            models: vec![FakeModel::default()],
            accept_any_model: false,
            steps: Vec::new(),
            responder: None,
        }
    }
}

impl Script {
    /// The default model list and these steps.
    pub fn new(steps: Vec<Step>) -> Self {
        Self {
            steps,
            ..Self::default()
        }
    }

    /// One successful answer with `content`, repeated for every call.
    pub fn answer(content: impl Into<String>) -> Self {
        Self::new(vec![Step::answer(content)])
    }

    /// Every call answered by `responder(request body)`.
    pub fn computed(
        responder: impl Fn(&serde_json::Value) -> String + Send + Sync + 'static,
    ) -> Self {
        Self::new(vec![Step::computed()]).with_responder(responder)
    }

    /// Sets the responder used by [`Step::Computed`].
    pub fn with_responder(
        mut self,
        responder: impl Fn(&serde_json::Value) -> String + Send + Sync + 'static,
    ) -> Self {
        self.responder = Some(Responder(Arc::new(responder)));
        self
    }

    /// Replaces the model list by models with these names (and default details).
    pub fn with_models<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.models = names
            .into_iter()
            .map(|name| FakeModel {
                name: name.into(),
                ..FakeModel::default()
            })
            .collect();
        self
    }

    /// Sets the seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Parses a script from JSON.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Reads a script from a JSON file.
    pub fn from_file(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|err| std::io::Error::new(err.kind(), format!("{}: {err}", path.display())))?;
        Self::from_json(&text).map_err(|err| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: {err}", path.display()),
            )
        })
    }

    /// Reads `fixtures/models/<name>` of this workspace.
    pub fn fixture(name: &str) -> std::io::Result<Self> {
        Self::from_file(fixtures_dir().join(name))
    }

    /// Whether `model` is installed (Ollama adds `:latest` to a name without a tag).
    pub(crate) fn find_model(&self, model: &str) -> Option<&FakeModel> {
        let with_tag = |name: &str| {
            if name.contains(':') {
                name.to_owned()
            } else {
                format!("{name}:latest")
            }
        };
        let wanted = with_tag(model);
        self.models.iter().find(|m| with_tag(&m.name) == wanted)
    }

    pub(crate) fn serves(&self, model: &str) -> bool {
        self.accept_any_model || self.find_model(model).is_some()
    }

    /// The step for chat call `n` (0-based).
    pub(crate) fn step(&self, n: usize) -> Option<&Step> {
        self.steps.get(n.min(self.steps.len().saturating_sub(1)))
    }
}

/// The workspace's `fixtures/models/` folder.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/models")
}

/// An installed model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FakeModel {
    /// `qwen2.5-coder:7b`.
    pub name: String,
    /// Bytes on disk.
    pub size: u64,
    /// Trained context (`/api/show` `model_info`) and llama-server's launch context (`/props`).
    pub context_length: u64,
    /// `7.6B`.
    pub parameter_size: String,
    /// `Q4_K_M`.
    pub quantization_level: String,
}

impl Default for FakeModel {
    fn default() -> Self {
        Self {
            name: "qwen2.5-coder:7b".to_owned(),
            size: 4_683_087_332,
            context_length: 32_768,
            parameter_size: "7.6B".to_owned(),
            quantization_level: "Q4_K_M".to_owned(),
        }
    }
}

/// One scripted chat answer. JSON: an object whose `kind` names the variant (`"answer"`, `"computed"`,
/// `"status"`, `"error_after"`, `"drop_after"`, `"endless"`), with the variant's fields beside it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    /// A complete streamed answer ending with the final `done` line (SSE: `finish_reason`, `usage`,
    /// `timings`, `[DONE]`).
    Answer(Answer),
    /// Like `Answer`, with the content computed by the script's [`Responder`] (its `content` is ignored).
    Computed(Answer),
    /// A non-success status before any output, with the server's real body (see [`Status`]).
    Status(Status),
    /// Some content, then an error in the stream (`{"error":"..."}` line / `data: {"error":{...}}`).
    ErrorAfter(ErrorAfter),
    /// Some content, then the connection closes without the final message.
    DropAfter(DropAfter),
    /// Content that never ends: a server ignoring its token limit (fast) or crawling along (with a delay).
    Endless(Endless),
}

impl Step {
    /// A successful answer with the defaults (`done_reason` `stop`, random chunks, no delays).
    pub fn answer(content: impl Into<String>) -> Self {
        Self::Answer(Answer {
            content: content.into(),
            ..Answer::default()
        })
    }

    /// A computed answer with the defaults.
    pub fn computed() -> Self {
        Self::Computed(Answer::default())
    }

    /// A status with the real default body for that code.
    pub fn status(code: u16) -> Self {
        Self::Status(Status {
            code,
            ..Status::default()
        })
    }

    /// `content_prefix`, then the error `error`.
    pub fn error_after(content_prefix: impl Into<String>, error: impl Into<String>) -> Self {
        Self::ErrorAfter(ErrorAfter {
            content_prefix: content_prefix.into(),
            error: error.into(),
            ..ErrorAfter::default()
        })
    }

    /// `content` repeated forever, as fast as the client reads it, in chunks of `chunk_bytes`.
    pub fn endless(content: impl Into<String>, chunk_bytes: usize) -> Self {
        Self::Endless(Endless {
            content: content.into(),
            chunk: Chunking::Bytes(chunk_bytes.max(1)),
            ..Endless::default()
        })
    }

    /// `content` repeated forever, one token-sized piece per line or event every `delay_ms`.
    pub fn trickle(content: impl Into<String>, delay_ms: u64) -> Self {
        Self::Endless(Endless {
            content: content.into(),
            chunk: Chunking::Line,
            delay_ms_between_chunks: delay_ms,
            ..Endless::default()
        })
    }

    /// `content_prefix`, then the connection is dropped.
    pub fn drop_after(content_prefix: impl Into<String>) -> Self {
        Self::DropAfter(DropAfter {
            content_prefix: content_prefix.into(),
            ..DropAfter::default()
        })
    }
}

/// How the response bytes are cut into network chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "ChunkingRepr", into = "ChunkingRepr")]
pub enum Chunking {
    /// Random sizes of 1 to 12 bytes, cutting JSON objects and UTF-8 characters anywhere (JSON `"random"`).
    #[default]
    Random,
    /// One line (NDJSON) or one event (SSE) per chunk, like the real servers (JSON `"line"`).
    Line,
    /// Fixed-size chunks of this many bytes (JSON: the number).
    Bytes(usize),
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum ChunkingRepr {
    Bytes(usize),
    Name(String),
}

impl TryFrom<ChunkingRepr> for Chunking {
    type Error = String;

    fn try_from(repr: ChunkingRepr) -> Result<Self, String> {
        match repr {
            ChunkingRepr::Bytes(0) => Err("chunk size must be at least 1".to_owned()),
            ChunkingRepr::Bytes(n) => Ok(Self::Bytes(n)),
            ChunkingRepr::Name(name) => match name.as_str() {
                "random" => Ok(Self::Random),
                "line" => Ok(Self::Line),
                other => Err(format!(
                    "unknown chunking '{other}' (expected \"random\", \"line\" or a number)"
                )),
            },
        }
    }
}

impl From<Chunking> for ChunkingRepr {
    fn from(chunking: Chunking) -> Self {
        match chunking {
            Chunking::Random => Self::Name("random".to_owned()),
            Chunking::Line => Self::Name("line".to_owned()),
            Chunking::Bytes(n) => Self::Bytes(n),
        }
    }
}

/// A complete answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Answer {
    /// The text.
    pub content: String,
    /// `"stop"` or `"length"`.
    pub done_reason: String,
    /// `prompt_eval_count` / `usage.prompt_tokens`; default: estimated from the request.
    pub prompt_tokens: Option<u64>,
    /// `eval_count` / `usage.completion_tokens`; default: the number of streamed pieces.
    pub completion_tokens: Option<u64>,
    /// Leave every metric out of the final message (they are `omitempty` in Ollama).
    pub omit_metrics: bool,
    /// How the bytes are cut.
    pub chunk: Chunking,
    /// Pause between chunks.
    pub delay_ms_between_chunks: u64,
    /// Pause before the response headers (Ollama loads the model before answering at all).
    pub first_byte_delay_ms: u64,
}

impl Default for Answer {
    fn default() -> Self {
        Self {
            content: String::new(),
            done_reason: "stop".to_owned(),
            prompt_tokens: None,
            completion_tokens: None,
            omit_metrics: false,
            chunk: Chunking::Random,
            delay_ms_between_chunks: 0,
            first_byte_delay_ms: 0,
        }
    }
}

/// A non-success status.
///
/// Default bodies (Ollama / OpenAI-style): 404 `{"error":"model '<model>' not found"}` /
/// `{"error":{"code":404,"message":"model '<model>' not found","type":"not_found_error"}}`; 503
/// `{"error":"server busy, please try again.  maximum pending requests exceeded"}` /
/// `{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}`; 500
/// `{"error":"timed out waiting for llama runner to start - progress 0.00 - "}` / a `server_error`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Status {
    /// The HTTP status.
    pub code: u16,
    /// The body instead of the default; `{model}` is replaced by the requested model.
    pub body: Option<String>,
    /// Pause before answering.
    pub first_byte_delay_ms: u64,
}

/// Content, then an error in the stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ErrorAfter {
    /// Streamed before the error.
    pub content_prefix: String,
    /// The error message.
    pub error: String,
    /// How the bytes are cut.
    pub chunk: Chunking,
    /// Pause between chunks.
    pub delay_ms_between_chunks: u64,
    /// Pause before the response headers.
    pub first_byte_delay_ms: u64,
}

impl Default for ErrorAfter {
    fn default() -> Self {
        Self {
            content_prefix: String::new(),
            error: "an error was encountered while running the model".to_owned(),
            chunk: Chunking::Random,
            delay_ms_between_chunks: 0,
            first_byte_delay_ms: 0,
        }
    }
}

/// Content, then the connection ends without the final message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DropAfter {
    /// Streamed before the cut; half of a further line follows it.
    pub content_prefix: String,
    /// End the response properly (a clean end of stream without the final message) instead of aborting
    /// the connection.
    pub clean_close: bool,
    /// How the bytes are cut.
    pub chunk: Chunking,
    /// Pause between chunks.
    pub delay_ms_between_chunks: u64,
    /// Pause before the response headers.
    pub first_byte_delay_ms: u64,
}

/// Content repeated forever: the stream never reaches its final message and never closes on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Endless {
    /// Cut into token-sized pieces, one per line or event, and repeated for as long as the client reads.
    pub content: String,
    /// How the bytes are cut.
    pub chunk: Chunking,
    /// Pause between chunks.
    pub delay_ms_between_chunks: u64,
    /// Pause before the response headers.
    pub first_byte_delay_ms: u64,
}

impl Default for Endless {
    fn default() -> Self {
        Self {
            content: "x".to_owned(),
            chunk: Chunking::Random,
            delay_ms_between_chunks: 0,
            first_byte_delay_ms: 0,
        }
    }
}
