//! The libraries' errors in the reader's language, at the edge where a person reads them. The libraries say
//! their errors in English (`Display`: logs, `anyhow` chains, JSON); here each typed error is a catalogue key and
//! its arguments, whose English is the same words as its `Display` (the tests hold them equal), so nothing but
//! the CLI knows about languages. Stable codes (`EVENT_LOG_WRITE_FAILED`, `TASK_UNKNOWN`) stay where they are.
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
        return Some(queue(e, lang));
    }
    if let Some(e) = e.downcast_ref::<approval::Error>() {
        return Some(approval(e, lang));
    }
    if let Some(e) = e.downcast_ref::<delivery::Error>() {
        return Some(delivery(e, lang));
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

/// The queue's errors (`no queue at …`, a log that cannot be appended to, an unreadable task file).
pub(crate) fn queue(e: &queue_core::Error, lang: Lang) -> String {
    use queue_core::Error as E;
    match e {
        E::Io { path, source } => t!(
            lang,
            "cli-err-queue-io",
            path = &path.display(),
            error = io_error(source, lang)
        ),
        E::NotInitialised { path } => {
            t!(
                lang,
                "cli-err-queue-not-initialised",
                path = &path.display()
            )
        }
        E::Corrupt { path, detail } => t!(
            lang,
            "cli-err-queue-corrupt",
            path = &path.display(),
            detail = detail
        ),
        E::LeaseLost { task } => t!(lang, "cli-err-queue-lease-lost", task = task),
        E::UnknownTask(id) => t!(lang, "cli-err-queue-unknown-task", id = id),
        E::IdsExhausted { day } => t!(lang, "cli-err-queue-ids-exhausted", day = day),
        E::LogAppend {
            path,
            event,
            tries,
            source,
        } => t!(
            lang,
            "cli-err-queue-log-append",
            event = *event,
            path = &path.display(),
            tries = tries,
            error = io_error(source, lang)
        ),
        E::TaskCorrupt { id, path, detail } => t!(
            lang,
            "cli-err-queue-task-corrupt",
            id = id,
            path = &path.display(),
            detail = detail
        ),
        _ => e.to_string(),
    }
}

/// approve, reject and apply: refusals as the approval crate says them, infrastructure errors here.
pub(crate) fn approval(e: &approval::Error, lang: Lang) -> String {
    use approval::Error as E;
    match e {
        _ if e.is_refusal() => e.localized(lang),
        E::Queue(q) => queue(q, lang),
        E::Gate(g) => t!(lang, "cli-err-approval-gate", error = g.localized(lang)),
        E::Git { dir, args, stderr } => git(dir, args, stderr, lang),
        E::Io { path, source } => t!(
            lang,
            "cli-err-path-io",
            path = &path.display(),
            error = io_error(source, lang)
        ),
        E::Corrupt { path, detail } => t!(
            lang,
            "cli-err-corrupt-file",
            path = &path.display(),
            detail = detail
        ),
        _ => e.to_string(),
    }
}

fn git(dir: &std::path::Path, args: &str, stderr: &str, lang: Lang) -> String {
    t!(
        lang,
        "cli-err-git",
        args = args,
        dir = &dir.display(),
        stderr = stderr
    )
}

/// publish and deliver: every step's failure, with apply's refusals as the approval crate says them.
pub(crate) fn delivery(e: &delivery::Error, lang: Lang) -> String {
    use delivery::Error as E;
    match e {
        E::Approval(a) => approval(a, lang),
        E::Config { file, message } => t!(
            lang,
            "cli-err-delivery-config",
            file = &file.display(),
            message = message
        ),
        E::RemoteUnknown { remote } => t!(
            lang,
            "cli-err-delivery-remote-unknown",
            quoted = &format!("{remote:?}"),
            remote = remote
        ),
        E::TokenMissing { forge, variables } => t!(
            lang,
            "cli-err-delivery-token-missing",
            forge = *forge,
            variables = variables
        ),
        E::RemoteUnreachable {
            remote,
            url,
            stderr,
        } => t!(
            lang,
            "cli-err-delivery-remote-unreachable",
            remote = remote,
            url = url,
            stderr = stderr
        ),
        E::RemoteBranchMoved {
            remote,
            branch,
            remote_commit,
            local_commit,
        } => t!(
            lang,
            "cli-err-delivery-remote-branch-moved",
            remote = remote,
            branch = branch,
            theirs = remote_commit,
            ours = local_commit
        ),
        E::PushRejected {
            remote,
            branch,
            message,
        } => t!(
            lang,
            "cli-err-delivery-push-rejected",
            remote = remote,
            branch = branch,
            message = message
        ),
        E::ForgeAuth {
            forge,
            status,
            message,
        } => t!(
            lang,
            "cli-err-delivery-forge-auth",
            forge = *forge,
            status = status,
            message = message
        ),
        E::ForgeNotFound {
            forge,
            repository,
            api_base,
            message,
        } => t!(
            lang,
            "cli-err-delivery-forge-not-found",
            forge = *forge,
            repository = repository,
            api = api_base,
            message = message
        ),
        E::ForgeRateLimited {
            forge,
            retry_at: Some(at),
        } => t!(
            lang,
            "cli-err-delivery-rate-limited-until",
            forge = *forge,
            at = &at.to_rfc3339()
        ),
        E::ForgeRateLimited { forge, .. } => {
            t!(lang, "cli-err-delivery-rate-limited", forge = *forge)
        }
        E::Forge { forge, message } => t!(
            lang,
            "cli-err-delivery-forge",
            forge = *forge,
            message = message
        ),
        E::Git { dir, args, stderr } => git(dir, args, stderr, lang),
        E::Queue(q) => queue(q, lang),
        _ => e.to_string(),
    }
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
        E::Queue(q) => queue(q, lang),
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
            "cli-err-path-io",
            path = &path.display(),
            error = io_error(source, lang)
        ),
        E::State(detail) => t!(lang, "cli-err-telegram-state", detail = detail),
        E::Queue(q) => queue(q, lang),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests;
