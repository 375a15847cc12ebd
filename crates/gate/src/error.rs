//! Infrastructure errors. A [`GateError`] means the patch was **not judged** (exit code 2, verdict ERROR); a patch
//! that is judged and found wanting is a [`crate::GateReport`] with verdict FAIL instead, never an error.

use std::path::PathBuf;
use std::time::Duration;

use i18n::{Lang, io_error, t};

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

    /// The sentence in `lang`, from the catalogue (in English the same words as `Display`). What others said is
    /// inserted as they said it: git's stderr, a configuration parser's message, the sandbox probe's advice
    /// (already a whole sentence), a hook input's detail; an OS error by [`i18n::io_error`].
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            GateError::RepoNotFound { path, detail } => t!(
                lang,
                "gate-err-repo-not-found",
                path = &path.display(),
                detail = detail
            ),
            GateError::UnknownBase { repo, rev } => t!(
                lang,
                "gate-err-unknown-base",
                rev = &format!("{rev:?}"),
                repo = &repo.display()
            ),
            GateError::Git { dir, args, stderr } => t!(
                lang,
                "gate-err-git",
                args = args,
                dir = &dir.display(),
                stderr = stderr
            ),
            GateError::Io { path, source } => t!(
                lang,
                "gate-err-io",
                path = &path.display(),
                error = io_error(source, lang)
            ),
            GateError::PatchUnreadable { path, source } => t!(
                lang,
                "gate-err-patch-unreadable",
                path = &path.display(),
                error = io_error(source, lang)
            ),
            GateError::Config { file, message } => {
                t!(lang, "gate-err-config", file = file, message = message)
            }
            GateError::SlotsBusy {
                work_root,
                slots,
                waited,
            } => t!(
                lang,
                "gate-err-slots-busy",
                slots = *slots,
                root = &work_root.display(),
                waited = &format!("{waited:?}")
            ),
            GateError::Spawn { name, source } => t!(
                lang,
                "gate-err-spawn",
                name = &format!("{name:?}"),
                error = io_error(source, lang)
            ),
            GateError::SandboxUnavailable { message } => message.clone(),
            GateError::ForeignHook { path } => {
                t!(lang, "gate-err-foreign-hook", path = &path.display())
            }
            GateError::HookInput(detail) => t!(lang, "gate-err-hook-input", detail = detail),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The English catalogue says what `Display` says, so logs, JSON and the English CLI do not drift apart.
    #[test]
    fn english_reads_as_display_and_korean_is_translated() {
        let io = || std::io::Error::from_raw_os_error(13);
        let all = [
            GateError::RepoNotFound {
                path: "/tmp/x".into(),
                detail: "could not find repository".into(),
            },
            GateError::UnknownBase {
                repo: "/tmp/r".into(),
                rev: "main".into(),
            },
            GateError::Git {
                dir: "/tmp/r".into(),
                args: "apply --cached".into(),
                stderr: "fatal: bad".into(),
            },
            GateError::Io {
                path: "/tmp/w".into(),
                source: io(),
            },
            GateError::PatchUnreadable {
                path: "fix.patch".into(),
                source: io(),
            },
            GateError::Config {
                file: ".autodev_ssot/gate.toml".into(),
                message: "unknown field `chek`".into(),
            },
            GateError::SlotsBusy {
                work_root: "/tmp/w".into(),
                slots: 4,
                waited: Duration::from_secs(30),
            },
            GateError::Spawn {
                name: "cargo test".into(),
                source: io(),
            },
            GateError::ForeignHook {
                path: ".git/hooks/pre-push".into(),
            },
            GateError::HookInput("a PATCH argument is required".into()),
        ];
        for e in &all {
            assert_eq!(e.localized(Lang::En), e.to_string(), "{}", e.kind());
            let ko = e.localized(Lang::Ko);
            assert!(
                ko.chars().any(|c| ('가'..='힣').contains(&c)),
                "{}: {ko}",
                e.kind()
            );
        }
        assert_eq!(
            all[1].localized(Lang::Ko),
            "기준 리비전 \"main\"은 /tmp/r의 커밋이 아닙니다."
        );
        assert_eq!(
            all[3].localized(Lang::Ko),
            "/tmp/w에서 입출력 오류가 발생했습니다: 권한이 없습니다(os error 13)"
        );
    }
}
