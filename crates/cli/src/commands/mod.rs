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
mod settings;
mod status;
mod submit;
mod telegram;
mod worker;

use std::path::{Path, PathBuf};

use std::sync::Arc;

use anyhow::Context;
use queue_core::{Queue, TaskQueue};

pub(crate) use status::columns;

use crate::cli::{Cli, Command};

/// Where the queue is: a folder (the default), or a PostgreSQL database (`--queue postgres://…`).
#[derive(Debug, Clone)]
pub(crate) enum QueueAddr {
    /// A filesystem queue.
    Dir(PathBuf),
    /// A PostgreSQL queue, by its address.
    Postgres(String),
}

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    // What people read is in this language; codes, JSON, events and logs stay English.
    let lang = i18n::Lang::from_env();
    let addr = match cli.queue.as_deref().and_then(Path::to_str) {
        Some(url) if queue_pg::is_postgres_url(url) => QueueAddr::Postgres(url.to_string()),
        _ => QueueAddr::Dir(queue_dir(cli.queue.as_deref(), lang)?),
    };
    let queue_dir = match &addr {
        QueueAddr::Dir(d) => d.clone(),
        QueueAddr::Postgres(_) => return run_postgres(cli.command, &addr, lang),
    };
    match cli.command {
        Command::Init(a) => init::run(&queue_dir, a, lang),
        Command::Submit(a) => submit::run(&addr, a, lang),
        Command::Status(a) => status::run(&queue_dir, a, lang),
        Command::Events(a) => events::run(&queue_dir, a, lang),
        Command::Pause(a) => pause::pause(&addr, a, lang),
        Command::Resume => pause::resume(&addr, lang),
        Command::Gate(a) => Ok(gate::cli::run(a)),
        Command::Approve(a) => approve::approve(&addr, a, lang),
        Command::Reject(a) => approve::reject(&addr, a, lang),
        Command::Apply(a) => apply::run(&addr, a, lang),
        Command::Publish(a) => publish::run(&addr, a, lang),
        Command::Deliver(a) => deliver::run(&addr, a, lang),
        Command::Telegram(a) => telegram::run(&addr, a, lang),
        Command::Worker(a) => worker::run(&addr, a, lang),
        Command::Doctor(a) => doctor::run(&queue_dir, a, lang),
        Command::Health(a) => health::run(&a, lang),
    }
}

/// The commands on a PostgreSQL queue: the same backend-neutral code as for a folder queue, except `init`,
/// `status`, `events` and `doctor`, which have a database form of their own.
fn run_postgres(command: Command, addr: &QueueAddr, lang: i18n::Lang) -> anyhow::Result<u8> {
    let QueueAddr::Postgres(url) = addr else {
        unreachable!("called for a database queue");
    };
    match command {
        Command::Init(a) => init::run_postgres(url, a, lang),
        Command::Submit(a) => submit::run(addr, a, lang),
        Command::Status(a) => status::run_postgres(url, a, lang),
        Command::Events(a) => events::run_postgres(url, a, lang),
        Command::Pause(a) => pause::pause(addr, a, lang),
        Command::Resume => pause::resume(addr, lang),
        Command::Gate(a) => Ok(gate::cli::run(a)),
        Command::Worker(a) => worker::run(addr, a, lang),
        Command::Doctor(a) => doctor::run_postgres(url, a, lang),
        Command::Health(a) => health::run(&a, lang),
        Command::Approve(a) => approve::approve(addr, a, lang),
        Command::Reject(a) => approve::reject(addr, a, lang),
        Command::Apply(a) => apply::run(addr, a, lang),
        Command::Publish(a) => publish::run(addr, a, lang),
        Command::Deliver(a) => deliver::run(addr, a, lang),
        Command::Telegram(a) => telegram::run(addr, a, lang),
    }
}

/// Opens the queue at `addr`, whichever backend keeps it.
pub(crate) fn open_any(addr: &QueueAddr) -> anyhow::Result<Arc<dyn TaskQueue>> {
    Ok(match addr {
        QueueAddr::Dir(d) => Arc::new(Queue::open(d)?),
        QueueAddr::Postgres(url) => Arc::new(queue_pg::PgQueue::open(url)?),
    })
}

/// `--queue`/`AUTODEV_QUEUE`, else `.autodev_queue` at the top of the current git work tree, else in the current
/// directory.
fn queue_dir(explicit: Option<&Path>, lang: i18n::Lang) -> anyhow::Result<PathBuf> {
    let cwd = current_dir(lang)?;
    if let Some(q) = explicit {
        return Ok(cwd.join(q));
    }
    Ok(repo_top(&cwd).unwrap_or(cwd).join(".autodev_queue"))
}

/// The current directory, or why not in `lang`.
fn current_dir(lang: i18n::Lang) -> anyhow::Result<PathBuf> {
    std::env::current_dir().with_context(|| i18n::t!(lang, "cli-err-current-dir"))
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
    format!("cli:{}", os_user())
}

/// Who runs this command: `$USER` (`USERNAME` on Windows) as the shell set it, else the name of the account this
/// process runs as (a container or cron job has no `$USER`), else the uid: never "unknown".
pub(crate) fn os_user() -> String {
    if let Some(user) = ["USER", "USERNAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|u| !u.trim().is_empty())
    {
        return user;
    }
    #[cfg(unix)]
    {
        // SAFETY: getuid cannot fail; getpwuid_r writes only into `pw` and `buf` (owned by this frame, sizes as
        // passed), and `pw.pw_name` points into `buf` while it lives.
        unsafe {
            let uid = libc::getuid();
            let mut pw: libc::passwd = std::mem::zeroed();
            let mut buf = vec![0 as libc::c_char; 4096];
            let mut found: *mut libc::passwd = std::ptr::null_mut();
            if libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut found) == 0
                && !found.is_null()
                && !pw.pw_name.is_null()
            {
                let name = std::ffi::CStr::from_ptr(pw.pw_name).to_string_lossy();
                if !name.is_empty() {
                    return name.into_owned();
                }
            }
            format!("uid{uid}")
        }
    }
    #[cfg(not(unix))]
    "unknown".to_owned()
}

/// Structured logs on stderr for the long-running commands; `AUTODEV_LOG` filters (default `info`).
pub(crate) fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("AUTODEV_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colour only for a person at a terminal: `docker logs`, files and pipes get plain text; NO_COLOR is obeyed.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .try_init();
}

/// The one shutdown signal of the long-running commands: a token cancelled on SIGINT or SIGTERM. The handlers
/// are installed before this returns, so a signal during start-up stops the command cleanly instead of killing
/// it. Call inside the runtime.
/// `said` is the line logged when the signal comes, already in the reader's language.
pub(crate) fn shutdown_on_signal(said: String) -> tokio_util::sync::CancellationToken {
    let token = tokio_util::sync::CancellationToken::new();
    let cancel = token.clone();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            tokio::spawn(async move {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
                tracing::info!("{said}");
                cancel.cancel();
            });
            return token;
        }
    }
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("{said}");
        cancel.cancel();
    });
    token
}
