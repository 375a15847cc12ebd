//! Building response bodies: token pieces, chunking, delays, aborted connections.

use std::time::Duration;

use axum::body::Body;
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header;
use axum::response::Response;
use bytes::Bytes;
use rand::Rng;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::script::Chunking;

/// The RNG for chat call `call` of a script seeded with `seed`.
pub(crate) fn rng(seed: u64, call: usize) -> StdRng {
    StdRng::seed_from_u64(seed.wrapping_add(call as u64))
}

/// Cuts `content` into token-like pieces of 1 to 4 characters.
pub(crate) fn pieces(content: &str, rng: &mut StdRng) -> Vec<String> {
    let chars: Vec<char> = content.chars().collect();
    let mut out = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let len = rng.random_range(1..=4).min(chars.len() - at);
        out.push(chars[at..at + len].iter().collect());
        at += len;
    }
    out
}

/// What the body stream yields next.
#[derive(Debug)]
pub(crate) enum Frame {
    Data(Bytes),
    /// Break the connection (no terminating chunk).
    Abort,
}

/// Cuts the protocol units (NDJSON lines, SSE events, each with its terminator) into network chunks.
pub(crate) fn frames(units: &[Vec<u8>], chunking: Chunking, rng: &mut StdRng) -> Vec<Frame> {
    if chunking == Chunking::Line {
        return units
            .iter()
            .map(|unit| Frame::Data(Bytes::from(unit.clone())))
            .collect();
    }
    let all: Vec<u8> = units.concat();
    let mut out = Vec::new();
    let mut at = 0;
    while at < all.len() {
        let len = match chunking {
            Chunking::Bytes(n) => n.max(1),
            _ => rng.random_range(1..=12),
        };
        let end = (at + len).min(all.len());
        out.push(Frame::Data(Bytes::copy_from_slice(&all[at..end])));
        at = end;
    }
    out
}

/// A 200 streaming response of `frames`, pausing `delay` between them.
pub(crate) fn streaming(
    content_type: &'static str,
    frames: Vec<Frame>,
    delay: Duration,
) -> Response {
    let stream = futures_util::stream::unfold(
        (frames.into_iter(), true),
        move |(mut rest, first)| async move {
            let frame = rest.next()?;
            if !first && !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if matches!(frame, Frame::Abort) {
                // Let hyper flush what was written before: a crash loses only what was never sent.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let item = match frame {
                Frame::Data(bytes) => Ok(bytes),
                Frame::Abort => Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "fake: connection dropped",
                )),
            };
            Some((item, (rest, false)))
        },
    );
    let mut response = Response::new(Body::from_stream(stream));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A complete response with `body`, typed as JSON when it parses as JSON and as plain text otherwise.
pub(crate) fn complete(status: u16, body: String) -> Response {
    let content_type = if serde_json::from_str::<serde_json::Value>(&body).is_ok() {
        "application/json; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A JSON response.
pub(crate) fn json(status: u16, value: &serde_json::Value) -> Response {
    complete(status, value.to_string())
}

/// Sleeps `ms` milliseconds (if any).
pub(crate) async fn pause(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

/// A rough prompt-token count for requests whose script gives none.
pub(crate) fn prompt_tokens_of(request: &serde_json::Value) -> u64 {
    let chars: usize = request
        .get("messages")
        .and_then(|m| m.as_array())
        .map(|messages| {
            messages
                .iter()
                .filter_map(|m| m.get("content").and_then(|c| c.as_str()))
                .map(|c| c.chars().count())
                .sum()
        })
        .unwrap_or(0);
    (chars as u64).div_ceil(4) + 10
}
