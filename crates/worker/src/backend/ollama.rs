//! Ollama's native API: `/api/chat` (NDJSON stream), `/api/tags`, `/api/version`, `/api/show`.

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::error::BackendError;
use super::stream::Answer;
use super::stream::Decoder;
use super::stream::error_message;
use super::stream::parse_json;
use super::types::ChatRequest;
use super::types::ModelDetails;
use super::types::ModelInfo;

/// The `/api/chat` body: always streaming, `options.num_ctx` always present, and `truncate: false` so a prompt
/// longer than the context is an error instead of being cut silently (older servers ignore the field; the worker's
/// own token estimate guards them).
pub(crate) fn chat_body(req: &ChatRequest) -> serde_json::Value {
    let mut options = serde_json::Map::new();
    options.insert("num_ctx".into(), json!(req.num_ctx));
    options.insert("temperature".into(), json!(req.temperature));
    if let Some(seed) = req.seed {
        options.insert("seed".into(), json!(seed));
    }
    if let Some(max_tokens) = req.max_tokens {
        options.insert("num_predict".into(), json!(max_tokens));
    }
    let mut body = json!({
        "model": req.model,
        "messages": req.messages,
        "stream": true,
        "truncate": false,
        "options": options,
    });
    if let (Some(schema), Some(map)) = (&req.json_schema, body.as_object_mut()) {
        map.insert("format".into(), schema.clone());
    }
    body
}

/// One NDJSON line of a chat stream. Every metric is `omitempty` on the server, hence all optional.
#[derive(Debug, Deserialize)]
struct ChatLine {
    model: Option<String>,
    message: Option<LineMessage>,
    #[serde(default)]
    done: bool,
    done_reason: Option<String>,
    error: Option<serde_json::Value>,
    total_duration: Option<u64>,
    load_duration: Option<u64>,
    prompt_eval_count: Option<u64>,
    prompt_eval_duration: Option<u64>,
    eval_count: Option<u64>,
    eval_duration: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct LineMessage {
    content: Option<String>,
}

/// Decodes `/api/chat`'s NDJSON.
#[derive(Debug, Default)]
pub(crate) struct ChatDecoder {
    lines: u64,
}

impl Decoder for ChatDecoder {
    fn line(&mut self, line: &str, answer: &mut Answer) -> Result<bool, BackendError> {
        if line.trim().is_empty() {
            return Ok(false);
        }
        self.lines += 1;
        let parsed: ChatLine =
            serde_json::from_str(line).map_err(|err| BackendError::InvalidResponse {
                detail: format!(
                    "line {} of the /api/chat stream is not a chat chunk ({err}): {}",
                    self.lines,
                    super::framing::excerpt(line)
                ),
            })?;
        if let Some(error) = &parsed.error {
            return Err(BackendError::ServerError {
                message: error_message(error),
            });
        }
        if let Some(model) = parsed.model {
            answer.model = Some(model);
        }
        if let Some(content) = parsed.message.and_then(|m| m.content) {
            answer.push_content(&content);
        }
        if !parsed.done {
            return Ok(false);
        }
        answer.finished = true;
        answer.done_reason = parsed.done_reason;
        answer.prompt_tokens = parsed.prompt_eval_count;
        answer.completion_tokens = parsed.eval_count;
        answer.total_duration = parsed.total_duration.map(Duration::from_nanos);
        answer.load_duration = parsed.load_duration.map(Duration::from_nanos);
        answer.prompt_duration = parsed.prompt_eval_duration.map(Duration::from_nanos);
        answer.generation_duration = parsed.eval_duration.map(Duration::from_nanos);
        Ok(true)
    }

    fn end(&mut self, answer: &mut Answer) -> Result<(), BackendError> {
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
struct Tags {
    #[serde(default)]
    models: Vec<TagModel>,
}

#[derive(Debug, Deserialize)]
struct TagModel {
    name: String,
    size: Option<u64>,
}

/// Parses `/api/tags`.
pub(crate) fn parse_tags(body: &str) -> Result<Vec<ModelInfo>, BackendError> {
    let tags: Tags = parse_json(body, "/api/tags")?;
    Ok(tags
        .models
        .into_iter()
        .map(|m| ModelInfo {
            name: m.name,
            size_bytes: m.size,
        })
        .collect())
}

#[derive(Debug, Deserialize)]
struct Version {
    version: Option<String>,
}

/// Parses `/api/version`.
pub(crate) fn parse_version(body: &str) -> Result<Option<String>, BackendError> {
    Ok(parse_json::<Version>(body, "/api/version")?.version)
}

#[derive(Debug, Deserialize)]
struct Show {
    #[serde(default)]
    model_info: serde_json::Map<String, serde_json::Value>,
    details: Option<ShowDetails>,
}

#[derive(Debug, Deserialize)]
struct ShowDetails {
    parameter_size: Option<String>,
    quantization_level: Option<String>,
}

/// Parses `/api/show`: the context length is the `model_info` key ending in `.context_length`
/// (`llama.context_length`, `qwen2.context_length`, ...).
pub(crate) fn parse_show(body: &str) -> Result<ModelDetails, BackendError> {
    let show: Show = parse_json(body, "/api/show")?;
    let context_length = show
        .model_info
        .iter()
        .find(|(key, _)| key.ends_with(".context_length") || key.as_str() == "context_length")
        .and_then(|(_, value)| value.as_u64());
    let (parameter_size, quantization) = match show.details {
        Some(d) => (
            d.parameter_size.filter(|s| !s.is_empty()),
            d.quantization_level.filter(|s| !s.is_empty()),
        ),
        None => (None, None),
    };
    // `<arch>.<suffix>`: a number, or one number per layer (the largest counts for memory).
    let arch = show
        .model_info
        .get("general.architecture")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let info = |suffix: &str| {
        show.model_info
            .get(&format!("{arch}{suffix}"))
            .or_else(|| {
                show.model_info
                    .iter()
                    .find(|(key, _)| !key.starts_with("general.") && key.ends_with(suffix))
                    .map(|(_, value)| value)
            })
            .and_then(|value| match value {
                serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_u64()).max(),
                other => other.as_u64(),
            })
    };
    Ok(ModelDetails {
        context_length,
        parameter_size,
        quantization,
        block_count: info(".block_count"),
        head_count: info(".attention.head_count"),
        head_count_kv: info(".attention.head_count_kv"),
        embedding_length: info(".embedding_length"),
        key_length: info(".attention.key_length"),
        value_length: info(".attention.value_length"),
    })
}

#[cfg(test)]
mod show_tests {
    use super::parse_show;

    #[test]
    fn show_gives_the_attention_layout_for_kv_cache_estimates() {
        // The model_info keys of a real `ollama show qwen2.5-coder:7b` (abridged), plus a vision tower whose
        // keys must not be mistaken for the text model's.
        let body = r#"{"details":{"parameter_size":"7.6B","quantization_level":"Q4_K_M"},"model_info":{
            "general.architecture":"qwen2","general.parameter_count":7615616512,
            "qwen2.attention.head_count":28,"qwen2.attention.head_count_kv":4,"qwen2.block_count":28,
            "qwen2.context_length":32768,"qwen2.embedding_length":3584,
            "qwen2.vision.block_count":32,"qwen2.vision.embedding_length":1280}}"#;
        let d = parse_show(body).unwrap_or_default();
        assert_eq!(d.block_count, Some(28));
        assert_eq!(d.head_count, Some(28));
        assert_eq!(d.head_count_kv, Some(4));
        assert_eq!(d.embedding_length, Some(3584));
        assert_eq!(d.key_length, None);
        assert_eq!(d.context_length, Some(32768));
    }

    #[test]
    fn per_layer_kv_heads_count_their_largest_value() {
        let body = r#"{"model_info":{"general.architecture":"gemma3","gemma3.block_count":2,
            "gemma3.attention.head_count_kv":[2,8],"gemma3.attention.key_length":256}}"#;
        let d = parse_show(body).unwrap_or_default();
        assert_eq!(d.head_count_kv, Some(8));
        assert_eq!(d.key_length, Some(256));
        assert_eq!(d.head_count, None);
    }
}
