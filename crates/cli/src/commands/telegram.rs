//! `autodev telegram`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use queue_core::exit_codes;
use telegram::api::Token;
use telegram::{AllowList, Config};

use crate::cli::TelegramArgs;

pub(super) fn run(queue_dir: &Path, args: TelegramArgs) -> anyhow::Result<u8> {
    let raw = match &args.token_file {
        Some(p) => std::fs::read_to_string(p)
            .with_context(|| format!("cannot read the token file {}", p.display()))?,
        None => std::env::var("TELEGRAM_BOT_TOKEN").unwrap_or_default(),
    };
    if raw.trim().is_empty() {
        anyhow::bail!("no bot token: set TELEGRAM_BOT_TOKEN or pass --token-file FILE");
    }
    // The message never echoes the token.
    let token = Token::new(&raw).map_err(|why| anyhow::anyhow!("invalid bot token: {why}"))?;
    let allow = AllowList::parse(&args.allow_from).map_err(anyhow::Error::msg)?;
    let queue = Arc::new(super::open_queue(queue_dir)?);
    let repo = match args.repo {
        Some(r) => std::env::current_dir()?.join(r),
        None => super::repo_top(queue.root())
            .or_else(|| std::env::current_dir().ok())
            .context("cannot tell which repository /work should change: pass --repo")?,
    };
    let backoff_ms = std::env::var("AUTODEV_TELEGRAM_BACKOFF_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let notify_ms = std::env::var("AUTODEV_TELEGRAM_NOTIFY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let config = Config {
        api_base: args.api_base,
        token,
        allow,
        repo,
        poll_timeout: args.poll_timeout,
        listen: args.listen,
        backoff: Duration::from_millis(backoff_ms),
        notify_every: Duration::from_millis(notify_ms),
    };
    super::init_logging();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let (tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            super::wait_for_signal().await;
            tracing::info!("signal received: stopping the bot");
            let _ = tx.send(true);
        });
        match telegram::run(queue, config, rx).await {
            Ok(()) => Ok(exit_codes::OK),
            Err(e) => {
                eprintln!("error: {e}");
                Ok(exit_codes::ERROR)
            }
        }
    })
}
