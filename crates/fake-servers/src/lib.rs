//! Scripted, protocol-faithful fakes of the model servers autodev talks to, for tests.
//!
//! - [`FakeOllama`]: Ollama's native API (`/api/chat` NDJSON, `/api/tags`, `/api/version`, `/api/show`,
//!   `/api/ps`, `/`), with Ollama's exact error bodies.
//! - [`FakeOpenAi`]: llama.cpp's llama-server (`/v1/chat/completions` as server-sent events with `usage`,
//!   `timings` and `data: [DONE]`, `/v1/models`, `/props`, `/health`).
//! - [`FakeTelegram`]: the Telegram Bot API (see [`telegram`]).
//! - [`FakeForge`]: GitHub's or Gitea's pull-request REST API (see [`forge`]).
//!
//! Each runs on `127.0.0.1:0` on its own thread and runtime (so it serves sync and async tests alike),
//! records every request, and stops when dropped. What the chat endpoint answers is a [`Script`]: a list
//! of [`Step`]s consumed one per call, the last one repeating; scripts can be loaded from
//! `fixtures/models/*.json` (format in `fixtures/models/README.md`).
//!
//! Streams are cut into network chunks at random byte positions by default, inside JSON objects and
//! inside UTF-8 characters, from a seeded RNG.

mod body;
pub mod forge;
mod ollama;
mod openai;
mod script;
mod serve;
pub mod telegram;
pub use forge::{
    FAKE_FORGE_LOGIN, FAKE_FORGE_TOKEN, FakeComment, FakeForge, FakePull, ForgeFlavor,
};
pub use telegram::{FAKE_TELEGRAM_TOKEN, FakeTelegram, TelegramFailure};

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering;

use axum::extract::DefaultBodyLimit;
use axum::http::HeaderMap;
use axum::http::Method;
use axum::http::Uri;
use bytes::Bytes;

pub use script::Answer;
pub use script::Chunking;
pub use script::DropAfter;
pub use script::Endless;
pub use script::ErrorAfter;
pub use script::FakeModel;
pub use script::Responder;
pub use script::Script;
pub use script::Status;
pub use script::Step;
pub use script::fixtures_dir;

/// One request a fake received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// `/api/chat`, ... (as sent, still percent-encoded).
    pub path: String,
    /// The query string without the `?` (as sent, still percent-encoded); empty when there is none.
    pub query: String,
    /// Every header in the order received, names lower-cased, values as lossy UTF-8.
    pub headers: Vec<(String, String)>,
    /// The body as JSON; `Null` when empty or not JSON (see `raw`).
    pub body: serde_json::Value,
    /// The body as text (lossy UTF-8).
    pub raw: String,
}

impl RecordedRequest {
    /// Builds the record of one request.
    fn new(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Self {
        Self {
            method: method.to_string(),
            path: uri.path().to_owned(),
            query: uri.query().unwrap_or_default().to_owned(),
            headers: headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: serde_json::from_slice(body).unwrap_or(serde_json::Value::Null),
            raw: String::from_utf8_lossy(body).into_owned(),
        }
    }

    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Copy)]
enum Protocol {
    Ollama,
    OpenAi,
}

/// State shared with the handlers.
#[derive(Debug)]
struct Shared {
    script: Script,
    chat_calls: AtomicUsize,
    requests: Mutex<Vec<RecordedRequest>>,
}

impl Shared {
    /// Takes the number of the next chat call.
    fn next_call(&self) -> usize {
        self.chat_calls.fetch_add(1, Ordering::SeqCst)
    }
}

/// The running server behind both fakes.
#[derive(Debug)]
struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    /// Held for its `Drop`: stops and joins the fake.
    _server: crate::serve::Background,
}

impl Server {
    fn start(script: Script, protocol: Protocol) -> std::io::Result<Self> {
        Self::start_on("127.0.0.1:0", script, protocol)
    }

    fn start_on(bind: &str, script: Script, protocol: Protocol) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(bind)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            script,
            chat_calls: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
        });
        let state = Arc::clone(&shared);
        let app = axum::Router::new()
            .fallback(
                move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                    let state = Arc::clone(&state);
                    async move { handle(state, protocol, method, uri, headers, body).await }
                },
            )
            .layer(DefaultBodyLimit::disable());
        let server = crate::serve::Background::spawn(format!("fake-{addr}"), listener, app)?;
        Ok(Self {
            addr,
            shared,
            _server: server,
        })
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

async fn handle(
    shared: Arc<Shared>,
    protocol: Protocol,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let record = RecordedRequest::new(&method, &uri, &headers, &body);
    let json = record.body.clone();
    let path = record.path.clone();
    shared
        .requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(record);
    match protocol {
        Protocol::Ollama => ollama::handle(&shared, &method, &path, &body, json).await,
        Protocol::OpenAi => openai::handle(&shared, &method, &path, &body, json).await,
    }
}

/// What a chat call streams, resolved from its [`Step`].
#[derive(Debug)]
enum Plan {
    Status {
        code: u16,
        body: Option<String>,
        first_byte_delay_ms: u64,
    },
    Stream(Box<StreamPlan>),
}

#[derive(Debug)]
struct StreamPlan {
    pieces: Vec<String>,
    ending: Ending,
    chunk: Chunking,
    delay_ms: u64,
    first_byte_delay_ms: u64,
    rng: rand::rngs::StdRng,
}

#[derive(Debug)]
enum Ending {
    Done {
        done_reason: String,
        prompt_tokens: u64,
        completion_tokens: u64,
        omit_metrics: bool,
    },
    Error(String),
    Drop {
        clean_close: bool,
    },
    /// The pieces repeat forever; there is no final message.
    Never,
}

/// Resolves the step for the next chat call.
fn plan(shared: &Shared, request: &serde_json::Value) -> Plan {
    let call = shared.next_call();
    let mut rng = body::rng(shared.script.seed, call);
    let Some(step) = shared.script.step(call) else {
        return Plan::Status {
            code: 500,
            body: Some(r#"{"error":"fake-servers: the script has no steps"}"#.to_owned()),
            first_byte_delay_ms: 0,
        };
    };
    let answer = |answer: &Answer, content: &str, rng: &mut rand::rngs::StdRng| {
        let pieces = body::pieces(content, rng);
        let ending = Ending::Done {
            done_reason: answer.done_reason.clone(),
            prompt_tokens: answer
                .prompt_tokens
                .unwrap_or_else(|| body::prompt_tokens_of(request)),
            completion_tokens: answer.completion_tokens.unwrap_or(pieces.len() as u64),
            omit_metrics: answer.omit_metrics,
        };
        (pieces, ending)
    };
    let (pieces, ending, chunk, delay_ms, first_byte_delay_ms) = match step {
        Step::Status(status) => {
            return Plan::Status {
                code: status.code,
                body: status.body.clone(),
                first_byte_delay_ms: status.first_byte_delay_ms,
            };
        }
        Step::Answer(a) => {
            let (pieces, ending) = answer(a, &a.content, &mut rng);
            (
                pieces,
                ending,
                a.chunk,
                a.delay_ms_between_chunks,
                a.first_byte_delay_ms,
            )
        }
        Step::Computed(a) => {
            let Some(responder) = &shared.script.responder else {
                return Plan::Status {
                    code: 500,
                    body: Some(
                        r#"{"error":"fake-servers: a computed step needs Script::with_responder"}"#
                            .to_owned(),
                    ),
                    first_byte_delay_ms: 0,
                };
            };
            let content = (responder.0)(request);
            let (pieces, ending) = answer(a, &content, &mut rng);
            (
                pieces,
                ending,
                a.chunk,
                a.delay_ms_between_chunks,
                a.first_byte_delay_ms,
            )
        }
        Step::ErrorAfter(e) => (
            body::pieces(&e.content_prefix, &mut rng),
            Ending::Error(e.error.clone()),
            e.chunk,
            e.delay_ms_between_chunks,
            e.first_byte_delay_ms,
        ),
        Step::DropAfter(d) => (
            body::pieces(&d.content_prefix, &mut rng),
            Ending::Drop {
                clean_close: d.clean_close,
            },
            d.chunk,
            d.delay_ms_between_chunks,
            d.first_byte_delay_ms,
        ),
        Step::Endless(e) => {
            let mut pieces = body::pieces(&e.content, &mut rng);
            if pieces.is_empty() {
                // Empty content lines forever: nothing accumulates, only time passes.
                pieces.push(String::new());
            }
            (
                pieces,
                Ending::Never,
                e.chunk,
                e.delay_ms_between_chunks,
                e.first_byte_delay_ms,
            )
        }
    };
    Plan::Stream(Box::new(StreamPlan {
        pieces,
        ending,
        chunk,
        delay_ms,
        first_byte_delay_ms,
        rng,
    }))
}

/// Replaces `{model}` in a scripted body.
fn interpolate(body: &str, model: &str) -> String {
    body.replace("{model}", model)
}

/// A scripted fake of Ollama's native API. Stops when dropped.
#[derive(Debug)]
pub struct FakeOllama {
    server: Server,
}

impl FakeOllama {
    /// Starts the fake on `127.0.0.1:0`; panics if it cannot (tests only).
    pub fn start(script: Script) -> Self {
        match Self::try_start(script) {
            Ok(fake) => fake,
            Err(err) => panic!("cannot start FakeOllama: {err}"),
        }
    }

    /// Starts the fake on `127.0.0.1:0`.
    pub fn try_start(script: Script) -> std::io::Result<Self> {
        Ok(Self {
            server: Server::start(script, Protocol::Ollama)?,
        })
    }

    /// Starts the fake on `bind` (`127.0.0.2:0` stands in for another machine: the whole of 127/8 is
    /// loopback on Linux).
    pub fn try_start_on(bind: &str, script: Script) -> std::io::Result<Self> {
        Ok(Self {
            server: Server::start_on(bind, script, Protocol::Ollama)?,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// The `/api/chat` requests received so far.
    pub fn chat_requests(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == "/api/chat")
            .collect()
    }
}

/// A scripted fake of llama.cpp's llama-server (OpenAI-compatible API). Stops when dropped.
#[derive(Debug)]
pub struct FakeOpenAi {
    server: Server,
}

impl FakeOpenAi {
    /// Starts the fake on `127.0.0.1:0`; panics if it cannot (tests only).
    pub fn start(script: Script) -> Self {
        match Self::try_start(script) {
            Ok(fake) => fake,
            Err(err) => panic!("cannot start FakeOpenAi: {err}"),
        }
    }

    /// Starts the fake on `127.0.0.1:0`.
    pub fn try_start(script: Script) -> std::io::Result<Self> {
        Ok(Self {
            server: Server::start(script, Protocol::OpenAi)?,
        })
    }

    /// `http://127.0.0.1:PORT` (the server root; the API is under `/v1`).
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// The `/v1/chat/completions` requests received so far.
    pub fn chat_requests(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == "/v1/chat/completions")
            .collect()
    }
}
