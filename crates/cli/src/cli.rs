//! Command-line definitions. Doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use queue_core::TaskId;

/// autodev turns coding requests into patches written by your local model, checked by a gate and approved by
/// you.
///
/// Exit codes: 0 success (gate: PASS), 1 input rejected with a stable code such as WORK_TEXT_TOO_SHORT (gate:
/// FAIL), 2 usage or infrastructure error.
#[derive(Debug, Parser)]
#[command(
    name = "autodev",
    version,
    max_term_width = 110,
    after_help = "Typical flow, inside your git repository:
  autodev init                      # the queue (git-ignored) and .autodev_ssot/ (commit it)
  autodev submit -i fix -t src/config.rs -w \"parse_port accepts 0; reject it\"
  autodev worker --once             # your local model writes the patch; the gate checks it
  autodev status T20261125-0001     # the patch and the report
  autodev approve T20261125-0001    # your yes, bound to the patch's sha256
  autodev apply T20261125-0001      # commit on branch autodev/T20261125-0001
  autodev publish T20261125-0001    # push it and open a draft pull request
  autodev deliver                   # or: apply/publish every approval by itself (delivery.toml on_approve)

Docs: README.md, docs/MODEL_CONTRACT.md, docs/GATE.md, docs/OPERATIONS.md, docs/TELEGRAM.md, docs/DELIVERY.md"
)]
pub struct Cli {
    /// The queue: a directory, or a PostgreSQL database shared by workers on several machines
    /// (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`; prefer AUTODEV_QUEUE for an address with a password,
    /// which other users can read in the process list). Default: `.autodev_queue` at the top of the current
    /// git repository (or in the current directory outside git). See docs/POSTGRES.md.
    #[arg(long, global = true, env = "AUTODEV_QUEUE", value_name = "DIR|URL")]
    pub queue: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the queue and a default `.autodev_ssot/` (policy, gate checks, prompt, worker settings, task schema).
    ///
    /// Never overwrites an existing file. When the queue is inside a git work tree it is added to
    /// `.git/info/exclude`, so queue files never make your repository dirty.
    Init(InitArgs),
    /// Validate a request and put it in the queue; prints the new task id.
    ///
    /// Give a task file (see fixtures/task_template.json; `-` reads standard input), or flags. Flags override
    /// the file's fields. A rejected request prints a code and how to fix it, exits 1 and changes nothing.
    Submit(SubmitArgs),
    /// Show tasks: all of them as a table, or one with its patch and report paths.
    Status(StatusArgs),
    /// Print the audit log (`events.ndjson`).
    Events(EventsArgs),
    /// Stop workers from claiming new tasks (running tasks finish).
    Pause(PauseArgs),
    /// Let workers claim again.
    Resume,
    /// Claim tasks and have the local model write patches; each patch is gated before anyone sees it.
    ///
    /// Settings come from flags > environment > .env > .autodev_ssot/worker.toml > defaults;
    /// `--print-config` shows each effective value and where it came from. The worker waits while the
    /// model server is down or the model is not pulled, and gives such tasks back untouched.
    /// SIGINT/SIGTERM: stop claiming, give the current task back, exit 0.
    ///
    /// Every answer is bounded by the worker itself, whatever the server does with its token limit: at most
    /// AUTODEV_MAX_ANSWER_BYTES of text (ANSWER_TOO_LARGE) and AUTODEV_ANSWER_TIMEOUT seconds in all
    /// (ANSWER_TOO_SLOW), both `auto` by default (from AUTODEV_MAX_TOKENS: 32 bytes per token, at least 256 KiB;
    /// AUTODEV_FIRST_BYTE_TIMEOUT plus 2 tokens per second), and at most AUTODEV_MAX_EDITS edits, counted before
    /// any matching (EDIT_TOO_MANY). Past a bound the stream is cut, the try fails with that code and the next
    /// try runs.
    Worker(WorkerArgs),
    /// Check everything autodev needs, one PASS/WARN/FAIL line each with what to do.
    ///
    /// git and the repository; the queue (writable, one filesystem); free disk; the model server and the
    /// configured and fallback models; GPU memory against the model plus its KV cache for AUTODEV_NUM_CTX
    /// (nvidia-smi); the Telegram token (getMe, never printed); OpenClaw's model against OLLAMA_MODEL.
    /// Settings are read like `autodev worker` reads them. Exit 1 when any check FAILs, else 0.
    Doctor(DoctorArgs),
    /// Exit 0 when a URL answers 2xx, else 1: the container healthcheck (the image has no curl).
    Health(HealthArgs),
    /// Judge a patch on a clean checkout: policy, apply, checks. PASS (0), FAIL (1) or ERROR (2).
    ///
    /// Also `autodev gate install-hook` / `uninstall-hook` for git pre-merge-commit and pre-push hooks.
    /// See docs/GATE.md.
    Gate(gate::cli::GateArgs),
    /// Approve the patch of a task whose gate passed (logs APPROVED with the patch's sha256, then records it).
    ///
    /// Refusals (exit 1): TASK_UNKNOWN, NOT_GATE_PASSED, ALREADY_REJECTED, ALREADY_APPROVED,
    /// APPROVAL_HASH_MISMATCH, TASK_NOT_AS_SUBMITTED (the task file differs from its TASK_SUBMITTED event),
    /// PATCH_NOT_GATED (the patch is not the bytes the gate passed), APPROVAL_NOT_IN_LOG (an approval file the log
    /// does not confirm: not written by approve). Approving the same patch again is a no-op.
    Approve(ApproveArgs),
    /// Reject the patch of a task whose gate passed.
    Reject(RejectArgs),
    /// Commit an approved patch on a new branch `autodev/<ID>` from the task's base commit.
    ///
    /// Your checked-out branch, index and files are not touched. Applying again reports the existing commit.
    /// Refusals (exit 1): NOT_APPROVED, APPROVAL_NOT_IN_LOG (the approval file has no matching APPROVED event),
    /// TASK_NOT_AS_SUBMITTED (the task file's repo, base commit, targets or checks differ from TASK_SUBMITTED),
    /// PATCH_NOT_GATED (the patch is not the bytes GATE_PASSED names), APPLY_POLICY_REFUSED (the policy at the base
    /// commit refuses the patch), APPROVAL_HASH_MISMATCH, PATCH_DOES_NOT_APPLY, BRANCH_EXISTS, ALREADY_REJECTED,
    /// TASK_UNKNOWN, NOT_GATE_PASSED.
    Apply(ApplyArgs),
    /// Apply (if not yet), push branch `autodev/<ID>` to a remote and open a pull request (draft by default).
    ///
    /// Steps, each idempotent, so running it again continues where a failure stopped and never makes a second
    /// commit, push or pull request: apply (same rules as `autodev apply`); push without --force (a remote
    /// branch already at another commit is refused: REMOTE_BRANCH_MOVED); find the open pull request for the
    /// branch, else open one (GitHub REST; Gitea/Forgejo REST with a "WIP: " title; forge "none": push only);
    /// log PUBLISHED. `autodev status ID` then shows the URL.
    ///
    /// Remote, forge, API, repository, base branch and token variable come from .autodev_ssot/delivery.toml
    /// (github.com remotes need none of it). The token is read from GITHUB_TOKEN, GITEA_TOKEN or FORGEJO_TOKEN
    /// (or token_env) and is never printed, logged or written to .git/config. See docs/DELIVERY.md.
    ///
    /// Exit 0 published (or already), 1 refused: NOT_APPROVED (and apply's other codes), CONFIG, REMOTE_UNKNOWN,
    /// TOKEN_MISSING, REMOTE_BRANCH_MOVED, PUSH_REJECTED, FORGE_AUTH, FORGE_NOT_FOUND; 2 retryable:
    /// REMOTE_UNREACHABLE, FORGE_RATE_LIMITED (says when), FORGE_ERROR, GIT_ERROR, QUEUE_ERROR.
    Publish(PublishArgs),
    /// Deliver approved tasks by themselves: apply or publish each newly approved task, as the repository's
    /// .autodev_ssot/delivery.toml `on_approve` says ("none" | "apply" | "publish"), and publish every /publish
    /// request from Telegram.
    ///
    /// Runs until SIGTERM/Ctrl-C, one round every --interval seconds; --once runs one round (retrying earlier
    /// retryable failures at once) and exits. The event log decides what is due, so a restart neither loses nor
    /// repeats a delivery (publish and apply are idempotent). A failure is logged as DELIVERY_FAILED with its code:
    /// retryable ones (network, rate limits) are tried again after 30 s, doubling up to 30 minutes; refusals
    /// (FORGE_AUTH, REMOTE_BRANCH_MOVED, CONFIG, ...) wait until a person fixes the cause and asks again
    /// (`autodev publish ID` or /publish ID). One deliverer per queue (deliver.lock).
    ///
    /// Give this process the forge token (GITHUB_TOKEN, GITEA_TOKEN, ...), not the worker or the bot: it never runs
    /// model-written code. Exit codes with --once: 0 nothing failed, 1 a delivery failed (see `autodev events`),
    /// 2 infrastructure. See docs/DELIVERY.md.
    Deliver(DeliverArgs),
    /// Run the Telegram bot: /work, /status, /stop, /resume, /approve, /reject, and gate notifications.
    ///
    /// The token comes from TELEGRAM_BOT_TOKEN or --token-file; only the numeric user or chat ids in
    /// TELEGRAM_ALLOW_FROM are obeyed (empty: nobody). One bot per queue. See docs/TELEGRAM.md.
    Telegram(TelegramArgs),
}

/// `autodev init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Seconds a worker's claim stays valid without a heartbeat (workers renew every third of it).
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(2..=86_400))]
    pub lease_secs: u64,
    /// Tries a task gets before it is failed (a try ends when a worker dies or its lease expires).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_attempts: u32,
}

/// `autodev submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// A task file (JSON); `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The request in plain words, any language: what is wrong and what should happen (≥ 4 words).
    #[arg(long, short = 'w')]
    pub work: Option<String>,
    /// Kind of change: fix, feat, refactor, test, docs, perf, chore.
    #[arg(long, short = 'i')]
    pub intent: Option<String>,
    /// A repository-relative path the change may touch; repeat for several.
    #[arg(long = "target", short = 't', value_name = "PATH")]
    pub targets: Vec<String>,
    /// One-line title (default: the first line of the request).
    #[arg(long)]
    pub title: Option<String>,
    /// The git repository to change (default: the current directory's repository).
    #[arg(long, value_name = "DIR")]
    pub repo: Option<String>,
    /// Base revision: branch, tag or commit (default HEAD).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// A gate check command for this task (replaces `.autodev_ssot/gate.toml`'s); repeat for several.
    #[arg(long = "check", value_name = "CMD")]
    pub checks: Vec<String>,
    /// Print the result (task or rejections) as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The model settings `worker` and `doctor` share; each overrides its environment variable, which overrides
/// `.env`, which overrides `.autodev_ssot/worker.toml`.
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// Model name (OLLAMA_MODEL).
    #[arg(long)]
    pub model: Option<String>,
    /// Fallback model when the first is not installed (OLLAMA_FALLBACK_MODEL).
    #[arg(long)]
    pub fallback_model: Option<String>,
    /// Model server URL (OLLAMA_HOST), e.g. http://127.0.0.1:11434 or http://127.0.0.1:8080 for llama-server.
    #[arg(long)]
    pub host: Option<String>,
    /// Protocol: ollama or openai (AUTODEV_BACKEND).
    #[arg(long)]
    pub backend: Option<String>,
    /// Context window in tokens (AUTODEV_NUM_CTX).
    #[arg(long)]
    pub num_ctx: Option<u32>,
    /// A .env file to read (default ./.env when present; the environment wins over it).
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
}

/// `autodev worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Handle at most one task, then exit (0 done, 2 if the model server or model is unusable).
    #[arg(long)]
    pub once: bool,
    /// Tasks handled at the same time.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Answers per task (AUTODEV_MODEL_TRIES).
    #[arg(long)]
    pub model_tries: Option<u32>,
    /// Print every effective setting with its source, then exit.
    #[arg(long)]
    pub print_config: bool,
    /// Serve /healthz, /readyz and /metrics on this address. Default 127.0.0.1:8088; when that default is
    /// taken (a second worker on this machine) the worker goes on without it. An address given here or in
    /// AUTODEV_LISTEN must be free.
    #[arg(
        long,
        value_name = "ADDR",
        env = "AUTODEV_LISTEN",
        conflicts_with = "no_listen"
    )]
    pub listen: Option<std::net::SocketAddr>,
    /// Serve no HTTP endpoint.
    #[arg(long)]
    pub no_listen: bool,
    /// This machine's clone of the tasks' repository, used instead of the path a task was submitted with (a
    /// worker on another machine sharing a PostgreSQL queue). A base commit the clone lacks is fetched from its
    /// own remotes (`git fetch --all`) first.
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
}

/// `autodev doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print `{"ok", "summary", "checks": [{"name", "status", "message", "fix"}]}`.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Seconds allowed for each network call.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout_secs: u64,
}

/// `autodev health`.
#[derive(Debug, Args)]
pub struct HealthArgs {
    /// The URL to GET (plain http).
    #[arg(long, default_value = "http://127.0.0.1:8088/healthz")]
    pub url: String,
    /// Seconds before giving up.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout_secs: u64,
}

/// `autodev status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// A task id (`T<YYYYMMDD>-<NNNN>`); without it, every task.
    pub id: Option<TaskId>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `autodev events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Only events about this task.
    #[arg(long)]
    pub task: Option<TaskId>,
    /// Keep printing new events as they are appended (Ctrl-C to stop).
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// Print the raw NDJSON lines.
    #[arg(long)]
    pub json: bool,
}

/// `autodev pause`.
#[derive(Debug, Args)]
pub struct PauseArgs {
    /// Why, recorded in the log.
    #[arg(long, default_value = "")]
    pub reason: String,
}

/// `autodev approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The task id.
    pub id: TaskId,
    /// Who approves (default: $USER, else the account running autodev).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// Print the approval record as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `autodev reject`.
#[derive(Debug, Args)]
pub struct RejectArgs {
    /// The task id.
    pub id: TaskId,
    /// Why, recorded with the rejection.
    #[arg(long, default_value = "", value_name = "TEXT")]
    pub reason: String,
    /// Who rejects (default: $USER, else the account running autodev).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

/// `autodev apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The task id.
    pub id: TaskId,
    /// Apply the patch to the repository's working tree instead of committing it on a branch (all or nothing).
    #[arg(long)]
    pub to_worktree: bool,
    /// Committer (and author) name; default: git config user.name, else "autodev".
    #[arg(long, env = "AUTODEV_COMMITTER_NAME", value_name = "NAME")]
    pub committer_name: Option<String>,
    /// Committer (and author) e-mail; default: git config user.email, else autodev@localhost.
    #[arg(long, env = "AUTODEV_COMMITTER_EMAIL", value_name = "EMAIL")]
    pub committer_email: Option<String>,
    /// The clone to commit in, instead of the repository the task was submitted from (this machine's clone of
    /// it, with a PostgreSQL queue). A base commit it lacks is fetched from its own remotes first.
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `autodev publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The task id.
    pub id: TaskId,
    /// The git remote to push to (default: `remote` in .autodev_ssot/delivery.toml, else origin).
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
    /// Open the pull request ready for review, not as a draft (no "WIP: " on Gitea/Forgejo).
    #[arg(long)]
    pub ready: bool,
    /// Committer (and author) name, when the commit is still to be made; default: git config user.name.
    #[arg(long, env = "AUTODEV_COMMITTER_NAME", value_name = "NAME")]
    pub committer_name: Option<String>,
    /// Committer (and author) e-mail, when the commit is still to be made; default: git config user.email.
    #[arg(long, env = "AUTODEV_COMMITTER_EMAIL", value_name = "EMAIL")]
    pub committer_email: Option<String>,
    /// Print the result (or `{"error": {"code", "message", "retry_at"}}`) as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `autodev deliver`.
#[derive(Debug, Args)]
pub struct DeliverArgs {
    /// One round, then exit (retryable failures are retried at once).
    #[arg(long)]
    pub once: bool,
    /// Seconds between rounds.
    #[arg(
        long,
        default_value_t = 5,
        value_name = "SECS",
        env = "AUTODEV_DELIVER_INTERVAL"
    )]
    pub interval: u64,
}

/// `autodev telegram`.
#[derive(Debug, Args)]
pub struct TelegramArgs {
    /// Read the bot token from this file (default: TELEGRAM_BOT_TOKEN from the environment or .env).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Numeric Telegram user or chat ids to obey, comma-separated; nobody else is (default:
    /// TELEGRAM_ALLOW_FROM from the environment or .env; empty: nobody). A button press counts only from a
    /// listed user, not from a listed group.
    #[arg(long, value_name = "IDS")]
    pub allow_from: Option<String>,
    /// The repository /work requests change (default: AUTODEV_REPO, else the repository holding the queue).
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// The Bot API base URL (default: TELEGRAM_API_BASE, else `https://api.telegram.org`).
    #[arg(long, value_name = "URL")]
    pub api_base: Option<String>,
    /// A .env file to read (default ./.env when present; the environment wins over it).
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
    /// Long-poll timeout of getUpdates, seconds.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=50))]
    pub poll_timeout: u64,
    /// Serve GET /healthz on this address (200 while getUpdates succeeds, else 503).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn submit_flags_parse() {
        let cli = Cli::parse_from([
            "autodev", "--queue", "/q", "submit", "--intent", "fix", "-t", "a.rs", "-t", "b.rs",
            "--work", "x y z w",
        ]);
        let Command::Submit(s) = cli.command else {
            panic!("not submit")
        };
        assert_eq!(s.targets, vec!["a.rs", "b.rs"]);
        assert_eq!(cli.queue, Some(PathBuf::from("/q")));
    }

    #[test]
    fn malformed_id_is_a_usage_error() {
        let err = Cli::try_parse_from(["autodev", "status", "T2026-1"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }
}
