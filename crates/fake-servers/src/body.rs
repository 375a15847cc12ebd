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

/// One protocol unit per piece, as `unit(piece)` would write it, but serialised from a single template: the
/// same bytes without building a JSON value per token (a long answer has hundreds of thousands).
pub(crate) fn per_piece(pieces: &[String], unit: impl Fn(&str) -> Vec<u8>) -> Vec<Vec<u8>> {
    const MARK: &str = "\u{0}piece\u{0}";
    let template = unit(MARK);
    let quoted_mark = serde_json::Value::from(MARK).to_string();
    let Some(at) = template
        .windows(quoted_mark.len())
        .position(|w| w == quoted_mark.as_bytes())
    else {
        return pieces.iter().map(|p| unit(p)).collect();
    };
    let (before, after) = (&template[..at], &template[at + quoted_mark.len()..]);
    pieces
        .iter()
        .map(|piece| {
            let quoted = serde_json::Value::from(piece.as_str()).to_string();
            [before, quoted.as_bytes(), after].concat()
        })
        .collect()
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

/// A 200 streaming response that never ends: the bytes of `head`, then the bytes of `cycle` over and over, cut
/// by `chunking` (lazily: nothing is built ahead of what the client reads), pausing `delay` between chunks. It
/// stops only when the client goes away.
pub(crate) fn endless(
    content_type: &'static str,
    head: Vec<Vec<u8>>,
    cycle: Vec<Vec<u8>>,
    chunking: Chunking,
    rng: StdRng,
    delay: Duration,
) -> Response {
    let source = Endless {
        head: head.concat(),
        unit_ends: unit_ends(&head, &cycle),
        cycle: cycle.concat(),
        pos: 0,
    };
    let stream = futures_util::stream::unfold(
        (source, rng, true),
        move |(mut source, mut rng, first)| async move {
            if !first && !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let len = match chunking {
                Chunking::Line => source.to_unit_end(),
                Chunking::Bytes(n) => n.max(1),
                Chunking::Random => rng.random_range(1..=12),
            };
            let bytes = source.take(len);
            Some((
                Ok::<_, std::io::Error>(Bytes::from(bytes)),
                (source, rng, false),
            ))
        },
    );
    let mut response = Response::new(Body::from_stream(stream));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// Where each unit ends, as offsets into `head ++ cycle` (for one-unit-per-chunk cutting).
fn unit_ends(head: &[Vec<u8>], cycle: &[Vec<u8>]) -> Vec<usize> {
    head.iter()
        .chain(cycle)
        .scan(0, |end, unit| {
            *end += unit.len();
            Some(*end)
        })
        .collect()
}

/// The infinite byte sequence `head ++ cycle ++ cycle ++ …`, read front to back.
struct Endless {
    head: Vec<u8>,
    cycle: Vec<u8>,
    /// Unit boundaries within `head ++ cycle` (the cycle's repeat at the same offsets past `head`).
    unit_ends: Vec<usize>,
    /// Bytes handed out so far.
    pos: usize,
}

impl Endless {
    /// Bytes from `pos` to the end of the current unit.
    fn to_unit_end(&self) -> usize {
        let first_lap = self.head.len() + self.cycle.len();
        let at = if self.pos < first_lap || self.cycle.is_empty() {
            self.pos
        } else {
            self.head.len() + (self.pos - self.head.len()) % self.cycle.len()
        };
        self.unit_ends
            .iter()
            .find(|&&end| end > at)
            .map_or(1, |end| end - at)
    }

    /// The next `len` bytes.
    fn take(&mut self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            let want = len - out.len();
            if self.pos < self.head.len() {
                let end = (self.pos + want).min(self.head.len());
                out.extend_from_slice(&self.head[self.pos..end]);
                self.pos = end;
            } else if self.cycle.is_empty() {
                break;
            } else {
                let at = (self.pos - self.head.len()) % self.cycle.len();
                let end = (at + want).min(self.cycle.len());
                out.extend_from_slice(&self.cycle[at..end]);
                self.pos += end - at;
            }
        }
        out
    }
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
