//! The handful of Bot API methods the bot needs, over reqwest, with Telegram's error shapes turned into
//! [`ApiError`]. The token is part of every URL, so no error or log line ever carries a URL: reqwest errors
//! are stripped with `without_url()`.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// A bot token. Its `Debug` and `Display` never show it.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Checks the shape `<digits>:<letters, digits, _ and ->` so nothing else can end up in a URL.
    pub fn new(raw: &str) -> Result<Token, &'static str> {
        let raw = raw.trim();
        let Some((bot, secret)) = raw.split_once(':') else {
            return Err("a bot token looks like 123456:ABC-def_…, from @BotFather");
        };
        let ok = !bot.is_empty()
            && bot.bytes().all(|b| b.is_ascii_digit())
            && !secret.is_empty()
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(Token(raw.to_owned()))
        } else {
            Err("a bot token looks like 123456:ABC-def_…, from @BotFather")
        }
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// What a Bot API call can fail with. None of the messages contains the token or a URL.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// HTTP 409: another `getUpdates` poller or a webhook uses the same token. Retryable after a pause; the
    /// operator must stop the other poller, call deleteWebhook, or give OpenClaw its own bot token.
    #[error("Telegram answered 409 Conflict ({description})")]
    Conflict {
        /// Telegram's text.
        description: String,
    },
    /// HTTP 429: wait `retry_after` seconds, then repeat the request.
    #[error("Telegram answered 429 Too Many Requests: retry after {retry_after} s")]
    RetryAfter {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// Any other `ok: false` answer (400 bad request, 401 bad token, 403 blocked by the user, …).
    #[error("Telegram answered {code}: {description}")]
    Api {
        /// `error_code`.
        code: i64,
        /// `description`.
        description: String,
    },
    /// The request did not complete (connection refused, timeout, TLS). Retryable.
    #[error("cannot reach the Bot API: {0}")]
    Http(String),
    /// The answer was not the Bot API's JSON.
    #[error("unexpected answer from the Bot API: {0}")]
    Decode(String),
}

impl From<reqwest::Error> for ApiError {
    fn from(e: reqwest::Error) -> Self {
        // The URL holds the token: strip it, and walk the sources (which carry no URL) for the cause.
        let e = e.without_url();
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        ApiError::Http(text)
    }
}

#[derive(Debug, Deserialize)]
struct Envelope {
    ok: bool,
    #[serde(default)]
    result: Value,
    #[serde(default)]
    error_code: i64,
    #[serde(default)]
    description: String,
    #[serde(default)]
    parameters: Option<Parameters>,
}

#[derive(Debug, Deserialize)]
struct Parameters {
    #[serde(default)]
    retry_after: Option<u64>,
}

/// A Telegram user.
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    /// Numeric id (also the id of the private chat with the bot).
    pub id: i64,
    /// `@name` without the `@`, when set.
    #[serde(default)]
    pub username: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: String,
}

/// A chat.
#[derive(Debug, Clone, Deserialize)]
pub struct Chat {
    /// Numeric id.
    pub id: i64,
}

/// A message.
#[derive(Debug, Clone, Deserialize)]
pub struct Message {
    /// Id within the chat.
    pub message_id: i64,
    /// The sender (absent for channel posts).
    #[serde(default)]
    pub from: Option<User>,
    /// Where it was sent.
    pub chat: Chat,
    /// The text, for text messages.
    #[serde(default)]
    pub text: Option<String>,
}

/// A press on an inline button.
#[derive(Debug, Clone, Deserialize)]
pub struct CallbackQuery {
    /// Must be answered with answerCallbackQuery.
    pub id: String,
    /// Who pressed.
    pub from: User,
    /// The message the button was on.
    #[serde(default)]
    pub message: Option<Message>,
    /// The button's `callback_data`.
    #[serde(default)]
    pub data: Option<String>,
}

/// One update from getUpdates.
#[derive(Debug, Clone, Deserialize)]
pub struct Update {
    /// Increasing id; the next offset is the highest seen + 1.
    pub update_id: i64,
    /// A new message.
    #[serde(default)]
    pub message: Option<Message>,
    /// A button press.
    #[serde(default)]
    pub callback_query: Option<CallbackQuery>,
}

/// A Bot API client.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Token,
}

impl Api {
    /// A client for `base` (e.g. `https://api.telegram.org`).
    pub fn new(base: &str, token: Token) -> Result<Api, ApiError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()?;
        Ok(Api {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token,
        })
    }

    fn url(&self, method: &str) -> String {
        format!("{}/bot{}/{method}", self.base, self.token.expose())
    }

    async fn finish<T: DeserializeOwned>(resp: reqwest::Response) -> Result<T, ApiError> {
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?;
        let env: Envelope = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::Decode(format!("HTTP {status}, body is not Bot API JSON ({e})"))
        })?;
        if env.ok {
            return serde_json::from_value(env.result).map_err(|e| ApiError::Decode(e.to_string()));
        }
        let code = if env.error_code != 0 {
            env.error_code
        } else {
            i64::from(status)
        };
        Err(match code {
            409 => ApiError::Conflict {
                description: env.description,
            },
            429 => ApiError::RetryAfter {
                retry_after: env.parameters.and_then(|p| p.retry_after).unwrap_or(1),
            },
            _ => ApiError::Api {
                code,
                description: env.description,
            },
        })
    }

    /// Calls `method` with a JSON body.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        body: &Value,
        timeout: Duration,
    ) -> Result<T, ApiError> {
        let resp = self
            .http
            .post(self.url(method))
            .timeout(timeout)
            .json(body)
            .send()
            .await?;
        Self::finish(resp).await
    }

    /// Calls `method`, waiting and repeating (up to 3 times) when Telegram answers 429.
    async fn call_patiently<T: DeserializeOwned>(
        &self,
        method: &str,
        body: &Value,
    ) -> Result<T, ApiError> {
        let mut tries = 0;
        loop {
            match self.call(method, body, Duration::from_secs(30)).await {
                Err(ApiError::RetryAfter { retry_after }) if tries < 3 => {
                    tries += 1;
                    tracing::warn!(method, retry_after, "rate limited by Telegram; waiting");
                    tokio::time::sleep(Duration::from_secs(retry_after.clamp(1, 60))).await;
                }
                other => return other,
            }
        }
    }

    /// `getUpdates` with long polling: waits up to `timeout_secs` for updates with `update_id >= offset`.
    pub async fn get_updates(
        &self,
        offset: i64,
        timeout_secs: u64,
    ) -> Result<Vec<Update>, ApiError> {
        let body = json!({
            "offset": offset,
            "timeout": timeout_secs,
            "limit": 100,
            "allowed_updates": ["message", "callback_query"],
        });
        self.call("getUpdates", &body, Duration::from_secs(timeout_secs + 15))
            .await
    }

    /// `sendMessage` with `parse_mode: HTML` and optional `reply_markup`.
    pub async fn send_message(
        &self,
        chat_id: i64,
        html: &str,
        reply_markup: Option<Value>,
    ) -> Result<Message, ApiError> {
        let mut body = json!({
            "chat_id": chat_id,
            "text": crate::html::fit(html, crate::html::MAX_MESSAGE_LEN),
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": true},
        });
        if let (Some(m), Some(map)) = (reply_markup, body.as_object_mut()) {
            map.insert("reply_markup".into(), m);
        }
        self.call_patiently("sendMessage", &body).await
    }

    /// `sendDocument` as multipart/form-data with the file under `document`.
    pub async fn send_document(
        &self,
        chat_id: i64,
        file_name: &str,
        bytes: Vec<u8>,
        caption_html: &str,
    ) -> Result<Message, ApiError> {
        let mut tries = 0;
        loop {
            let part = reqwest::multipart::Part::bytes(bytes.clone())
                .file_name(file_name.to_owned())
                .mime_str("text/x-diff")?;
            let form = reqwest::multipart::Form::new()
                .text("chat_id", chat_id.to_string())
                .text(
                    "caption",
                    crate::html::fit(caption_html, crate::html::MAX_CAPTION_LEN),
                )
                .text("parse_mode", "HTML")
                .part("document", part);
            let resp = self
                .http
                .post(self.url("sendDocument"))
                .timeout(Duration::from_secs(60))
                .multipart(form)
                .send()
                .await?;
            match Self::finish(resp).await {
                Err(ApiError::RetryAfter { retry_after }) if tries < 3 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_secs(retry_after.clamp(1, 60))).await;
                }
                other => return other,
            }
        }
    }

    /// `answerCallbackQuery`: stops the button's progress bar and shows `text` as a toast.
    pub async fn answer_callback_query(&self, id: &str, text: &str) -> Result<bool, ApiError> {
        let text = crate::html::truncate(text, crate::html::MAX_TOAST_LEN);
        self.call_patiently(
            "answerCallbackQuery",
            &json!({"callback_query_id": id, "text": text}),
        )
        .await
    }

    /// `editMessageReplyMarkup` without markup: removes a message's buttons.
    pub async fn remove_buttons(&self, chat_id: i64, message_id: i64) -> Result<Value, ApiError> {
        self.call_patiently(
            "editMessageReplyMarkup",
            &json!({"chat_id": chat_id, "message_id": message_id}),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shape_is_checked_and_never_printed() {
        let t = Token::new(" 123456:AAE-x_y9 \n").unwrap();
        assert_eq!(format!("{t:?}"), "Token(***)");
        assert!(Token::new("123456").is_err());
        assert!(Token::new("abc:def").is_err());
        assert!(Token::new("1:a/b").is_err());
        assert!(Token::new("1:a?b").is_err());
    }
}
