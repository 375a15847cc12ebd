//! Where the long-running commands (`worker`, `telegram`, `doctor`) find their settings: the process
//! environment, then the `.env` file (`--env-file`, else `./.env` when present). One loader, so `doctor` never
//! passes a token the bot would not see.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The environment and the `.env` file, read once.
pub(crate) struct Settings {
    env: BTreeMap<String, String>,
    /// The `.env` file and its pairs, when there is one.
    file: Option<(PathBuf, BTreeMap<String, String>)>,
}

impl Settings {
    /// Reads `env_file` (which must exist), else `./.env` in `cwd` when present. A malformed `.env` is an error
    /// with its line.
    pub(crate) fn load(
        env_file: Option<&Path>,
        cwd: &Path,
        lang: i18n::Lang,
    ) -> anyhow::Result<Settings> {
        let path = match env_file {
            Some(p) => {
                anyhow::ensure!(
                    p.exists(),
                    i18n::t!(lang, "cli-err-env-file-missing", path = &p.display())
                );
                Some(p.to_path_buf())
            }
            None => Some(cwd.join(".env")).filter(|p| p.exists()),
        };
        let file = match path {
            Some(p) => worker::config::read_dotenv(&p)?.map(|m| (p, m)),
            None => None,
        };
        Ok(Settings {
            env: std::env::vars().collect(),
            file,
        })
    }

    /// The `.env` file in use, if any.
    pub(crate) fn dotenv_path(&self) -> Option<&Path> {
        self.file.as_ref().map(|(p, _)| p.as_path())
    }

    /// `name`'s value and where it came from ("environment" or the `.env` path); empty values count as unset.
    pub(crate) fn lookup(&self, name: &str) -> Option<(String, String)> {
        if let Some(v) = self.env.get(name).filter(|v| !v.trim().is_empty()) {
            return Some((v.trim().to_owned(), "environment".to_owned()));
        }
        let (path, map) = self.file.as_ref()?;
        let v = map.get(name).filter(|v| !v.trim().is_empty())?;
        Some((v.trim().to_owned(), path.display().to_string()))
    }

    /// `name`'s value, wherever it came from.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        self.lookup(name).map(|(v, _)| v)
    }
}

/// The worker's settings as `autodev worker` resolves them (flags > environment > `.env` >
/// `.autodev_ssot/worker.toml` > defaults); `doctor` uses the same, so it judges what the worker will use.
pub(crate) fn worker_config(
    model: &crate::cli::ModelArgs,
    extra_flags: &[(&str, Option<String>)],
    settings: &Settings,
    cwd: &Path,
) -> anyhow::Result<worker::WorkerConfig> {
    let flags: BTreeMap<String, String> = [
        ("OLLAMA_MODEL", model.model.clone()),
        ("OLLAMA_FALLBACK_MODEL", model.fallback_model.clone()),
        ("OLLAMA_HOST", model.host.clone()),
        ("AUTODEV_BACKEND", model.backend.clone()),
        ("AUTODEV_NUM_CTX", model.num_ctx.map(|n| n.to_string())),
    ]
    .into_iter()
    .chain(extra_flags.iter().cloned())
    .filter_map(|(k, v)| Some((k.to_owned(), v?)))
    .collect();
    let ssot = super::repo_top(cwd)
        .map(|t| t.join(".autodev_ssot/worker.toml"))
        .filter(|p| p.exists());
    let inputs = worker::ConfigInputs {
        flags,
        env: settings.env.clone(),
        dotenv: settings.dotenv_path().map(Path::to_path_buf),
        ssot,
    };
    Ok(worker::WorkerConfig::load(&inputs)?)
}
