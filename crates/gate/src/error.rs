//! Infrastructure errors. A [`GateError`] means the patch was **not judged** (exit code 2, verdict ERROR); a patch
//! that is judged and found wanting is a [`crate::GateReport`] with verdict FAIL instead, never an error.

use std::path::PathBuf;
use std::time::Duration;

/// Result alias for the gate library.
pub type Result<T> = std::result::Result<T, GateError>;

/// Why the gate could not reach a verdict. Every variant maps to [`protocol::exit_codes::ERROR`].
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// Returned by [`crate::Gate::check`] and the hook functions when `repo` is not inside a git working tree.
    /// Not retryable: fix the path.
    #[error("{path} is not a git working tree: {detail}")]
    RepoNotFound { path: PathBuf, detail: String },

    /// Returned by [`crate::Gate::check`] when the base revision does not name a commit in the repository.
    /// Not retryable with the same request.
    #[error("base revision {rev:?} is not a commit in {repo}")]
    UnknownBase { repo: PathBuf, rev: String },

    /// Returned when a `git` command failed unexpectedly (corrupt repository, disk full, missing binary).
    /// Often retryable once the environment is fixed; `stderr` is git's own message.
    #[error("git {args} failed in {dir}: {stderr}")]
    Git {
        dir: PathBuf,
        args: String,
        stderr: String,
    },

    /// Returned for filesystem failures outside the patch itself (work root, slots, logs, hooks dir).
    /// Retryable after fixing permissions or space.
    #[error("i/o error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Returned by the CLI when the patch file cannot be read. Not retryable until the file exists.
    #[error("cannot read patch {path}: {source}")]
    PatchUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Returned when `.autodev_ssot/policy.toml` or `.autodev_ssot/gate.toml` at the base revision is not valid.
    /// Not retryable: the repository's configuration must be fixed (the gate refuses to guess a policy).
    #[error("invalid {file}: {message}")]
    Config { file: String, message: String },

    /// Returned by [`crate::Gate::check`] when every checkout slot stayed locked for the configured wait.
    /// Retryable: other gates are running.
    #[error("all {slots} checkout slots under {work_root} stayed busy for {waited:?}")]
    SlotsBusy {
        work_root: PathBuf,
        slots: usize,
        waited: Duration,
    },

    /// Returned when a check command could not be started at all (no `/bin/sh`, bad working directory).
    /// A command that starts and fails is a FAIL verdict, not this error.
    #[error("cannot start check {name:?}: {source}")]
    Spawn {
        name: String,
        #[source]
        source: std::io::Error,
    },

    /// Returned by [`crate::Gate::check`] before running checks when no sandbox is available for the mode
    /// `gate.toml` asks for (`auto`: neither Landlock nor bubblewrap). Not retryable on this machine: `message`
    /// says what to install or configure. The gate never runs model-written checks unconfined unless
    /// `gate.toml` says `[sandbox] mode = "none"`.
    #[error("{message}")]
    SandboxUnavailable { message: String },

    /// Returned by [`crate::install_hook`] when a hook that autodev did not write already exists and `force` was
    /// not given. Not retryable without `--force` (which keeps the old hook as `<hook>.autodev-backup`).
    #[error(
        "{path} exists and was not installed by autodev; use --force to replace it (it is kept as a backup)"
    )]
    ForeignHook { path: PathBuf },

    /// Returned in hook mode when git gave the hook input it cannot understand (a bad pre-push stdin line, a
    /// remote commit unknown locally, standard input over [`crate::hook::MAX_HOOK_STDIN_BYTES`]), and by the CLI
    /// for a missing PATCH. Not retryable as is (push fewer refs at once).
    #[error("hook input: {0}")]
    HookInput(String),
}

impl GateError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        GateError::Io {
            path: path.into(),
            source,
        }
    }

    /// A stable machine-readable kind for JSON output (`{"verdict":"ERROR","kind":...}`).
    pub fn kind(&self) -> &'static str {
        match self {
            GateError::RepoNotFound { .. } => "REPO_NOT_FOUND",
            GateError::UnknownBase { .. } => "UNKNOWN_BASE",
            GateError::Git { .. } => "GIT",
            GateError::Io { .. } => "IO",
            GateError::PatchUnreadable { .. } => "PATCH_UNREADABLE",
            GateError::Config { .. } => "CONFIG",
            GateError::SlotsBusy { .. } => "SLOTS_BUSY",
            GateError::Spawn { .. } => "SPAWN",
            GateError::SandboxUnavailable { .. } => "SANDBOX_UNAVAILABLE",
            GateError::ForeignHook { .. } => "FOREIGN_HOOK",
            GateError::HookInput(_) => "HOOK_INPUT",
        }
    }
}
