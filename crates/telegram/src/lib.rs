//! # telegram
//!
//! autodev's Telegram bot (`autodev telegram`): queue work with `/work`, look with `/status`, pause and resume
//! workers, approve or reject patches (commands or inline buttons), and get a message with the patch when a task
//! passes the gate or fails.
//!
//! - [`api`]: the Bot API methods used (getUpdates, sendMessage, sendDocument, answerCallbackQuery,
//!   editMessageReplyMarkup) over reqwest; 409 and 429 are typed; errors never contain the token.
//! - [`commands`]: command parsing and the `/work` syntax.
//! - [`bot`]: the long-poll loop, access control, handlers and notifications.
//! - [`state`]: `<queue>/telegram/` (offsets written atomically, the one-poller lock).
//! - [`html`]: escaping and length limits.
//!
//! **Invariants:** only ids in the allow list are obeyed, and an empty list obeys nobody. The getUpdates offset
//! is saved before an update is handled, so a restart never runs a command twice. One poller per queue
//! (`poller.lock`).
//!
//! The `/work` syntax, as the bot parses it (validation then happens in `submit`, as for the CLI):
//!
//! ```
//! let spec = telegram::commands::parse_work("fix src/config.rs: parse_port accepts 0, reject it");
//! assert_eq!(spec.intent.as_deref(), Some("fix"));
//! assert_eq!(spec.targets, Some(vec!["src/config.rs".to_string()]));
//! assert_eq!(spec.work.as_deref(), Some("parse_port accepts 0, reject it"));
//! assert_eq!(telegram::html::escape("<b>&"), "&lt;b&gt;&amp;");
//! ```

pub mod api;
pub mod bot;
pub mod commands;
pub mod html;
pub mod state;

use std::path::{Path, PathBuf};

pub use bot::{AllowList, Config, run};

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why the bot stopped or could not start. None of the messages contains the token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Another `autodev telegram` holds `<queue>/telegram/poller.lock`. Not retryable while it runs.
    #[error(
        "another `autodev telegram` (pid {pid}) is already polling this queue (lock {}); stop it first — \
         Telegram allows one getUpdates poller per bot token",
        lock.display()
    )]
    AlreadyRunning {
        /// The lock file.
        lock: PathBuf,
        /// The pid written by the holder.
        pid: String,
    },
    /// Telegram refused the token (401/404). Fix TELEGRAM_BOT_TOKEN or --token-file.
    #[error("Telegram refused the bot token ({0}); check TELEGRAM_BOT_TOKEN or --token-file")]
    BadToken(String),
    /// A bot file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A state file does not decode.
    #[error("bot state: {0}")]
    State(String),
    /// The queue failed.
    #[error(transparent)]
    Queue(#[from] queue_core::Error),
    /// The HTTP client or health endpoint could not start.
    #[error("{0}")]
    Setup(String),
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
