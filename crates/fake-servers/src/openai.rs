//! llama-server's OpenAI-compatible protocol: routes, SSE chunks with `usage` and `timings`, `[DONE]`,
//! llama-server's error bodies (`{"error":{"code":N,"message":"...","type":"..."}}`).

use std::time::Duration;

use axum::http::Method;
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;
use serde_json::json;

use crate::Ending;
use crate::Plan;
use crate::Shared;
use crate::StreamPlan;
use crate::body;
use crate::interpolate;

const CREATED: u64 = 1_740_866_276;
const FINGERPRINT: &str = "b4764-7ad0779f";
const EVENT_STREAM: &str = "text/event-stream";

pub(crate) async fn handle(
    shared: &Shared,
    method: &Method,
    path: &str,
    raw: &Bytes,
    request: Value,
) -> Response {
    let script = &shared.script;
    match (method.as_str(), path) {
        ("GET", "/health" | "/v1/health") => body::json(200, &json!({ "status": "ok" })),
        ("GET", "/v1/models" | "/models") => {
            let data: Vec<Value> = script
                .models
                .iter()
                .map(|m| {
                    json!({
                        "id": m.name,
                        "object": "model",
                        "created": CREATED,
                        "owned_by": "llamacpp",
                        "meta": { "n_ctx_train": m.context_length, "size": m.size },
                    })
                })
                .collect();
            body::json(200, &json!({ "object": "list", "data": data }))
        }
        ("GET", "/props") => {
            let n_ctx = script.models.first().map_or(4096, |m| m.context_length);
            body::json(
                200,
                &json!({
                    "default_generation_settings": { "n_ctx": n_ctx, "temperature": 0.8 },
                    "total_slots": 1,
                    "model_path": script.models.first().map_or("model.gguf", |m| m.name.as_str()),
                    "build_info": FINGERPRINT,
                }),
            )
        }
        ("POST", "/v1/chat/completions" | "/chat/completions") => chat(shared, raw, request).await,
        _ => error(404, "File Not Found", "not_found_error"),
    }
}

fn error_value(code: u16, message: &str, kind: &str) -> Value {
    json!({ "error": { "code": code, "message": message, "type": kind } })
}

fn error(code: u16, message: &str, kind: &str) -> Response {
    body::json(code, &error_value(code, message, kind))
}

/// llama-server's body for a scripted status without one.
fn default_body(code: u16, model: &str) -> String {
    let value = match code {
        404 => error_value(
            404,
            &format!("model '{model}' not found"),
            "not_found_error",
        ),
        503 => error_value(503, "Loading model", "unavailable_error"),
        500 => error_value(
            500,
            "an error was encountered while running the model",
            "server_error",
        ),
        400 => error_value(400, "invalid request", "invalid_request_error"),
        401 => error_value(401, "Invalid API Key", "authentication_error"),
        code => error_value(code, &format!("fake status {code}"), "server_error"),
    };
    value.to_string()
}

async fn chat(shared: &Shared, raw: &Bytes, request: Value) -> Response {
    if raw.is_empty() || request.is_null() {
        return error(
            400,
            "Failed to parse the request body as JSON",
            "invalid_request_error",
        );
    }
    let model = request
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !shared.script.serves(&model) {
        return error(
            404,
            &format!("model '{model}' not found"),
            "not_found_error",
        );
    }
    let stream = request
        .get("stream")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let include_usage = request
        .pointer("/stream_options/include_usage")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    match crate::plan(shared, &request) {
        Plan::Status {
            code,
            body,
            first_byte_delay_ms,
        } => {
            body::pause(first_byte_delay_ms).await;
            let text = body
                .map(|b| interpolate(&b, &model))
                .unwrap_or_else(|| default_body(code, &model));
            body::complete(code, text)
        }
        Plan::Stream(plan) => {
            body::pause(plan.first_byte_delay_ms).await;
            if stream {
                streamed(&model, *plan, include_usage)
            } else {
                whole(&model, *plan)
            }
        }
    }
}

fn chunk(model: &str, choices: Value) -> Value {
    json!({
        "choices": choices,
        "created": CREATED,
        "id": "chatcmpl-fake0000000000000000000000",
        "model": model,
        "system_fingerprint": FINGERPRINT,
        "object": "chat.completion.chunk",
    })
}

fn event(value: &Value) -> Vec<u8> {
    format!("data: {value}\n\n").into_bytes()
}

/// `usage` and llama-server's `timings` (about 1 ms per prompt token, 50 tokens/s).
fn usage_and_timings(prompt_tokens: u64, completion_tokens: u64) -> (Value, Value) {
    let prompt_ms = prompt_tokens as f64;
    let predicted_ms = completion_tokens as f64 * 20.0;
    let per_second = |n: u64, ms: f64| {
        if ms > 0.0 {
            n as f64 * 1000.0 / ms
        } else {
            0.0
        }
    };
    let usage = json!({
        "completion_tokens": completion_tokens,
        "prompt_tokens": prompt_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": { "cached_tokens": 0 },
    });
    let timings = json!({
        "cache_n": 0,
        "prompt_n": prompt_tokens,
        "prompt_ms": prompt_ms,
        "prompt_per_token_ms": if prompt_tokens > 0 { prompt_ms / prompt_tokens as f64 } else { 0.0 },
        "prompt_per_second": per_second(prompt_tokens, prompt_ms),
        "predicted_n": completion_tokens,
        "predicted_ms": predicted_ms,
        "predicted_per_token_ms": 20.0,
        "predicted_per_second": per_second(completion_tokens, predicted_ms),
    });
    (usage, timings)
}

fn role_event(model: &str) -> Vec<u8> {
    event(&chunk(
        model,
        json!([{ "finish_reason": null, "index": 0, "delta": { "role": "assistant", "content": null } }]),
    ))
}

fn content_event(model: &str, piece: &str) -> Vec<u8> {
    event(&chunk(
        model,
        json!([{ "finish_reason": null, "index": 0, "delta": { "content": piece } }]),
    ))
}

fn streamed(model: &str, mut plan: StreamPlan, include_usage: bool) -> Response {
    if matches!(plan.ending, Ending::Never) {
        return endless(model, plan);
    }
    let mut units = vec![role_event(model)];
    units.extend(body::per_piece(&plan.pieces, |piece| {
        content_event(model, piece)
    }));
    let mut abort = false;
    match &plan.ending {
        Ending::Done {
            done_reason,
            prompt_tokens,
            completion_tokens,
            omit_metrics,
        } => {
            let mut last = chunk(
                model,
                json!([{ "finish_reason": done_reason, "index": 0, "delta": {} }]),
            );
            if !omit_metrics && let Some(map) = last.as_object_mut() {
                let (usage, timings) = usage_and_timings(*prompt_tokens, *completion_tokens);
                if include_usage {
                    map.insert("usage".into(), usage);
                }
                map.insert("timings".into(), timings);
            }
            units.push(event(&last));
            units.push(b"data: [DONE]\n\n".to_vec());
        }
        Ending::Error(message) => units.push(event(&error_value(500, message, "server_error"))),
        Ending::Drop { clean_close } => {
            let next = event(&chunk(
                model,
                json!([{ "finish_reason": null, "index": 0, "delta": { "content": "…" } }]),
            ));
            units.push(next[..next.len() / 2].to_vec());
            abort = !clean_close;
        }
        Ending::Never => {}
    }
    let mut frames = body::frames(&units, plan.chunk, &mut plan.rng);
    if abort {
        frames.push(body::Frame::Abort);
    }
    let mut response = body::streaming(EVENT_STREAM, frames, Duration::from_millis(plan.delay_ms));
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-cache"),
    );
    response
}

/// A generation that never stops: content events forever, never a `finish_reason` or `[DONE]`.
fn endless(model: &str, plan: StreamPlan) -> Response {
    let cycle = body::per_piece(&plan.pieces, |piece| content_event(model, piece));
    let mut response = body::endless(
        EVENT_STREAM,
        vec![role_event(model)],
        cycle,
        plan.chunk,
        plan.rng,
        Duration::from_millis(plan.delay_ms),
    );
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-cache"),
    );
    response
}

/// `"stream": false`: one `chat.completion` object.
fn whole(model: &str, plan: StreamPlan) -> Response {
    let content = plan.pieces.concat();
    match &plan.ending {
        Ending::Done {
            done_reason,
            prompt_tokens,
            completion_tokens,
            ..
        } => {
            let (usage, timings) = usage_and_timings(*prompt_tokens, *completion_tokens);
            body::json(
                200,
                &json!({
                    "choices": [{
                        "finish_reason": done_reason,
                        "index": 0,
                        "message": { "role": "assistant", "content": content },
                    }],
                    "created": CREATED,
                    "id": "chatcmpl-fake0000000000000000000000",
                    "model": model,
                    "system_fingerprint": FINGERPRINT,
                    "object": "chat.completion",
                    "usage": usage,
                    "timings": timings,
                }),
            )
        }
        Ending::Error(message) => error(500, message, "server_error"),
        Ending::Drop { .. } => {
            let frames = vec![
                body::Frame::Data(Bytes::from_static(b"{\"choices\":[{")),
                body::Frame::Abort,
            ];
            body::streaming("application/json; charset=utf-8", frames, Duration::ZERO)
        }
        Ending::Never => {
            // The message's content string never closes.
            let head = br#"{"choices":[{"finish_reason":null,"index":0,"message":{"role":"assistant","content":""#;
            let quoted = json!(plan.pieces.concat()).to_string();
            let cycle = vec![quoted.as_bytes()[1..quoted.len() - 1].to_vec()];
            body::endless(
                "application/json; charset=utf-8",
                vec![head.to_vec()],
                cycle,
                plan.chunk,
                plan.rng,
                Duration::from_millis(plan.delay_ms),
            )
        }
    }
}
