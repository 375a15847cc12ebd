//! The model-server client: Ollama's native API or an OpenAI-compatible server (llama.cpp's llama-server).
//!
//! A small client over reqwest rather than a crate such as ollama-rs, because the worker needs what those
//! drop: `done_reason` (an answer cut at the token limit), the HTTP status of a failure, errors written in
//! the middle of a stream, and UTF-8 characters split across network chunks.
//!
//! Everything streams. [`Backend::chat`] reports [`Progress`] to a callback while the answer comes in, retries
//! `503 Busy` with exponential backoff, and enforces five limits: `connect_timeout`, `first_byte_timeout`
//! (Ollama sends nothing until the model is loaded and the prompt evaluated, which can take minutes),
//! `idle_timeout` (the longest gap between two chunks once output flows), and per answer a byte and a total time
//! limit ([`AnswerLimits`], derived from the request's token limit unless configured): the server's own token
//! limit is a request it may ignore, so the client cuts the stream itself.
//!
//! Failures are [`BackendError`]s with stable [codes](BackendError::code).

mod error;
mod framing;
mod limits;
mod ollama;
mod openai;
mod stream;
mod tokens;
mod types;

#[cfg(test)]
mod tests;

use std::fmt;
use std::future::Future;
use std::time::Duration;

use reqwest::StatusCode;
use tokio::time::Instant;

pub use self::error::BackendError;
pub use self::error::Result;
pub use self::limits::AnswerLimits;
pub use self::limits::BYTES_PER_TOKEN;
pub use self::limits::MIN_ANSWER_BYTES;
pub use self::limits::SLOW_TOKENS_PER_SECOND;
pub use self::tokens::estimate_tokens;
pub use self::types::ChatRequest;
pub use self::types::ChatResponse;
pub use self::types::Message;
pub use self::types::ModelDetails;
pub use self::types::ModelInfo;
pub use self::types::Phase;
pub use self::types::Progress;
pub use self::types::Role;

use self::framing::LineBuffer;
use self::framing::decode_line;
use self::framing::excerpt;
use self::stream::Answer;
use self::stream::Decoder;
use self::stream::error_message;

/// Where Ollama listens when `OLLAMA_HOST` is not set.
pub const DEFAULT_OLLAMA_URL: &str = "http://127.0.0.1:11434";

/// Which protocol the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// Ollama's native API (`/api/chat`, NDJSON).
    Ollama,
    /// The OpenAI-compatible API (`/v1/chat/completions`, server-sent events): llama.cpp's llama-server,
    /// or Ollama's `/v1`.
    #[serde(rename = "openai")]
    OpenAi,
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ollama => "ollama",
            Self::OpenAi => "openai",
        })
    }
}

impl std::str::FromStr for BackendKind {
    type Err = BackendError;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ollama" => Ok(Self::Ollama),
            "openai" | "llama-server" | "llama.cpp" | "llamacpp" => Ok(Self::OpenAi),
            other => Err(BackendError::InvalidConfig {
                detail: format!("unknown backend kind '{other}' (expected 'ollama' or 'openai')"),
            }),
        }
    }
}

/// How to reach the model server and how patient to be with it.
#[derive(Clone)]
pub struct BackendConfig {
    /// The protocol.
    pub kind: BackendKind,
    /// The server's root URL (`http://127.0.0.1:11434`, `http://127.0.0.1:8080`). For the OpenAI kind a
    /// trailing `/v1` is accepted.
    pub base_url: String,
    /// Sent as `Authorization: Bearer ...` when set (llama-server `--api-key`). Never printed.
    pub api_key: Option<String>,
    /// Limit for opening the TCP connection. Default 5 s.
    pub connect_timeout: Duration,
    /// Limit from sending a chat request to its first byte of output: covers model loading and prompt
    /// evaluation. Default 10 minutes (big models load slowly from disk).
    pub first_byte_timeout: Duration,
    /// The longest gap between two chunks of a streaming answer. Default 2 minutes.
    pub idle_timeout: Duration,
    /// Most bytes of answer text per chat. `None` (default): [`AnswerLimits::derived`] from the request's
    /// `max_tokens` (or `num_ctx` when it has none).
    pub max_answer_bytes: Option<usize>,
    /// Longest time from sending a chat to its final message. `None` (default): [`AnswerLimits::derived`].
    pub answer_timeout: Option<Duration>,
    /// Limit for the small calls ([`Backend::list_models`], [`Backend::version`], [`Backend::show`]).
    /// Default 30 s.
    pub request_timeout: Duration,
    /// How many times a 503 is retried before [`BackendError::Busy`]. Default 5.
    pub busy_retries: u32,
    /// The first backoff after a 503; doubled each time (capped at 30 s), plus up to 25 % jitter.
    /// Default 500 ms.
    pub busy_backoff_base: Duration,
    /// How often [`Phase::Loading`] is repeated while the server says nothing. Default 1 s.
    pub progress_interval: Duration,
}

impl BackendConfig {
    /// A configuration with the defaults.
    pub fn new(kind: BackendKind, base_url: impl Into<String>) -> Self {
        Self {
            kind,
            base_url: base_url.into(),
            api_key: None,
            connect_timeout: Duration::from_secs(5),
            first_byte_timeout: Duration::from_secs(600),
            idle_timeout: Duration::from_secs(120),
            max_answer_bytes: None,
            answer_timeout: None,
            request_timeout: Duration::from_secs(30),
            busy_retries: 5,
            busy_backoff_base: Duration::from_millis(500),
            progress_interval: Duration::from_secs(1),
        }
    }

    /// Ollama at `base_url`.
    pub fn ollama(base_url: impl Into<String>) -> Self {
        Self::new(BackendKind::Ollama, base_url)
    }

    /// An OpenAI-compatible server (llama-server) at `base_url`.
    pub fn openai(base_url: impl Into<String>) -> Self {
        Self::new(BackendKind::OpenAi, base_url)
    }
}

impl fmt::Debug for BackendConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackendConfig")
            .field("kind", &self.kind)
            .field("base_url", &redact_url(&self.base_url))
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("connect_timeout", &self.connect_timeout)
            .field("first_byte_timeout", &self.first_byte_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_answer_bytes", &self.max_answer_bytes)
            .field("answer_timeout", &self.answer_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("busy_retries", &self.busy_retries)
            .field("busy_backoff_base", &self.busy_backoff_base)
            .field("progress_interval", &self.progress_interval)
            .finish()
    }
}

/// The URL Ollama's own client would use for an `OLLAMA_HOST` value (`None` or empty: the default).
///
/// Accepts `host`, `host:port`, `scheme://host[:port][/path]` and `[v6]:port`; a bind-all address
/// (`0.0.0.0`, `::`) becomes loopback.
pub fn ollama_url_from_host(value: Option<&str>) -> String {
    let value = value.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return DEFAULT_OLLAMA_URL.to_owned();
    }
    let (scheme, rest, default_port) = match value.split_once("://") {
        Some(("https", rest)) => ("https", rest, "443"),
        Some((scheme, rest)) => (scheme, rest, "80"),
        None => ("http", value, "11434"),
    };
    let (hostport, path) = match rest.split_once('/') {
        Some((hostport, path)) => (hostport, path.trim_end_matches('/')),
        None => (rest, ""),
    };
    let (host, port) = split_host_port(hostport);
    let host = match host {
        "" | "0.0.0.0" => "127.0.0.1",
        "[::]" => "[::1]",
        host => host,
    };
    let port = port
        .filter(|p| p.parse::<u16>().is_ok())
        .unwrap_or(default_port);
    let path = if path.is_empty() {
        String::new()
    } else {
        format!("/{path}")
    };
    format!("{scheme}://{host}:{port}{path}")
}

fn split_host_port(hostport: &str) -> (&str, Option<&str>) {
    if hostport.starts_with('[') {
        // [v6] or [v6]:port
        return match hostport.split_once("]:") {
            Some((host, port)) => (&hostport[..host.len() + 1], Some(port)),
            None => (hostport, None),
        };
    }
    if hostport.matches(':').count() > 1 {
        // A bare IPv6 address.
        return (hostport, None);
    }
    match hostport.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (hostport, None),
    }
}

/// The URL with user info, query and fragment removed, for messages.
fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.set_query(None);
            parsed.set_fragment(None);
            parsed.as_str().trim_end_matches('/').to_owned()
        }
        Err(_) => "<invalid url>".to_owned(),
    }
}

/// A client for one model server. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct Backend {
    config: BackendConfig,
    http: reqwest::Client,
    /// The base URL without a trailing `/` (and without `/v1` for the OpenAI kind).
    root: String,
    /// The redacted base URL, for messages.
    host: String,
}

impl Backend {
    /// A client for the server in `config`; fails only on an unusable base URL.
    pub fn new(config: BackendConfig) -> Result<Self> {
        let parsed = reqwest::Url::parse(config.base_url.trim()).map_err(|err| {
            BackendError::InvalidConfig {
                detail: format!(
                    "base URL '{}' does not parse: {err}",
                    redact_url(&config.base_url)
                ),
            }
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(BackendError::InvalidConfig {
                detail: format!(
                    "base URL '{}' must start with http:// or https://",
                    redact_url(&config.base_url)
                ),
            });
        }
        let mut parsed = parsed;
        parsed.set_query(None);
        parsed.set_fragment(None);
        let mut root = parsed.as_str().trim_end_matches('/').to_owned();
        if config.kind == BackendKind::OpenAi
            && let Some(stripped) = root.strip_suffix("/v1")
        {
            root = stripped.to_owned();
        }
        // Model servers are local: never route them through an HTTP proxy from the environment.
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .no_proxy()
            .build()
            .map_err(|err| BackendError::InvalidConfig {
                detail: format!("HTTP client: {}", err.without_url()),
            })?;
        let host = redact_url(&root);
        Ok(Self {
            config,
            http,
            root,
            host,
        })
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &BackendConfig {
        &self.config
    }

    /// The byte and time limits a chat with `req` gets: the configured ones, else derived from its token limit.
    pub fn answer_limits(&self, req: &ChatRequest) -> AnswerLimits {
        let tokens = req.max_tokens.unwrap_or(req.num_ctx);
        let derived = AnswerLimits::derived(tokens, self.config.first_byte_timeout);
        AnswerLimits {
            max_bytes: self.config.max_answer_bytes.unwrap_or(derived.max_bytes),
            timeout: self.config.answer_timeout.unwrap_or(derived.timeout),
        }
    }

    /// Sends a chat request and streams the answer, calling `progress` as it goes.
    ///
    /// A `503` is retried up to `busy_retries` times with exponential backoff. An answer cut at the token
    /// limit is returned as is: check [`ChatResponse::is_truncated`] or call
    /// [`ChatResponse::into_complete`]. An answer that passes its [`answer_limits`](Self::answer_limits) is cut
    /// off ([`BackendError::AnswerTooLarge`], [`BackendError::AnswerTooSlow`]); what it had sent is dropped.
    pub async fn chat(
        &self,
        req: &ChatRequest,
        progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<ChatResponse> {
        let (path, body) = match self.config.kind {
            BackendKind::Ollama => ("/api/chat", ollama::chat_body(req)),
            BackendKind::OpenAi => ("/v1/chat/completions", openai::chat_body(req)),
        };
        let start = Instant::now();
        let mut busy_attempts: u32 = 0;
        loop {
            match self.chat_once(req, path, &body, progress, start).await {
                Err(BackendError::Busy { message, .. }) => {
                    busy_attempts += 1;
                    if busy_attempts > self.config.busy_retries {
                        return Err(BackendError::Busy {
                            host: self.host.clone(),
                            attempts: busy_attempts,
                            message,
                        });
                    }
                    let wait = self.backoff(busy_attempts - 1);
                    tracing::warn!(
                        host = %self.host, attempt = busy_attempts, wait_ms = wait.as_millis() as u64,
                        "model server busy (503), retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
                other => return other,
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .config
            .busy_backoff_base
            .saturating_mul(1u32 << attempt.min(16));
        let capped = base.min(Duration::from_secs(30));
        capped.mul_f64(1.0 + rand::random::<f64>() * 0.25)
    }

    async fn chat_once(
        &self,
        req: &ChatRequest,
        path: &str,
        body: &serde_json::Value,
        progress: &mut (dyn FnMut(&Progress) + Send),
        start: Instant,
    ) -> Result<ChatResponse> {
        let report = |progress: &mut (dyn FnMut(&Progress) + Send), phase, answer: &Answer| {
            progress(&Progress {
                phase,
                completion_tokens_so_far: answer.chunks,
                received_chars: answer.received_chars,
                elapsed: start.elapsed(),
            });
        };
        let mut answer = Answer::default();
        report(progress, Phase::Connecting, &answer);

        let limits = self.answer_limits(req);
        let sent = Instant::now();
        let clock = Deadlines {
            first_byte: sent + self.config.first_byte_timeout,
            total: sent + limits.timeout,
            first_byte_timeout: self.config.first_byte_timeout,
            limits,
        };
        let send = self.request(reqwest::Method::POST, path).json(body).send();
        let response = self
            .with_heartbeat(send, clock.before_first_byte(), || {
                report(progress, Phase::Loading, &answer)
            })
            .await
            .ok_or_else(|| clock.first_byte_missed(&answer))?
            .map_err(|err| self.transport_error(err))?;
        let status = response.status();
        if !status.is_success() {
            let text = self.read_error_body(response).await?;
            return Err(self.status_error(status, &text, Some(&req.model)));
        }

        let mut response = response;
        let mut decoder: Box<dyn Decoder + Send> = match self.config.kind {
            BackendKind::Ollama => Box::<ollama::ChatDecoder>::default(),
            BackendKind::OpenAi => Box::<openai::ChatDecoder>::default(),
        };
        let mut lines = LineBuffer::default();
        let mut got_first = false;
        loop {
            let chunk = if got_first {
                let idle = Instant::now() + self.config.idle_timeout;
                tokio::time::timeout_at(idle.min(clock.total), response.chunk())
                    .await
                    .map_err(|_| clock.stalled(idle, self.config.idle_timeout, &answer))?
            } else {
                self.with_heartbeat(response.chunk(), clock.before_first_byte(), || {
                    report(progress, Phase::Loading, &answer)
                })
                .await
                .ok_or_else(|| clock.first_byte_missed(&answer))?
            };
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(err) => {
                    tracing::debug!(error = %err.without_url(), "model server stream broke");
                    return Err(BackendError::StreamCut {
                        received_chars: answer.received_chars,
                    });
                }
            };
            let Some(bytes) = chunk else {
                // End of stream: a last line without its newline counts only if it is whole.
                if let Some(rest) = lines.finish()
                    && let Ok(text) = decode_line(&rest)
                {
                    match decoder.line(text, &mut answer) {
                        Ok(_) | Err(BackendError::InvalidResponse { .. }) => {}
                        Err(err) => return Err(err),
                    }
                }
                decoder.end(&mut answer)?;
                clock.check_size(&answer)?;
                break;
            };
            got_first = true;
            lines.push(&bytes)?;
            let before = answer.chunks;
            let mut finished = false;
            while let Some(line) = lines.next_line() {
                let done = decoder.line(decode_line(&line)?, &mut answer)?;
                clock.check_size(&answer)?;
                if done {
                    finished = true;
                    break;
                }
            }
            if answer.chunks != before {
                report(progress, Phase::Generating, &answer);
            }
            if finished {
                break;
            }
        }
        report(progress, Phase::Done, &answer);
        let response = answer.into_response(&req.model, start.elapsed());
        tracing::debug!(
            model = %response.model,
            done_reason = response.done_reason.as_deref().unwrap_or("-"),
            prompt_tokens = response.prompt_tokens,
            completion_tokens = response.completion_tokens,
            tokens_per_second = response.tokens_per_second(),
            "chat finished"
        );
        Ok(response)
    }

    /// Runs `fut` until `deadline`, calling `tick` every `progress_interval`; `None` when the deadline
    /// passed first.
    async fn with_heartbeat<F: Future>(
        &self,
        fut: F,
        deadline: Instant,
        mut tick: impl FnMut(),
    ) -> Option<F::Output> {
        let interval = self.config.progress_interval.max(Duration::from_millis(10));
        let mut ticker = tokio::time::interval_at(Instant::now() + interval, interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let sleep = tokio::time::sleep_until(deadline);
        tokio::pin!(fut, sleep);
        loop {
            tokio::select! {
                biased;
                out = &mut fut => return Some(out),
                () = &mut sleep => return None,
                _ = ticker.tick() => tick(),
            }
        }
    }

    /// The models the server has (Ollama `/api/tags`; OpenAI `/v1/models`).
    pub async fn list_models(&self) -> Result<Vec<ModelInfo>> {
        match self.config.kind {
            BackendKind::Ollama => ollama::parse_tags(
                &self
                    .small_call(reqwest::Method::GET, "/api/tags", None, None)
                    .await?,
            ),
            BackendKind::OpenAi => openai::parse_models(
                &self
                    .small_call(reqwest::Method::GET, "/v1/models", None, None)
                    .await?,
            ),
        }
    }

    /// The server's version: Ollama's `/api/version`; llama-server's `build_info` from `/props`; `None` when
    /// the server does not say.
    pub async fn version(&self) -> Result<Option<String>> {
        match self.config.kind {
            BackendKind::Ollama => ollama::parse_version(
                &self
                    .small_call(reqwest::Method::GET, "/api/version", None, None)
                    .await?,
            ),
            BackendKind::OpenAi => match self
                .small_call(reqwest::Method::GET, "/props", None, None)
                .await
            {
                Ok(body) => openai::parse_build_info(&body),
                Err(BackendError::Http { status: 404, .. }) => Ok(None),
                Err(err) => Err(err),
            },
        }
    }

    /// What the server says about `model`: Ollama `/api/show`; for llama-server the launch context from
    /// `/props` (per-request `num_ctx` is ignored there). Fields the server does not give are `None`.
    pub async fn show(&self, model: &str) -> Result<ModelDetails> {
        match self.config.kind {
            BackendKind::Ollama => {
                let body = serde_json::json!({ "model": model });
                ollama::parse_show(
                    &self
                        .small_call(reqwest::Method::POST, "/api/show", Some(&body), Some(model))
                        .await?,
                )
            }
            BackendKind::OpenAi => match self
                .small_call(reqwest::Method::GET, "/props", None, None)
                .await
            {
                Ok(body) => openai::parse_props(&body),
                Err(BackendError::Http { status: 404, .. }) => Ok(ModelDetails::default()),
                Err(err) => Err(err),
            },
        }
    }

    /// A short request whose whole answer is read within `request_timeout`; the body on success.
    async fn small_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
        model: Option<&str>,
    ) -> Result<String> {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(body);
        }
        let call = async {
            let response = request
                .send()
                .await
                .map_err(|err| self.transport_error(err))?;
            let status = response.status();
            let text = response
                .text()
                .await
                .map_err(|err| BackendError::InvalidResponse {
                    detail: format!("{path}: the body could not be read: {}", err.without_url()),
                })?;
            if status.is_success() {
                Ok(text)
            } else {
                Err(self.status_error(status, &text, model))
            }
        };
        tokio::time::timeout(self.config.request_timeout, call)
            .await
            .map_err(|_| BackendError::IdleTimeout {
                waited: self.config.request_timeout,
            })?
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.root));
        match &self.config.api_key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }

    async fn read_error_body(&self, response: reqwest::Response) -> Result<String> {
        match tokio::time::timeout(self.config.idle_timeout, response.text()).await {
            Ok(Ok(text)) => Ok(text),
            Ok(Err(_)) => Ok(String::new()),
            Err(_) => Err(BackendError::IdleTimeout {
                waited: self.config.idle_timeout,
            }),
        }
    }

    /// Maps a failure to send (no HTTP status).
    fn transport_error(&self, err: reqwest::Error) -> BackendError {
        if err.is_connect() || err.is_timeout() {
            BackendError::Unreachable {
                url: self.host.clone(),
                source: err.without_url(),
            }
        } else if err.is_builder() {
            BackendError::InvalidConfig {
                detail: err.without_url().to_string(),
            }
        } else {
            // Accepted, then closed before any answer (the server crashed or restarted).
            tracing::debug!(error = %err.without_url(), "model server closed the connection");
            BackendError::StreamCut { received_chars: 0 }
        }
    }

    /// Maps a non-success status and its body.
    fn status_error(&self, status: StatusCode, body: &str, model: Option<&str>) -> BackendError {
        let message = match serde_json::from_str::<serde_json::Value>(body) {
            Ok(value) => match value.get("error") {
                Some(error) => error_message(error),
                None => excerpt(body),
            },
            Err(_) => excerpt(body),
        };
        match (status.as_u16(), model) {
            (404, Some(model)) if is_model_missing(&message) => BackendError::ModelNotFound {
                model: model.to_owned(),
                host: self.host.clone(),
            },
            (503, _) => BackendError::Busy {
                host: self.host.clone(),
                attempts: 1,
                message,
            },
            (500, _) if !message.is_empty() => BackendError::ServerError { message },
            (status, _) => BackendError::Http {
                status,
                body_excerpt: excerpt(&message),
            },
        }
    }
}

/// The deadlines of one chat request and the errors for missing them.
struct Deadlines {
    first_byte: Instant,
    total: Instant,
    first_byte_timeout: Duration,
    limits: AnswerLimits,
}

impl Deadlines {
    /// Until when to wait for the first byte: the first-byte limit, or the total one if it comes sooner.
    fn before_first_byte(&self) -> Instant {
        self.first_byte.min(self.total)
    }

    /// The error for a first byte that did not come in time.
    fn first_byte_missed(&self, answer: &Answer) -> BackendError {
        if self.total < self.first_byte {
            self.too_slow(answer)
        } else {
            BackendError::FirstByteTimeout {
                waited: self.first_byte_timeout,
            }
        }
    }

    /// The error for a stream that gave nothing before `idle` (the idle deadline) or the total one.
    fn stalled(&self, idle: Instant, idle_timeout: Duration, answer: &Answer) -> BackendError {
        if self.total <= idle {
            self.too_slow(answer)
        } else {
            BackendError::IdleTimeout {
                waited: idle_timeout,
            }
        }
    }

    fn too_slow(&self, answer: &Answer) -> BackendError {
        BackendError::AnswerTooSlow {
            limit: self.limits.timeout,
            received_chars: answer.received_chars,
        }
    }

    /// Cuts the stream once the answer has grown past the byte limit.
    fn check_size(&self, answer: &Answer) -> Result<()> {
        if answer.content.len() > self.limits.max_bytes {
            return Err(BackendError::AnswerTooLarge {
                limit_bytes: self.limits.max_bytes,
            });
        }
        Ok(())
    }
}

/// Whether a 404's message is about a missing model (rather than a wrong URL path).
fn is_model_missing(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("model")
        && (message.contains("not found") || message.contains("does not exist"))
}
