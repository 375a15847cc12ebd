//! The libraries' errors in the reader's language, at the edge where a person reads them. The libraries say
//! their errors in English (`Display`: logs, `anyhow` chains, JSON). The queue, approval, delivery and gate
//! errors say themselves (`localized`: the bot needs them too); here the rest — worker settings, the model
//! server, the worker, the bot's own — are each a catalogue key and its arguments, whose English is the same
//! words as its `Display` (the tests hold them equal). Stable codes (`EVENT_LOG_WRITE_FAILED`, `TASK_UNKNOWN`)
//! stay where they are.
//!
//! What others said is inserted as they said it: git's stderr, a forge's message, a configuration parser's
//! reason, the model server's body. An OS error is said by [`i18n::io_error`].

use std::error::Error as StdError;

use i18n::{Lang, io_error, t};

/// The text after `error:` for a failed command: in English `{err:#}` as ever (each cause after a colon); in
/// Korean each layer in turn, a typed error by its catalogue sentence, which already says its causes.
pub(crate) fn describe(err: &anyhow::Error, lang: Lang) -> String {
    if lang == Lang::En {
        return format!("{err:#}");
    }
    let mut parts = Vec::new();
    for cause in err.chain() {
        if let Some(text) = typed(cause, lang) {
            parts.push(text);
            break;
        }
        parts.push(cause.to_string());
    }
    parts.join(": ")
}

/// A library error autodev knows, in `lang`.
fn typed(e: &(dyn StdError + 'static), lang: Lang) -> Option<String> {
    if let Some(e) = e.downcast_ref::<queue_core::Error>() {
        return Some(e.localized(lang));
    }
    if let Some(e) = e.downcast_ref::<approval::Error>() {
        return Some(e.localized(lang));
    }
    if let Some(e) = e.downcast_ref::<delivery::Error>() {
        return Some(e.localized(lang));
    }
    if let Some(e) = e.downcast_ref::<gate::GateError>() {
        return Some(e.localized(lang));
    }
    if let Some(e) = e.downcast_ref::<worker::config::ConfigError>() {
        return Some(config(e, lang));
    }
    if let Some(e) = e.downcast_ref::<worker::backend::BackendError>() {
        return Some(backend(e, lang));
    }
    if let Some(e) = e.downcast_ref::<worker::WorkerError>() {
        return Some(worker(e, lang));
    }
    if let Some(e) = e.downcast_ref::<telegram::Error>() {
        return Some(telegram(e, lang));
    }
    if let Some(e) = e.downcast_ref::<std::io::Error>() {
        return Some(io_error(e, lang));
    }
    None
}

/// A worker setting or settings file that cannot be used (`worker`, `doctor`).
pub(crate) fn config(e: &worker::config::ConfigError, lang: Lang) -> String {
    use worker::config::{ConfigError as E, Source};
    match e {
        E::Setting {
            name,
            value,
            source_,
            reason,
        } => {
            let source = match source_ {
                Source::Default => t!(lang, "cli-err-source-default"),
                Source::Env => t!(lang, "cli-err-source-env"),
                Source::Flag => t!(lang, "cli-err-source-flag"),
                other => other.to_string(),
            };
            t!(
                lang,
                "cli-err-config-setting",
                name = *name,
                value = &format!("{value:?}"),
                source = &source,
                reason = reason
            )
        }
        E::File { path, line, reason } => {
            let place = format!(
                "{}{}",
                path.display(),
                line.map(|l| format!(":{l}")).unwrap_or_default()
            );
            t!(lang, "cli-err-config-file", place = &place, reason = reason)
        }
    }
}

/// The model server (`worker --once`, the worker's wait for its model).
pub(crate) fn backend(e: &worker::backend::BackendError, lang: Lang) -> String {
    use worker::backend::BackendError as E;
    let secs = |d: &std::time::Duration| format!("{d:?}");
    match e {
        E::Unreachable { url, .. } => t!(lang, "cli-err-backend-unreachable", url = url),
        E::ModelNotFound { model, host } => t!(
            lang,
            "cli-err-backend-model-not-found",
            model = model,
            host = host
        ),
        E::Busy {
            host,
            attempts,
            message,
        } => t!(
            lang,
            "cli-err-backend-busy",
            host = host,
            attempts = attempts,
            message = message
        ),
        E::FirstByteTimeout { waited } => {
            t!(lang, "cli-err-backend-first-byte", waited = &secs(waited))
        }
        E::IdleTimeout { waited } => t!(lang, "cli-err-backend-idle", waited = &secs(waited)),
        E::StreamCut { received_chars } => {
            t!(lang, "cli-err-backend-stream-cut", chars = received_chars)
        }
        E::ServerError { message } => t!(lang, "cli-err-backend-server", message = message),
        E::Http {
            status,
            body_excerpt,
        } => t!(
            lang,
            "cli-err-backend-http",
            status = status,
            body = body_excerpt
        ),
        E::InvalidResponse { detail } => {
            t!(lang, "cli-err-backend-invalid-response", detail = detail)
        }
        E::InvalidConfig { detail } => {
            t!(lang, "cli-err-backend-invalid-config", detail = detail)
        }
        E::AnswerTooLarge { limit_bytes } => {
            t!(lang, "cli-err-backend-too-large", limit = limit_bytes)
        }
        E::AnswerTooSlow {
            limit,
            received_chars,
        } => t!(
            lang,
            "cli-err-backend-too-slow",
            limit = &secs(limit),
            chars = received_chars
        ),
        E::Truncated { completion_tokens } => {
            t!(
                lang,
                "cli-err-backend-truncated",
                tokens = completion_tokens
            )
        }
        _ => e.to_string(),
    }
}

/// Why the worker cannot go on.
pub(crate) fn worker(e: &worker::WorkerError, lang: Lang) -> String {
    use worker::WorkerError as E;
    match e {
        E::Queue(q) => q.localized(lang),
        E::Backend(b) => backend(b, lang),
        E::Infrastructure { code, message } => t!(
            lang,
            "cli-err-worker-infrastructure",
            code = code,
            message = message
        ),
    }
}

/// Why the bot stopped or could not start.
pub(crate) fn telegram(e: &telegram::Error, lang: Lang) -> String {
    use telegram::Error as E;
    match e {
        E::AlreadyRunning { lock, pid } => t!(
            lang,
            "cli-err-telegram-already-running",
            pid = pid,
            lock = &lock.display()
        ),
        E::BadToken(why) => t!(lang, "cli-err-telegram-bad-token", why = why),
        E::Io { path, source } => t!(
            lang,
            "err-path-io",
            path = &path.display(),
            error = io_error(source, lang)
        ),
        E::State(detail) => t!(lang, "cli-err-telegram-state", detail = detail),
        E::Queue(q) => q.localized(lang),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests;
