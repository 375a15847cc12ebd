//! `.autodev_ssot/delivery.toml`: where and how approved patches are delivered.
//!
//! Read from the repository's **working tree**, like `worker.toml`, not at the task's base commit: it holds the
//! operator's settings (remote, forge, token variable), not rules that judge a patch. A patch cannot change it
//! either way: the default policy protects `.autodev_ssot/`, and apply commits on a branch, never into the
//! working tree.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::{Error, Result};

/// Path of the file inside a repository.
pub const FILE: &str = ".autodev_ssot/delivery.toml";

/// The default `delivery.toml` that `autodev init` writes: every key commented out, with its default.
pub const DEFAULT_DELIVERY_TOML: &str = r#"# autodev delivery settings (.autodev_ssot/delivery.toml): where `autodev publish ID` pushes the
# applied branch autodev/<ID> and opens a pull request. Read from the working tree. See docs/DELIVERY.md.
# Tokens never go in this file: name the environment variable that holds one (token_env).

# What happens once a task is approved: "none" (you run apply/publish), "apply" or "publish".
# on_approve = "none"

# The git remote to push to (a name from `git remote -v`).
# remote = "origin"

# "auto" (github.com remotes are GitHub; otherwise push only, unless api_base is set), "github", "gitea",
# "forgejo" or "none" (push only, no pull request).
# forge = "auto"

# The forge's API base URL. Default: https://api.github.com for GitHub; https://<host>/api/v1 for Gitea/Forgejo.
# api_base = "https://git.example.com/api/v1"

# owner/name on the forge, when the remote's URL does not say it.
# repository = "me/my-project"

# The branch pull requests target. Default: the forge's default branch, else the task's base branch, else main.
# base_branch = "main"

# The variable holding the token. Default: GITHUB_TOKEN for GitHub; GITEA_TOKEN, then FORGEJO_TOKEN.
# token_env = "GITHUB_TOKEN"

# Open pull requests as drafts (GitHub) or with a "WIP: " title (Gitea/Forgejo); `--ready` overrides.
# draft = true
"#;

/// What happens after `autodev approve` (the approval crate does not act on it; the caller does).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnApprove {
    /// Nothing: a person runs `autodev apply` or `autodev publish`.
    #[default]
    None,
    /// Commit on `autodev/<id>`.
    Apply,
    /// Commit, push and open a pull request.
    Publish,
}

/// Which forge the remote lives on, as configured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForgeSetting {
    /// Work it out from the remote's URL and `api_base`.
    #[default]
    Auto,
    /// GitHub (REST v3).
    Github,
    /// Gitea (REST v1).
    Gitea,
    /// Forgejo (Gitea's API).
    Forgejo,
    /// Push only.
    None,
}

/// `.autodev_ssot/delivery.toml`. Unknown keys are refused (a typo must not silently change where code goes).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliveryConfig {
    /// What to do once a task is approved.
    pub on_approve: OnApprove,
    /// The git remote's name.
    pub remote: String,
    /// The forge.
    pub forge: ForgeSetting,
    /// The forge's API base URL.
    pub api_base: Option<String>,
    /// `owner/name` on the forge.
    pub repository: Option<String>,
    /// The branch pull requests target.
    pub base_branch: Option<String>,
    /// The environment variable holding the token.
    pub token_env: Option<String>,
    /// Open pull requests as drafts.
    pub draft: bool,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            on_approve: OnApprove::None,
            remote: "origin".into(),
            forge: ForgeSetting::Auto,
            api_base: None,
            repository: None,
            base_branch: None,
            token_env: None,
            draft: true,
        }
    }
}

impl DeliveryConfig {
    /// Parses the text of a `delivery.toml` (`file` names it in errors).
    pub fn parse(text: &str, file: &Path) -> Result<DeliveryConfig> {
        let cfg: DeliveryConfig = toml::from_str(text).map_err(|e| Error::Config {
            file: file.to_path_buf(),
            message: e.message().to_owned(),
        })?;
        cfg.validate(file)?;
        Ok(cfg)
    }

    /// Reads `<repo>/.autodev_ssot/delivery.toml` from the working tree; the defaults when there is none.
    pub fn load(repo: &Path) -> Result<DeliveryConfig> {
        let path = repo.join(FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => DeliveryConfig::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(DeliveryConfig::default()),
            Err(e) => Err(Error::Config {
                file: path,
                message: format!("cannot read it: {e}"),
            }),
        }
    }

    fn validate(&self, file: &Path) -> Result<()> {
        let bad = |message: String| {
            Err(Error::Config {
                file: PathBuf::from(file),
                message,
            })
        };
        if !crate::push::valid_remote_name(&self.remote) {
            return bad(format!("remote {:?} is not a git remote name", self.remote));
        }
        if let Some(r) = &self.repository
            && crate::forge::split_repository(r).is_none()
        {
            return bad(format!("repository {r:?} must be owner/name"));
        }
        if let Some(b) = &self.base_branch
            && (b.is_empty() || b.starts_with('-') || b.contains(char::is_whitespace))
        {
            return bad(format!("base_branch {b:?} is not a branch name"));
        }
        if let Some(t) = &self.token_env
            && (t.is_empty() || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            return bad(format!(
                "token_env {t:?} must be the NAME of an environment variable (letters, digits, _), never a token"
            ));
        }
        if let Some(a) = &self.api_base
            && reqwest::Url::parse(a)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .is_none()
        {
            return bad(format!("api_base {a:?} is not an http(s) URL"));
        }
        Ok(())
    }
}
