//! A scripted fake of the Telegram Bot API (`/bot<token>/<method>`), with the real protocol's awkward parts:
//! `{"ok":false,…}` envelopes, 409 when a second getUpdates arrives while one is long-polling (and scripted 409s),
//! 429 with `parameters.retry_after`, offset confirmation (updates below the offset are dropped for good), the
//! long-poll `timeout`, the 4096 and 1024 length limits counted as Telegram counts them (UTF-16 code units of
//! the text after entity parsing: tags removed, `&lt;` one unit, an emoji outside the BMP two), 1–64-byte
//! `callback_data`, HTML entity checks, and multipart `sendDocument` uploads (recorded with file name and
//! bytes). Every 400 it answers is recorded ([`FakeTelegram::refusals`]).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::body;

/// The token the fake accepts; anything else gets 401 Unauthorized.
pub const FAKE_TELEGRAM_TOKEN: &str = "123456:TEST-fake_token";

/// A scripted failure of the next getUpdates call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TelegramFailure {
    /// 409 "terminated by other getUpdates request".
    Conflict,
    /// 409 "can't use getUpdates method while webhook is active".
    WebhookActive,
    /// 429 with `parameters.retry_after`.
    RetryAfter(u64),
}

/// One Bot API call the fake received.
#[derive(Debug, Clone, PartialEq)]
pub struct TelegramRequest {
    /// `getUpdates`, `sendMessage`, …
    pub method: String,
    /// The parameters (JSON body, or multipart text fields as strings).
    pub params: Value,
}

/// A file uploaded with sendDocument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedDocument {
    /// `chat_id` field.
    pub chat_id: String,
    /// The part's file name.
    pub file_name: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// `caption` field.
    pub caption: String,
}

#[derive(Debug, Default)]
struct Inner {
    pending: Vec<Value>,
    next_update_id: i64,
    failures: VecDeque<TelegramFailure>,
    requests: Vec<TelegramRequest>,
    refusals: Vec<(String, String)>,
    documents: Vec<UploadedDocument>,
    poll_generation: u64,
    next_message_id: i64,
}

#[derive(Debug)]
struct State {
    inner: Mutex<Inner>,
    wake: tokio::sync::Notify,
}

impl State {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The fake Bot API. Stops when dropped.
#[derive(Debug)]
pub struct FakeTelegram {
    addr: SocketAddr,
    state: Arc<State>,
    /// Held for its `Drop`: stops and joins the fake.
    _server: crate::serve::Background,
}

impl FakeTelegram {
    /// Starts on `127.0.0.1:0`; panics if it cannot (tests only).
    pub fn start() -> Self {
        match Self::try_start() {
            Ok(f) => f,
            Err(e) => panic!("cannot start FakeTelegram: {e}"),
        }
    }

    /// Starts on `127.0.0.1:0`.
    pub fn try_start() -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            inner: Mutex::new(Inner {
                next_update_id: 100,
                next_message_id: 1,
                ..Inner::default()
            }),
            wake: tokio::sync::Notify::new(),
        });
        let shared = Arc::clone(&state);
        let app = axum::Router::new()
            .fallback(
                move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                    let state = Arc::clone(&shared);
                    async move { handle(state, method, uri, headers, body).await }
                },
            )
            .layer(DefaultBodyLimit::disable());
        let server =
            crate::serve::Background::spawn(format!("fake-telegram-{addr}"), listener, app)?;
        Ok(Self {
            addr,
            state,
            _server: server,
        })
    }

    /// `http://127.0.0.1:PORT` (use as `TELEGRAM_API_BASE`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues an update (its `update_id` is assigned) and wakes a waiting long poll; returns the id.
    pub fn push_update(&self, mut update: Value) -> i64 {
        let id = {
            let mut s = self.state.lock();
            let id = s.next_update_id;
            s.next_update_id += 1;
            if let Some(map) = update.as_object_mut() {
                map.insert("update_id".into(), json!(id));
            }
            s.pending.push(update);
            id
        };
        self.state.wake.notify_waiters();
        id
    }

    /// Queues an update with the `update_id` given, as a misbehaving server (or a replayed capture) would send
    /// it: for what a bot does with an id it should never get.
    pub fn push_update_as(&self, update_id: i64, mut update: Value) {
        if let Some(map) = update.as_object_mut() {
            map.insert("update_id".into(), json!(update_id));
        }
        self.state.lock().pending.push(update);
        self.state.wake.notify_waiters();
    }

    /// A private-chat text message from `user_id`.
    pub fn push_message(&self, user_id: i64, text: &str) -> i64 {
        self.push_update(json!({
            "message": {
                "message_id": 1000 + self.state.lock().next_update_id,
                "from": {"id": user_id, "is_bot": false, "first_name": "Tester", "username": format!("user{user_id}")},
                "chat": {"id": user_id, "type": "private"},
                "date": 1_764_000_000,
                "text": text,
            }
        }))
    }

    /// `user_id` pressing an inline button with `data` on message `message_id` in their private chat.
    pub fn push_callback(&self, user_id: i64, message_id: i64, data: &str) -> i64 {
        self.push_callback_in(user_id, user_id, message_id, data)
    }

    /// `user_id` pressing an inline button with `data` on message `message_id` in chat `chat_id` (a group).
    pub fn push_callback_in(&self, chat_id: i64, user_id: i64, message_id: i64, data: &str) -> i64 {
        self.push_update(json!({
            "callback_query": {
                "id": format!("cq{}", self.state.lock().next_update_id),
                "from": {"id": user_id, "is_bot": false, "first_name": "Tester"},
                "message": {
                    "message_id": message_id,
                    "chat": {"id": chat_id, "type": if chat_id == user_id { "private" } else { "supergroup" }},
                    "date": 1_764_000_000,
                    "text": "notification",
                },
                "chat_instance": "42",
                "data": data,
            }
        }))
    }

    /// Makes the next getUpdates calls fail, in order.
    pub fn fail_get_updates(&self, failure: TelegramFailure) {
        self.state.lock().failures.push_back(failure);
    }

    /// Every call so far.
    pub fn requests(&self) -> Vec<TelegramRequest> {
        self.state.lock().requests.clone()
    }

    /// The parameters of every call of `method`.
    pub fn calls(&self, method: &str) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method)
            .map(|r| r.params)
            .collect()
    }

    /// The `text` of every sendMessage.
    pub fn sent_texts(&self) -> Vec<String> {
        self.calls("sendMessage")
            .iter()
            .map(|p| p["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Every sendDocument upload.
    pub fn documents(&self) -> Vec<UploadedDocument> {
        self.state.lock().documents.clone()
    }

    /// `(method, description)` of every call the fake refused with 400 (too long, bad entities, bad buttons).
    pub fn refusals(&self) -> Vec<(String, String)> {
        self.state.lock().refusals.clone()
    }

    /// Updates not yet confirmed by an offset.
    pub fn unconfirmed(&self) -> usize {
        self.state.lock().pending.len()
    }
}

fn reply(code: u16, value: &Value) -> Response {
    body::json(code, value)
}

fn ok(result: Value) -> Response {
    reply(200, &json!({"ok": true, "result": result}))
}

fn fail(code: u16, description: &str) -> Response {
    let mut resp = reply(
        code,
        &json!({"ok": false, "error_code": code, "description": description}),
    );
    resp.extensions_mut()
        .insert(Refusal(description.to_owned()));
    resp
}

async fn handle(
    state: Arc<State>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    let Some((token, api_method)) = path
        .strip_prefix("/bot")
        .and_then(|rest| rest.split_once('/'))
    else {
        return fail(404, "Not Found");
    };
    if token != FAKE_TELEGRAM_TOKEN {
        return fail(401, "Unauthorized");
    }
    if method != Method::POST && method != Method::GET {
        return fail(405, "Method Not Allowed");
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (params, files) = if content_type.starts_with("multipart/form-data") {
        match parse_multipart(&content_type, &body) {
            Some(p) => p,
            None => return fail(400, "Bad Request: can't parse multipart body"),
        }
    } else if body.is_empty() {
        (json!({}), Vec::new())
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) => (v, Vec::new()),
            Err(_) => return fail(400, "Bad Request: can't parse JSON object"),
        }
    };
    state.lock().requests.push(TelegramRequest {
        method: api_method.to_owned(),
        params: params.clone(),
    });
    let resp = match api_method {
        "getUpdates" => get_updates(&state, &params).await,
        "getMe" => {
            ok(json!({"id": 123456, "is_bot": true, "first_name": "fake", "username": "fake_bot"}))
        }
        "deleteWebhook" => ok(json!(true)),
        "sendMessage" => send_message(&state, &params),
        "sendDocument" => send_document(&state, &params, files),
        "answerCallbackQuery" => {
            if params["callback_query_id"]
                .as_str()
                .is_none_or(str::is_empty)
            {
                return fail(
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID is invalid",
                );
            }
            ok(json!(true))
        }
        "editMessageReplyMarkup" => ok(json!(true)),
        _ => fail(404, "Not Found"),
    };
    if resp.status() == 400 {
        let description = resp
            .extensions()
            .get::<Refusal>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        state
            .lock()
            .refusals
            .push((api_method.to_owned(), description));
    }
    resp
}

/// The description of a 400, carried on the response for [`FakeTelegram::refusals`].
#[derive(Debug, Clone)]
struct Refusal(String);

fn int_param(params: &Value, key: &str) -> Option<i64> {
    match &params[key] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

async fn get_updates(state: &State, params: &Value) -> Response {
    let offset = int_param(params, "offset").unwrap_or(0);
    let timeout = int_param(params, "timeout").unwrap_or(0).clamp(0, 50) as u64;
    let limit = int_param(params, "limit").unwrap_or(100).clamp(1, 100) as usize;
    let generation = {
        let mut s = state.lock();
        s.poll_generation += 1;
        if let Some(f) = s.failures.pop_front() {
            return match f {
                TelegramFailure::Conflict => fail(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                ),
                TelegramFailure::WebhookActive => fail(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
                ),
                TelegramFailure::RetryAfter(secs) => reply(
                    429,
                    &json!({"ok": false, "error_code": 429,
                        "description": format!("Too Many Requests: retry after {secs}"),
                        "parameters": {"retry_after": secs}}),
                ),
            };
        }
        s.poll_generation
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    loop {
        let notified = state.wake.notified();
        {
            let mut s = state.lock();
            if s.poll_generation != generation {
                // A newer getUpdates took over: Telegram ends the older one with 409.
                return fail(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                );
            }
            // An offset confirms every update below it: they are gone for good.
            s.pending
                .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
            if !s.pending.is_empty() || tokio::time::Instant::now() >= deadline {
                // Telegram answers in update_id order.
                s.pending
                    .sort_by_key(|u| u["update_id"].as_i64().unwrap_or(0));
                let out: Vec<Value> = s.pending.iter().take(limit).cloned().collect();
                return ok(Value::Array(out));
            }
        }
        tokio::select! {
            _ = notified => {}
            _ = tokio::time::sleep_until(deadline) => {}
            // Re-check the generation now and then.
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
    }
}

/// Telegram's count: UTF-16 code units of the text a reader sees (for HTML: without tags, entities as the one
/// character they stand for).
pub fn telegram_len(text: &str, html: bool) -> usize {
    let units = |s: &str| s.chars().map(char::len_utf16).sum::<usize>();
    if !html {
        return units(text);
    }
    let mut n = 0;
    let mut rest = text;
    while let Some(i) = rest.find(['<', '&']) {
        n += units(&rest[..i]);
        let after = &rest[i..];
        if after.starts_with('<') {
            rest = after.find('>').map_or("", |j| &after[j + 1..]);
        } else {
            // `&lt;`, `&#128512;`: one character (an entity of a character outside the BMP counts as two).
            let Some(end) = after.find(';') else {
                return n + units(after);
            };
            let entity = &after[1..end];
            let ch = entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32)
                .unwrap_or('&');
            n += ch.len_utf16();
            rest = &after[end + 1..];
        }
    }
    n + units(rest)
}

fn check_text(text: &str, limit: usize, html: bool) -> Result<(), String> {
    let n = telegram_len(text, html);
    if n == 0 || text.trim().is_empty() {
        return Err("Bad Request: message text is empty".into());
    }
    if n > limit {
        return Err("Bad Request: message is too long".into());
    }
    if html {
        let mut rest = text;
        while let Some(i) = rest.find(['<', '&']) {
            let after = &rest[i..];
            if let Some(entity) = after.strip_prefix('&') {
                let ok = ["lt;", "gt;", "amp;", "quot;"]
                    .iter()
                    .any(|e| entity.starts_with(e))
                    || entity.starts_with('#');
                if !ok {
                    return Err(format!(
                        "Bad Request: can't parse entities: Character '&' is reserved at byte offset {}",
                        text.len() - after.len()
                    ));
                }
                rest = entity;
            } else {
                let end = after.find('>').ok_or_else(|| {
                    "Bad Request: can't parse entities: Unclosed start tag".to_owned()
                })?;
                let tag = after[1..end].trim_start_matches('/');
                let name = tag.split_whitespace().next().unwrap_or("");
                if ![
                    "b",
                    "strong",
                    "i",
                    "em",
                    "u",
                    "s",
                    "code",
                    "pre",
                    "a",
                    "blockquote",
                ]
                .contains(&name)
                {
                    return Err(format!(
                        "Bad Request: can't parse entities: Unsupported start tag \"{name}\""
                    ));
                }
                rest = &after[end + 1..];
            }
        }
    }
    Ok(())
}

fn check_markup(params: &Value) -> Result<(), String> {
    let markup = match &params["reply_markup"] {
        Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
        v => v.clone(),
    };
    if let Some(rows) = markup["inline_keyboard"].as_array() {
        for b in rows.iter().filter_map(Value::as_array).flatten() {
            if let Some(d) = b["callback_data"].as_str()
                && (d.is_empty() || d.len() > 64)
            {
                return Err("Bad Request: BUTTON_DATA_INVALID".into());
            }
        }
    }
    Ok(())
}

fn next_message(state: &State, chat: i64, extra: Value) -> Value {
    let mut s = state.lock();
    let id = s.next_message_id;
    s.next_message_id += 1;
    let mut m =
        json!({"message_id": id, "chat": {"id": chat, "type": "private"}, "date": 1_764_000_000});
    if let (Some(map), Value::Object(extra)) = (m.as_object_mut(), extra) {
        map.extend(extra);
    }
    m
}

fn send_message(state: &State, params: &Value) -> Response {
    let Some(chat) = int_param(params, "chat_id") else {
        return fail(400, "Bad Request: chat_id is empty");
    };
    let text = params["text"].as_str().unwrap_or_default();
    let html = params["parse_mode"].as_str() == Some("HTML");
    if let Err(e) = check_text(text, 4096, html).and_then(|()| check_markup(params)) {
        return fail(400, &e);
    }
    ok(next_message(state, chat, json!({"text": text})))
}

fn send_document(state: &State, params: &Value, files: Vec<(String, String, Vec<u8>)>) -> Response {
    let Some(chat) = int_param(params, "chat_id") else {
        return fail(400, "Bad Request: chat_id is empty");
    };
    let Some((_, file_name, bytes)) = files.into_iter().find(|(field, _, _)| field == "document")
    else {
        return fail(400, "Bad Request: there is no document in the request");
    };
    let caption = params["caption"].as_str().unwrap_or_default().to_owned();
    if !caption.is_empty()
        && let Err(e) = check_text(
            &caption,
            1024,
            params["parse_mode"].as_str() == Some("HTML"),
        )
    {
        return fail(
            400,
            &e.replace("message is too long", "message caption is too long"),
        );
    }
    state.lock().documents.push(UploadedDocument {
        chat_id: chat.to_string(),
        file_name: file_name.clone(),
        bytes: bytes.clone(),
        caption,
    });
    ok(next_message(
        state,
        chat,
        json!({"document": {"file_name": file_name, "file_size": bytes.len(), "file_id": "BQACAgfake"}}),
    ))
}

/// Text fields as a JSON object of strings, and file parts as (field, file name, bytes).
type Multipart = (Value, Vec<(String, String, Vec<u8>)>);

fn parse_multipart(content_type: &str, body: &[u8]) -> Option<Multipart> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    let delim = format!("--{boundary}").into_bytes();
    let mut fields = serde_json::Map::new();
    let mut files = Vec::new();
    let mut parts = split(body, &delim).into_iter().skip(1);
    for part in parts.by_ref() {
        if part.starts_with(b"--") {
            break;
        }
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let split_at = find(part, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&part[..split_at]).into_owned();
        let mut data = &part[split_at + 4..];
        data = data.strip_suffix(b"\r\n").unwrap_or(data);
        let disp = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
        let attr = |key: &str| {
            let needle = format!("{key}=\"");
            let i = disp.find(&needle)? + needle.len();
            let j = disp[i..].find('"')?;
            Some(disp[i..i + j].to_owned())
        };
        let name = attr("name")?;
        match attr("filename") {
            Some(file_name) => files.push((name, file_name, data.to_vec())),
            None => {
                fields.insert(
                    name,
                    Value::String(String::from_utf8_lossy(data).into_owned()),
                );
            }
        }
    }
    Some((Value::Object(fields), files))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(mut hay: &'a [u8], delim: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    while let Some(i) = find(hay, delim) {
        out.push(&hay[..i]);
        hay = &hay[i + delim.len()..];
    }
    out.push(hay);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_utf16_units_after_entity_parsing() {
        let hangul = "가".repeat(4096);
        assert_eq!(check_text(&hangul, 4096, true), Ok(()));
        assert_eq!(
            check_text(&format!("<b>{hangul}</b>"), 4096, true),
            Ok(()),
            "tags are not counted"
        );
        assert!(check_text(&format!("{hangul}가"), 4096, true).is_err());
        // 2100 emoji: 2100 characters, 4200 UTF-16 units.
        let emoji = "😀".repeat(2100);
        assert_eq!(
            check_text(&emoji, 4096, false),
            Err("Bad Request: message is too long".into())
        );
        assert_eq!(telegram_len("a&lt;b&amp;", true), 4);
        assert_eq!(telegram_len("&#128512;", true), 2);
        assert_eq!(telegram_len("<i>x</i> &", true), 3);
        assert!(
            check_text("<b></b>", 4096, true).is_err(),
            "empty after parsing"
        );
    }
}
