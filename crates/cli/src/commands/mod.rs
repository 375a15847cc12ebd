//! One module per command; [`run`] dispatches.

mod apply;
mod approve;
mod deliver;
mod doctor;
mod events;
mod health;
mod init;
mod pause;
mod publish;
mod status;
mod submit;
mod telegram;
mod worker;

use std::path::{Path, PathBuf};

use anyhow::Context;
use queue_core::Queue;

use crate::cli::{Cli, Command};

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    let queue_dir = queue_dir(cli.queue.as_deref())?;
    match cli.command {
        Command::Init(a) => init::run(&queue_dir, a),
        Command::Submit(a) => submit::run(&queue_dir, a),
        Command::Status(a) => status::run(&queue_dir, a),
        Command::Events(a) => events::run(&queue_dir, a),
        Command::Pause(a) => pause::pause(&queue_dir, a),
        Command::Resume => pause::resume(&queue_dir),
        Command::Gate(a) => Ok(gate::cli::run(a)),
        Command::Approve(a) => approve::approve(&queue_dir, a),
        Command::Reject(a) => approve::reject(&queue_dir, a),
        Command::Apply(a) => apply::run(&queue_dir, a),
        Command::Publish(a) => publish::run(&queue_dir, a),
        Command::Deliver(a) => deliver::run(&queue_dir, a),
        Command::Telegram(a) => telegram::run(&queue_dir, a),
        Command::Worker(a) => worker::run(&queue_dir, a),
        Command::Doctor(a) => doctor::run(&queue_dir, a),
        Command::Health(a) => health::run(&a),
    }
}

/// `--queue`/`AUTODEV_QUEUE`, else `.autodev_queue` at the top of the current git work tree, else in the current
/// directory.
fn queue_dir(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    if let Some(q) = explicit {
        return Ok(cwd.join(q));
    }
    Ok(repo_top(&cwd).unwrap_or(cwd).join(".autodev_queue"))
}

/// The nearest ancestor of `dir` holding `.git` (a folder, or a file for worktrees/submodules).
pub(crate) fn repo_top(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

fn open_queue(dir: &Path) -> anyhow::Result<Queue> {
    Ok(Queue::open(dir)?)
}

/// `cli:<user>`, recorded as the actor of events.
fn actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

/// Structured logs on stderr for the long-running commands; `AUTODEV_LOG` filters (default `info`).
pub(crate) fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("AUTODEV_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Resolves on SIGINT or SIGTERM.
pub(crate) async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
