//! The delivery crate's error: refusals with stable codes (exit 1) and infrastructure errors (exit 2). No message
//! ever contains a token: everything that comes from git or a forge is scrubbed before it is put in a variant.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use i18n::{Lang, t};
use queue_core::exit_codes;

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why [`crate::publish`] did not finish. Every step before the failing one is done and stays done (the commit,
/// the pushed branch); running publish again continues from where it stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Apply refused or failed (`NOT_APPROVED`, `ALREADY_REJECTED`, `PATCH_NOT_GATED`, `BRANCH_EXISTS`, …: the
    /// approval crate's code is passed through). Returned by [`crate::publish`] before anything is pushed. Retry
    /// only after doing what the message says.
    #[error(transparent)]
    Approval(#[from] approval::Error),

    /// `CONFIG`: `.autodev_ssot/delivery.toml` is invalid, or the forge, its API or the repository's owner/name
    /// cannot be worked out from it and the remote's URL. Returned before anything is pushed. Not retryable until
    /// the file is fixed.
    #[error("{file}: {message}")]
    Config {
        /// The file (or `delivery.toml` when the problem is a missing key).
        file: PathBuf,
        /// What is wrong and what to write.
        message: String,
    },

    /// `REMOTE_UNKNOWN`: the repository has no git remote of that name. Returned before anything is pushed. Not
    /// retryable: `git remote add NAME URL`, or pass `--remote`.
    #[error(
        "the repository has no remote {remote:?}; add it (`git remote add {remote} URL`) or pass --remote"
    )]
    RemoteUnknown {
        /// The name asked for.
        remote: String,
    },

    /// `TOKEN_MISSING`: the forge has an API but the token variable is unset or empty. Returned before anything is
    /// pushed. Not retryable until the variable is set.
    #[error("{forge} needs a token: set {variables} (see docs/DELIVERY.md); nothing was pushed")]
    TokenMissing {
        /// `github`, `gitea`, `forgejo`.
        forge: &'static str,
        /// The variables looked at, e.g. `GITEA_TOKEN or FORGEJO_TOKEN`.
        variables: String,
    },

    /// `REMOTE_UNREACHABLE`: git could not talk to the remote (network, DNS, authentication, no such repository).
    /// Returned by the push step. Retryable once the remote is reachable; `stderr` is git's own words.
    #[error("cannot reach remote {remote} ({url}): {stderr}")]
    RemoteUnreachable {
        /// The remote's name.
        remote: String,
        /// Its URL without credentials.
        url: String,
        /// git's stderr, scrubbed.
        stderr: String,
    },

    /// `REMOTE_BRANCH_MOVED`: the remote already has `autodev/<id>` at another commit (someone pushed to it).
    /// Returned by the push step; nothing was pushed, and autodev never force-pushes. Not retryable as is: look at
    /// the remote branch, then delete it there (or keep it and open the pull request yourself).
    #[error(
        "{remote}/{branch} is at {remote_commit}, not at autodev's commit {local_commit}: it moved on the remote; \
         nothing was pushed (autodev never force-pushes). Look at it, then delete the remote branch to publish again"
    )]
    RemoteBranchMoved {
        /// The remote's name.
        remote: String,
        /// `autodev/<id>`.
        branch: String,
        /// Where the remote branch points.
        remote_commit: String,
        /// autodev's commit.
        local_commit: String,
    },

    /// `PUSH_REJECTED`: the remote refused the push (a server-side hook, branch protection, permissions). Returned
    /// by the push step. Not retryable until the remote's rules allow it; `message` is git's words.
    #[error("{remote} refused the push of {branch}: {message}")]
    PushRejected {
        /// The remote's name.
        remote: String,
        /// `autodev/<id>`.
        branch: String,
        /// git's explanation, scrubbed.
        message: String,
    },

    /// `FORGE_AUTH`: the forge refused the token (401, or 403 that is not a rate limit: missing scope or
    /// permission). Returned by the pull-request step, after the branch was pushed. Not retryable until the token
    /// is fixed; publishing again then opens the pull request.
    #[error("{forge} refused the token ({status}): {message}")]
    ForgeAuth {
        /// `github`, `gitea`, `forgejo`.
        forge: &'static str,
        /// The HTTP status.
        status: u16,
        /// The forge's message, scrubbed.
        message: String,
    },

    /// `FORGE_NOT_FOUND`: the forge does not know the repository (404; also what GitHub answers for a private
    /// repository the token cannot see). Returned by the pull-request step. Not retryable: check `repository` and
    /// `api_base` in delivery.toml and the token's repository access.
    #[error("{forge} has no repository {repository} at {api_base} (404): {message}")]
    ForgeNotFound {
        /// `github`, `gitea`, `forgejo`.
        forge: &'static str,
        /// `owner/name`.
        repository: String,
        /// The API base URL.
        api_base: String,
        /// The forge's message, scrubbed.
        message: String,
    },

    /// `FORGE_RATE_LIMITED`: the forge's rate limit is spent (429, or 403 with `x-ratelimit-remaining: 0` or
    /// `Retry-After`). Returned by the pull-request step. Retryable: after `retry_at` when the forge said when
    /// (publish retries once by itself when the wait is 5 seconds or less).
    #[error("{forge} rate limit reached{}", retry_suffix(retry_at))]
    ForgeRateLimited {
        /// `github`, `gitea`, `forgejo`.
        forge: &'static str,
        /// When to try again, from `Retry-After` or `x-ratelimit-reset`.
        retry_at: Option<DateTime<Utc>>,
    },

    /// `FORGE_ERROR`: any other failure talking to the forge (connection refused, 5xx, an answer that does not
    /// decode, a 409/422 with no pull request behind it). Returned by the pull-request step. Usually retryable;
    /// `message` says what the forge said, scrubbed.
    #[error("{forge} API: {message}")]
    Forge {
        /// `github`, `gitea`, `forgejo`.
        forge: &'static str,
        /// What went wrong.
        message: String,
    },

    /// `GIT_ERROR`: a local git command failed unexpectedly. Infrastructure; retryable once fixed.
    #[error("git {args} in {}: {stderr}", dir.display())]
    Git {
        /// Where it ran.
        dir: PathBuf,
        /// The arguments.
        args: String,
        /// git's stderr, scrubbed.
        stderr: String,
    },

    /// `QUEUE_ERROR`: the queue or its log could not be read or written. Infrastructure; retryable once fixed.
    #[error(transparent)]
    Queue(#[from] queue_core::Error),
}

/// What a `DELIVERY_FAILED` code ([`Error::code`]) means, in `lang` (one line, no final period): for a reader who
/// sees the code next to the English message the log recorded. Apply's codes are approval's; `None` for a code
/// neither knows.
pub fn explain_code(code: &str, lang: Lang) -> Option<String> {
    Some(match code {
        "CONFIG" => t!(lang, "delivery-code-config"),
        "REMOTE_UNKNOWN" => t!(lang, "delivery-code-remote-unknown"),
        "TOKEN_MISSING" => t!(lang, "delivery-code-token-missing"),
        "REMOTE_UNREACHABLE" => t!(lang, "delivery-code-remote-unreachable"),
        "REMOTE_BRANCH_MOVED" => t!(lang, "delivery-code-remote-branch-moved"),
        "PUSH_REJECTED" => t!(lang, "delivery-code-push-rejected"),
        "FORGE_AUTH" => t!(lang, "delivery-code-forge-auth"),
        "FORGE_NOT_FOUND" => t!(lang, "delivery-code-forge-not-found"),
        "FORGE_RATE_LIMITED" => t!(lang, "delivery-code-forge-rate-limited"),
        "FORGE_ERROR" => t!(lang, "delivery-code-forge-error"),
        _ => return approval::explain_code(code, lang),
    })
}

fn retry_suffix(at: &Option<DateTime<Utc>>) -> String {
    match at {
        Some(t) => format!("; try again after {}", t.to_rfc3339()),
        None => "; try again later".into(),
    }
}

impl Error {
    /// The stable code: the approval crate's code for [`Error::Approval`], else `CONFIG`, `REMOTE_UNKNOWN`,
    /// `TOKEN_MISSING`, `REMOTE_UNREACHABLE`, `REMOTE_BRANCH_MOVED`, `PUSH_REJECTED`, `FORGE_AUTH`,
    /// `FORGE_NOT_FOUND`, `FORGE_RATE_LIMITED`, `FORGE_ERROR`, `GIT_ERROR`, `QUEUE_ERROR`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Approval(e) => e.code(),
            Error::Config { .. } => "CONFIG",
            Error::RemoteUnknown { .. } => "REMOTE_UNKNOWN",
            Error::TokenMissing { .. } => "TOKEN_MISSING",
            Error::RemoteUnreachable { .. } => "REMOTE_UNREACHABLE",
            Error::RemoteBranchMoved { .. } => "REMOTE_BRANCH_MOVED",
            Error::PushRejected { .. } => "PUSH_REJECTED",
            Error::ForgeAuth { .. } => "FORGE_AUTH",
            Error::ForgeNotFound { .. } => "FORGE_NOT_FOUND",
            Error::ForgeRateLimited { .. } => "FORGE_RATE_LIMITED",
            Error::Forge { .. } => "FORGE_ERROR",
            Error::Git { .. } => "GIT_ERROR",
            Error::Queue(_) => "QUEUE_ERROR",
        }
    }

    /// Whether this is a refusal of the request (exit 1: fix something, then publish again) rather than an
    /// infrastructure error (exit 2: the same request may succeed later).
    pub fn is_refusal(&self) -> bool {
        match self {
            Error::Approval(e) => e.is_refusal(),
            Error::Config { .. }
            | Error::RemoteUnknown { .. }
            | Error::TokenMissing { .. }
            | Error::RemoteBranchMoved { .. }
            | Error::PushRejected { .. }
            | Error::ForgeAuth { .. }
            | Error::ForgeNotFound { .. } => true,
            Error::RemoteUnreachable { .. }
            | Error::ForgeRateLimited { .. }
            | Error::Forge { .. }
            | Error::Git { .. }
            | Error::Queue(_) => false,
        }
    }

    /// Whether publishing again unchanged may succeed (network, rate limit, forge or local infrastructure).
    pub fn is_retryable(&self) -> bool {
        !self.is_refusal()
    }

    /// When to retry, for [`Error::ForgeRateLimited`].
    pub fn retry_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Error::ForgeRateLimited { retry_at, .. } => *retry_at,
            _ => None,
        }
    }

    /// The process exit code: [`exit_codes::REJECTED`] for refusals, [`exit_codes::ERROR`] otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.is_refusal() {
            exit_codes::REJECTED
        } else {
            exit_codes::ERROR
        }
    }

    /// The sentence in `lang`, where a person reads it (`publish`, `deliver`, the bot's note after an approval):
    /// in English the same words as `Display` (logs, `DELIVERY_FAILED` and JSON keep `Display`); what git or the
    /// forge said is inserted as it said it.
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            Error::Approval(a) => a.localized(lang),
            Error::Config { file, message } => t!(
                lang,
                "delivery-err-config",
                file = &file.display(),
                message = message
            ),
            Error::RemoteUnknown { remote } => t!(
                lang,
                "delivery-err-remote-unknown",
                quoted = &format!("{remote:?}"),
                remote = remote
            ),
            Error::TokenMissing { forge, variables } => t!(
                lang,
                "delivery-err-token-missing",
                forge = *forge,
                variables = variables
            ),
            Error::RemoteUnreachable {
                remote,
                url,
                stderr,
            } => t!(
                lang,
                "delivery-err-remote-unreachable",
                remote = remote,
                url = url,
                stderr = stderr
            ),
            Error::RemoteBranchMoved {
                remote,
                branch,
                remote_commit,
                local_commit,
            } => t!(
                lang,
                "delivery-err-remote-branch-moved",
                remote = remote,
                branch = branch,
                theirs = remote_commit,
                ours = local_commit
            ),
            Error::PushRejected {
                remote,
                branch,
                message,
            } => t!(
                lang,
                "delivery-err-push-rejected",
                remote = remote,
                branch = branch,
                message = message
            ),
            Error::ForgeAuth {
                forge,
                status,
                message,
            } => t!(
                lang,
                "delivery-err-forge-auth",
                forge = *forge,
                status = status,
                message = message
            ),
            Error::ForgeNotFound {
                forge,
                repository,
                api_base,
                message,
            } => t!(
                lang,
                "delivery-err-forge-not-found",
                forge = *forge,
                repository = repository,
                api = api_base,
                message = message
            ),
            Error::ForgeRateLimited {
                forge,
                retry_at: Some(at),
            } => t!(
                lang,
                "delivery-err-rate-limited-until",
                forge = *forge,
                at = &at.to_rfc3339()
            ),
            Error::ForgeRateLimited {
                forge,
                retry_at: None,
            } => t!(lang, "delivery-err-rate-limited", forge = *forge),
            Error::Forge { forge, message } => t!(
                lang,
                "delivery-err-forge",
                forge = *forge,
                message = message
            ),
            Error::Git { dir, args, stderr } => t!(
                lang,
                "err-git",
                args = args,
                dir = &dir.display(),
                stderr = stderr
            ),
            Error::Queue(q) => q.localized(lang),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> queue_core::TaskId {
        "T20261125-0001".parse().unwrap()
    }

    /// One of each: every code [`Error::code`] can give of its own.
    fn every_error() -> Vec<Error> {
        let at = DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        vec![
            Error::Approval(approval::Error::NotApproved(id())),
            Error::Config {
                file: ".autodev_ssot/delivery.toml".into(),
                message: "repository \"x\" must be owner/name".into(),
            },
            Error::RemoteUnknown {
                remote: "upstream".into(),
            },
            Error::TokenMissing {
                forge: "gitea",
                variables: "GITEA_TOKEN or FORGEJO_TOKEN".into(),
            },
            Error::RemoteUnreachable {
                remote: "origin".into(),
                url: "https://example.invalid/r.git".into(),
                stderr: "fatal: unable to access".into(),
            },
            Error::RemoteBranchMoved {
                remote: "origin".into(),
                branch: "autodev/T20261125-0001".into(),
                remote_commit: "aaaa".into(),
                local_commit: "bbbb".into(),
            },
            Error::PushRejected {
                remote: "origin".into(),
                branch: "autodev/T20261125-0001".into(),
                message: "protected branch".into(),
            },
            Error::ForgeAuth {
                forge: "github",
                status: 401,
                message: "Bad credentials".into(),
            },
            Error::ForgeNotFound {
                forge: "github",
                repository: "o/r".into(),
                api_base: "https://api.github.com".into(),
                message: "Not Found".into(),
            },
            Error::ForgeRateLimited {
                forge: "github",
                retry_at: Some(at),
            },
            Error::ForgeRateLimited {
                forge: "github",
                retry_at: None,
            },
            Error::Forge {
                forge: "gitea",
                message: "HTTP 502".into(),
            },
            Error::Git {
                dir: "/r".into(),
                args: "ls-remote".into(),
                stderr: "fatal".into(),
            },
            Error::Queue(queue_core::Error::NotInitialised { path: "/q".into() }),
        ]
    }

    /// Every code a delivery can fail with is explained in both languages.
    #[test]
    fn every_code_is_explained() {
        for e in every_error() {
            let code = e.code();
            let en = explain_code(code, Lang::En).unwrap_or_default();
            let ko = explain_code(code, Lang::Ko).unwrap_or_default();
            assert!(
                !en.is_empty() && ko.chars().any(|c| ('가'..='힣').contains(&c)),
                "{code}"
            );
        }
        assert_eq!(
            explain_code("FORGE_AUTH", Lang::Ko).as_deref(),
            Some("포지가 토큰을 거부함")
        );
        assert_eq!(explain_code("SOMETHING_ELSE", Lang::Ko), None);
    }

    /// English says what `Display` says (logs and `DELIVERY_FAILED` keep `Display`); Korean is Korean.
    #[test]
    fn english_reads_as_display_and_korean_is_translated() {
        let all = every_error();
        for e in &all {
            assert_eq!(e.localized(Lang::En), e.to_string(), "{}", e.code());
            let ko = e.localized(Lang::Ko);
            assert!(
                ko.chars().any(|c| ('가'..='힣').contains(&c)) && ko != e.to_string(),
                "{}: {ko}",
                e.code()
            );
        }
        assert_eq!(
            all[2].localized(Lang::Ko),
            "저장소에 원격 \"upstream\"이 없습니다. 원격을 추가하거나(`git remote add upstream URL`) --remote를 주세요."
        );
    }
}
