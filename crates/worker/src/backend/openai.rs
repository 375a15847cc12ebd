//! The OpenAI-compatible API of llama.cpp's llama-server (and Ollama's `/v1`): `/v1/chat/completions` as
//! server-sent events, `/v1/models`, llama-server's `/props`.
//!
//! llama-server ignores a per-request context size: its context is fixed by `-c` at launch (Ollama's `/v1`
//! ignores it too and uses the Modelfile's `num_ctx`). So `num_ctx` is not sent; read the real context with
//! [`Backend::show`](super::Backend::show), which asks `/props`.

use serde::Deserialize;
use serde_json::json;

use super::error::BackendError;
use super::framing::SseDecoder;
use super::framing::excerpt;
use super::stream::Answer;
use super::stream::Decoder;
use super::stream::error_message;
use super::stream::millis;
use super::stream::parse_json;
use super::types::ChatRequest;
use super::types::ModelDetails;
use super::types::ModelInfo;

/// The `/v1/chat/completions` body: streaming with usage.
///
/// The schema goes into `response_format.json_schema.schema`, the OpenAI wrapper: llama-server reads the
/// schema only from there (a top-level `schema` is silently replaced by an empty one).
pub(crate) fn chat_body(req: &ChatRequest) -> serde_json::Value {
    let mut body = json!({
        "model": req.model,
        "messages": req.messages,
        "stream": true,
        "stream_options": {"include_usage": true},
        "temperature": req.temperature,
    });
    if let Some(map) = body.as_object_mut() {
        if let Some(seed) = req.seed {
            map.insert("seed".into(), json!(seed));
        }
        if let Some(max_tokens) = req.max_tokens {
            map.insert("max_tokens".into(), json!(max_tokens));
        }
        if let Some(schema) = &req.json_schema {
            map.insert(
                "response_format".into(),
                json!({"type": "json_schema", "json_schema": {"name": "edits", "schema": schema}}),
            );
        }
    }
    body
}

#[derive(Debug, Deserialize)]
struct Chunk {
    model: Option<String>,
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<Usage>,
    timings: Option<Timings>,
    error: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    delta: Option<Delta>,
    /// Non-streaming shape, accepted too.
    message: Option<Delta>,
    finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Delta {
    content: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Usage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
}

/// llama-server's `timings` (milliseconds).
#[derive(Debug, Deserialize)]
struct Timings {
    cache_n: Option<u64>,
    prompt_n: Option<u64>,
    prompt_ms: Option<f64>,
    predicted_n: Option<u64>,
    predicted_ms: Option<f64>,
}

/// Decodes the SSE stream of `/v1/chat/completions`.
#[derive(Debug, Default)]
pub(crate) struct ChatDecoder {
    sse: SseDecoder,
    events: u64,
}

impl ChatDecoder {
    fn event(&mut self, data: &str, answer: &mut Answer) -> Result<bool, BackendError> {
        let data = data.trim();
        if data.is_empty() {
            return Ok(false);
        }
        if data == "[DONE]" {
            // The end, with or without a finish_reason before it.
            answer.finished = true;
            return Ok(true);
        }
        self.events += 1;
        let chunk: Chunk =
            serde_json::from_str(data).map_err(|err| BackendError::InvalidResponse {
                detail: format!(
                    "event {} of the chat stream is not a completion chunk ({err}): {}",
                    self.events,
                    excerpt(data)
                ),
            })?;
        if let Some(error) = &chunk.error {
            return Err(BackendError::ServerError {
                message: error_message(error),
            });
        }
        if let Some(model) = chunk.model.filter(|m| !m.is_empty()) {
            answer.model = Some(model);
        }
        for choice in chunk.choices {
            if let Some(content) = choice.delta.or(choice.message).and_then(|d| d.content) {
                answer.push_content(&content);
            }
            if let Some(reason) = choice.finish_reason {
                answer.finished = true;
                answer.done_reason = Some(reason);
            }
        }
        if let Some(timings) = chunk.timings {
            if let Some(prompt_n) = timings.prompt_n {
                answer
                    .prompt_tokens
                    .get_or_insert(prompt_n + timings.cache_n.unwrap_or(0));
            }
            if let Some(predicted_n) = timings.predicted_n {
                answer.completion_tokens.get_or_insert(predicted_n);
            }
            answer.prompt_duration = millis(timings.prompt_ms).or(answer.prompt_duration);
            answer.generation_duration =
                millis(timings.predicted_ms).or(answer.generation_duration);
        }
        if let Some(usage) = chunk.usage {
            // `usage` is authoritative (counts cached prompt tokens too).
            if usage.prompt_tokens.is_some() {
                answer.prompt_tokens = usage.prompt_tokens;
            }
            if usage.completion_tokens.is_some() {
                answer.completion_tokens = usage.completion_tokens;
            }
        }
        Ok(false)
    }
}

impl Decoder for ChatDecoder {
    fn line(&mut self, line: &str, answer: &mut Answer) -> Result<bool, BackendError> {
        match self.sse.feed_line(line) {
            Some(data) => self.event(&data, answer),
            None => Ok(false),
        }
    }

    fn end(&mut self, answer: &mut Answer) -> Result<(), BackendError> {
        if let Some(data) = self.sse.take() {
            // The last event lacked its blank line; use it only if it is whole.
            if data.trim() == "[DONE]" || serde_json::from_str::<serde_json::Value>(&data).is_ok() {
                self.event(&data, answer)?;
            }
        }
        // A finish_reason means the answer is whole even if the usage chunk and `[DONE]` were lost.
        if answer.finished {
            Ok(())
        } else {
            Err(BackendError::StreamCut {
                received_chars: answer.received_chars,
            })
        }
    }
}

#[derive(Debug, Deserialize)]
struct Models {
    #[serde(default)]
    data: Vec<ModelEntry>,
}

#[derive(Debug, Deserialize)]
struct ModelEntry {
    id: String,
    /// llama-server adds `meta` with the file size.
    meta: Option<ModelMeta>,
}

#[derive(Debug, Deserialize)]
struct ModelMeta {
    size: Option<u64>,
}

/// Parses `/v1/models`.
pub(crate) fn parse_models(body: &str) -> Result<Vec<ModelInfo>, BackendError> {
    let models: Models = parse_json(body, "/v1/models")?;
    Ok(models
        .data
        .into_iter()
        .map(|m| ModelInfo {
            name: m.id,
            size_bytes: m.meta.and_then(|meta| meta.size),
        })
        .collect())
}

#[derive(Debug, Deserialize)]
struct Props {
    default_generation_settings: Option<GenerationSettings>,
    n_ctx: Option<u64>,
    build_info: Option<String>,
}

#[derive(Debug, Deserialize)]
struct GenerationSettings {
    n_ctx: Option<u64>,
}

/// Parses llama-server's `/props`: the context every request gets.
pub(crate) fn parse_props(body: &str) -> Result<ModelDetails, BackendError> {
    let props: Props = parse_json(body, "/props")?;
    let context_length = props
        .default_generation_settings
        .and_then(|s| s.n_ctx)
        .or(props.n_ctx);
    Ok(ModelDetails {
        context_length,
        parameter_size: None,
        quantization: None,
        ..ModelDetails::default()
    })
}

/// llama-server's build (`b4764-7ad0779f`) from `/props`.
pub(crate) fn parse_build_info(body: &str) -> Result<Option<String>, BackendError> {
    let props: Props = parse_json(body, "/props")?;
    Ok(props.build_info.filter(|b| !b.is_empty()))
}
