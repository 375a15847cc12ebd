//! `autodev telegram`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use i18n::t;
use queue_core::exit_codes;
use telegram::api::Token;
use telegram::{AllowList, Config};

use super::settings::Settings;
use crate::cli::TelegramArgs;

pub(super) fn run(
    addr: &super::QueueAddr,
    args: TelegramArgs,
    lang: i18n::Lang,
) -> anyhow::Result<u8> {
    let cwd = super::current_dir(lang)?;
    // The same loader as `worker` and `doctor`: flags, then the environment, then .env.
    let settings = Settings::load(args.env_file.as_deref(), &cwd, lang)?;
    let raw = match &args.token_file {
        Some(p) => std::fs::read_to_string(p)
            .with_context(|| t!(lang, "cli-err-token-file", path = &p.display()))?,
        None => settings.get("TELEGRAM_BOT_TOKEN").unwrap_or_default(),
    };
    if raw.trim().is_empty() {
        anyhow::bail!(t!(lang, "cli-telegram-no-token"));
    }
    // The message never echoes the token.
    let token = Token::new(&raw)
        .map_err(|why| anyhow::anyhow!(t!(lang, "cli-telegram-invalid-token", why = why)))?;
    let allow_from = args
        .allow_from
        .clone()
        .or_else(|| settings.get("TELEGRAM_ALLOW_FROM"))
        .unwrap_or_default();
    let allow = AllowList::parse(&allow_from).map_err(anyhow::Error::msg)?;
    let queue = super::open_any(addr)?;
    let repo = match args
        .repo
        .clone()
        .or_else(|| settings.get("AUTODEV_REPO").map(PathBuf::from))
    {
        Some(r) => cwd.join(r),
        None => queue
            .local_root()
            .and_then(super::repo_top)
            .or_else(|| std::env::current_dir().ok())
            .with_context(|| t!(lang, "cli-telegram-no-repo"))?,
    };
    let millis = |name: &str, default: u64| {
        settings
            .get(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let backoff_ms = millis("AUTODEV_TELEGRAM_BACKOFF_MS", 1000);
    let notify_ms = millis("AUTODEV_TELEGRAM_NOTIFY_MS", 2000);
    let api_base = args
        .api_base
        .clone()
        .or_else(|| settings.get("TELEGRAM_API_BASE"))
        .unwrap_or_else(|| "https://api.telegram.org".to_owned());
    let config = Config {
        api_base,
        token,
        allow,
        repo,
        poll_timeout: args.poll_timeout,
        listen: args.listen,
        backoff: Duration::from_millis(backoff_ms),
        notify_every: Duration::from_millis(notify_ms),
        lang,
    };
    super::init_logging();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .with_context(|| t!(lang, "cli-err-runtime"))?;
    rt.block_on(async move {
        let shutdown = super::shutdown_on_signal(t!(
            lang,
            "cli-signal-received",
            what = t!(lang, "cli-telegram-stopping")
        ));
        match telegram::run(queue, config, shutdown).await {
            Ok(()) => Ok(exit_codes::OK),
            Err(e) => {
                let message = crate::errors::telegram(&e, lang);
                eprintln!("{}", t!(lang, "cli-error", message = message));
                Ok(exit_codes::ERROR)
            }
        }
    })
}
