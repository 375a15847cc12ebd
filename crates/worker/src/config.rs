//! Worker configuration with one documented precedence, and the source of every effective value.
//!
//! Highest wins:
//! 1. command-line flags (`autodev worker --model …`);
//! 2. the process environment (`OLLAMA_MODEL=…`);
//! 3. a `.env` file (`--env-file`, default `./.env`; the same file docker compose reads);
//! 4. `.autodev_ssot/worker.toml` in the target repository;
//! 5. built-in defaults.
//!
//! `autodev worker --print-config` shows each value and where it came from, so a model configured in two places
//! can never drift unnoticed.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::backend::{AnswerLimits, BackendKind};

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Built in.
    Default,
    /// `.autodev_ssot/worker.toml` (the key).
    SsotFile(PathBuf),
    /// A `.env` file.
    DotEnv(PathBuf),
    /// The process environment.
    Env,
    /// A command-line flag.
    Flag,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::SsotFile(p) => write!(f, "{}", p.display()),
            Source::DotEnv(p) => write!(f, "{}", p.display()),
            Source::Env => f.write_str("environment"),
            Source::Flag => f.write_str("command line"),
        }
    }
}

/// One setting: its environment variable name (the key everywhere), its value and its source.
#[derive(Debug, Clone)]
pub struct Setting {
    /// Environment variable name, e.g. `OLLAMA_MODEL`; lowercase in `worker.toml`.
    pub name: &'static str,
    /// The effective value, as text.
    pub value: String,
    /// Where it came from.
    pub source: Source,
}

/// The least temperature of a retry under `auto`: greedy decoding answers a retry with the answer the gate just
/// refused more often than not (measured on HumanEval with Qwen2.5-Coder-1.5B, docs/BENCHMARKS.md); 0.7 is what
/// Qwen's model cards recommend for its instruct models.
pub const AUTO_RETRY_TEMPERATURE: f32 = 0.7;

/// Every setting the worker reads: (environment name, default, help).
pub const SETTINGS: &[(&str, &str, &str)] = &[
    (
        "AUTODEV_BACKEND",
        "ollama",
        "ollama (native /api/chat) or openai (/v1/chat/completions: llama-server, vLLM, LM Studio)",
    ),
    (
        "OLLAMA_HOST",
        "http://127.0.0.1:11434",
        "the model server's base URL (Ollama's own variable; host:port is accepted)",
    ),
    ("OLLAMA_MODEL", "qwen2.5-coder:7b", "the model to ask"),
    (
        "OLLAMA_FALLBACK_MODEL",
        "",
        "a model to use when the first is not installed (empty: none)",
    ),
    (
        "AUTODEV_NUM_CTX",
        "8192",
        "context window sent with every Ollama request (num_ctx); prompts that would not fit are refused, never cut",
    ),
    (
        "AUTODEV_MAX_TOKENS",
        "2048",
        "most tokens the model may write per answer",
    ),
    ("AUTODEV_TEMPERATURE", "0.2", "sampling temperature"),
    (
        "AUTODEV_RETRY_TEMPERATURE",
        "auto",
        "sampling temperature of the tries after the first (auto: at least 0.7, so a retry does not repeat the rejected answer word for word)",
    ),
    (
        "AUTODEV_SEED",
        "",
        "sampling seed for reproducible answers (empty: server's choice)",
    ),
    (
        "AUTODEV_MAX_EDITS",
        "8",
        "most edits one answer may hold (bounds the structured-output schema; an answer with more is refused before any matching: EDIT_TOO_MANY)",
    ),
    (
        "AUTODEV_MAX_EDIT_CHARS",
        "0",
        "longest search/replace text in the schema, in characters (0: unbounded; 120 keeps a 135M model on track)",
    ),
    (
        "AUTODEV_EDIT_FORMAT",
        "auto",
        "how the model writes its change: definitions (only the changed functions and classes, merged by name; Python and Rust), whole (each changed file in full), search-replace (JSON edits) or auto (definitions for Python and Rust files, else whole, when the target files fit in three quarters of AUTODEV_MAX_TOKENS; a larger file by the parts the request names)",
    ),
    (
        "AUTODEV_MODEL_TRIES",
        "3",
        "answers asked per task: after a gate FAIL the model gets the reasons and tries again",
    ),
    (
        "AUTODEV_CANDIDATES",
        "3",
        "passing answers compared when the repository's gate.toml declares [[probe]] commands: once a patch passes, more answers are sampled at AUTODEV_RETRY_TEMPERATURE until this many passed the gate (at most twice as many answers, less one) and the one whose probe output agrees most with the others is kept; 1: the first passing patch",
    ),
    (
        "AUTODEV_FIRST_BYTE_TIMEOUT",
        "600",
        "seconds to wait for the first byte (a cold model can take minutes to load)",
    ),
    (
        "AUTODEV_IDLE_TIMEOUT",
        "120",
        "seconds of silence tolerated in the middle of an answer",
    ),
    (
        "AUTODEV_MAX_ANSWER_BYTES",
        "auto",
        "most bytes of text one answer may stream before it is cut (ANSWER_TOO_LARGE); auto: 32 per AUTODEV_MAX_TOKENS token, at least 262144",
    ),
    (
        "AUTODEV_ANSWER_TIMEOUT",
        "auto",
        "seconds one answer may take in all before it is cut (ANSWER_TOO_SLOW); auto: AUTODEV_FIRST_BYTE_TIMEOUT plus AUTODEV_MAX_TOKENS at 2 tokens/s",
    ),
    (
        "AUTODEV_POLL_MS",
        "1000",
        "how often an idle worker looks for new tasks, in milliseconds",
    ),
];

/// The effective worker configuration.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Which protocol.
    pub backend: BackendKind,
    /// Base URL, normalised (`http://host:port`).
    pub host: String,
    /// Model name.
    pub model: String,
    /// Fallback model.
    pub fallback_model: Option<String>,
    /// Context window.
    pub num_ctx: u32,
    /// Answer length cap.
    pub max_tokens: u32,
    /// Temperature.
    pub temperature: f32,
    /// Temperature of the second and later tries (`auto`: `max(temperature, 0.7)`).
    pub retry_temperature: f32,
    /// Seed.
    pub seed: Option<u64>,
    /// Answers per task.
    pub model_tries: u32,
    /// Candidates compared by probe output once a patch passes (1: none).
    pub candidates: u32,
    /// Schema bound: most edits per answer.
    pub max_edits: u32,
    /// Schema bound: longest search/replace string (0 = none).
    pub max_edit_chars: u32,
    /// The answer format; `None` is `auto`, chosen per task by [`crate::whole::choose`].
    pub edit_format: Option<crate::whole::EditFormat>,
    /// Cold-start tolerance.
    pub first_byte_timeout: Duration,
    /// Mid-stream silence tolerance.
    pub idle_timeout: Duration,
    /// Most bytes of text per answer (`auto`: derived from `max_tokens`).
    pub max_answer_bytes: usize,
    /// Longest time per answer (`auto`: derived from `max_tokens` and `first_byte_timeout`).
    pub answer_timeout: Duration,
    /// Idle poll interval.
    pub poll_interval: Duration,
    /// Every value with its source, in [`SETTINGS`] order.
    pub settings: Vec<Setting>,
}

/// Settings that cannot be used. Returned by [`WorkerConfig::load`] and [`read_dotenv`]; not retryable: fix the
/// named file or value.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A setting's value does not parse or is out of range.
    #[error("{name}={value:?} (from {source_}) is invalid: {reason}")]
    Setting {
        /// The setting.
        name: &'static str,
        /// The bad value.
        value: String,
        /// Where it came from.
        source_: Source,
        /// What is expected.
        reason: String,
    },
    /// A settings file (`.env`, `worker.toml`) that cannot be read as one: malformed, or naming a key autodev
    /// does not know (a typo would otherwise be ignored silently).
    #[error("{}{}: {reason}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    File {
        /// The file.
        path: PathBuf,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// What is wrong and what to do.
        reason: String,
    },
}

/// Inputs to [`WorkerConfig::load`].
#[derive(Debug, Default, Clone)]
pub struct ConfigInputs {
    /// Flag values by environment name.
    pub flags: BTreeMap<String, String>,
    /// The process environment (pass `std::env::vars()`; tests pass their own).
    pub env: BTreeMap<String, String>,
    /// `.env` file path, if one should be read.
    pub dotenv: Option<PathBuf>,
    /// `.autodev_ssot/worker.toml` path, if one should be read.
    pub ssot: Option<PathBuf>,
}

impl WorkerConfig {
    /// Resolves every setting by the documented precedence.
    pub fn load(inputs: &ConfigInputs) -> Result<WorkerConfig, ConfigError> {
        let mut settings = resolve(inputs)?;
        let v = Values(&settings);
        let backend: BackendKind = v.parse("AUTODEV_BACKEND", "expected ollama or openai")?;
        let host = crate::backend::ollama_url_from_host(Some(&v.get("OLLAMA_HOST").value));
        let model = v.get("OLLAMA_MODEL").value;
        if model.is_empty() {
            return Err(v.bad("OLLAMA_MODEL", "a model name such as qwen2.5-coder:7b"));
        }
        let fallback =
            Some(v.get("OLLAMA_FALLBACK_MODEL").value).filter(|f| !f.is_empty() && *f != model);
        let num_ctx: u32 = v.within(
            "AUTODEV_NUM_CTX",
            512..=1_048_576,
            "a whole number of tokens from 512 to 1048576",
        )?;
        let max_tokens: u32 = v.parse("AUTODEV_MAX_TOKENS", "a whole number of tokens")?;
        if max_tokens == 0 || max_tokens >= num_ctx {
            return Err(v.bad(
                "AUTODEV_MAX_TOKENS",
                "more than 0 and less than AUTODEV_NUM_CTX",
            ));
        }
        let temperature: f32 = v.within(
            "AUTODEV_TEMPERATURE",
            0.0..=2.0,
            "a number from 0 to 2, such as 0.2",
        )?;
        let retry_temperature = match auto(&v.get("AUTODEV_RETRY_TEMPERATURE")) {
            None => temperature.max(AUTO_RETRY_TEMPERATURE),
            Some(_) => v.within(
                "AUTODEV_RETRY_TEMPERATURE",
                0.0..=2.0,
                "a number from 0 to 2, such as 0.7, or auto",
            )?,
        };
        let seed = if v.get("AUTODEV_SEED").value.is_empty() {
            None
        } else {
            Some(v.parse("AUTODEV_SEED", "a whole number")?)
        };
        let first_byte_timeout = v.secs("AUTODEV_FIRST_BYTE_TIMEOUT")?;
        let derived = AnswerLimits::derived(max_tokens, first_byte_timeout);
        let max_answer_bytes = match auto(&v.get("AUTODEV_MAX_ANSWER_BYTES")) {
            None => derived.max_bytes,
            Some(_) => v.within(
                "AUTODEV_MAX_ANSWER_BYTES",
                1024..=usize::MAX,
                "a whole number of bytes (at least 1024), or auto",
            )?,
        };
        let answer_timeout = match auto(&v.get("AUTODEV_ANSWER_TIMEOUT")) {
            None => derived.timeout,
            Some(_) => v.secs("AUTODEV_ANSWER_TIMEOUT")?,
        };
        let config = WorkerConfig {
            backend,
            host,
            model,
            fallback_model: fallback,
            num_ctx,
            max_tokens,
            temperature,
            retry_temperature,
            seed,
            model_tries: v.within("AUTODEV_MODEL_TRIES", 1..=10, "a whole number from 1 to 10")?,
            candidates: v.within("AUTODEV_CANDIDATES", 1..=10, "a whole number from 1 to 10")?,
            max_edits: v.within("AUTODEV_MAX_EDITS", 1..=100, "a whole number from 1 to 100")?,
            max_edit_chars: v.parse("AUTODEV_MAX_EDIT_CHARS", "a whole number of characters")?,
            edit_format: match v.get("AUTODEV_EDIT_FORMAT").value.as_str() {
                "auto" => None,
                other => Some(other.parse().map_err(|()| {
                    v.bad(
                        "AUTODEV_EDIT_FORMAT",
                        "auto, definitions, whole or search-replace",
                    )
                })?),
            },
            first_byte_timeout,
            idle_timeout: v.secs("AUTODEV_IDLE_TIMEOUT")?,
            max_answer_bytes,
            answer_timeout,
            poll_interval: Duration::from_millis(
                v.parse::<u64>("AUTODEV_POLL_MS", "milliseconds")?.max(50),
            ),
            settings: Vec::new(),
        };
        // `--print-config` shows what `auto` came to.
        for setting in &mut settings {
            match setting.name {
                "AUTODEV_MAX_ANSWER_BYTES" if auto(setting).is_none() => {
                    setting.value = format!("auto ({})", config.max_answer_bytes);
                }
                "AUTODEV_RETRY_TEMPERATURE" if auto(setting).is_none() => {
                    setting.value = format!("auto ({})", config.retry_temperature);
                }
                "AUTODEV_ANSWER_TIMEOUT" if auto(setting).is_none() => {
                    setting.value = format!("auto ({})", config.answer_timeout.as_secs());
                }
                _ => {}
            }
        }
        Ok(WorkerConfig { settings, ..config })
    }

    /// The byte and time limits every answer gets.
    pub fn answer_limits(&self) -> AnswerLimits {
        AnswerLimits {
            max_bytes: self.max_answer_bytes,
            timeout: self.answer_timeout,
        }
    }

    /// A table of every setting, its value and its source (for `--print-config` and `doctor`).
    pub fn describe(&self) -> String {
        let w = self
            .settings
            .iter()
            .map(|s| s.name.len())
            .max()
            .unwrap_or(10);
        let mut out = String::new();
        for s in &self.settings {
            let v = if s.value.is_empty() {
                "(none)".to_string()
            } else {
                s.value.clone()
            };
            out.push_str(&format!("{:<w$}  {:<28}  {}\n", s.name, v, s.source));
        }
        out
    }
}

/// Every setting's value and source, by the documented precedence: flag, environment, `.env`, `worker.toml`,
/// default.
fn resolve(inputs: &ConfigInputs) -> Result<Vec<Setting>, ConfigError> {
    let dotenv = match &inputs.dotenv {
        Some(p) => read_dotenv(p)?.map(|m| (p.clone(), m)),
        None => None,
    };
    let ssot = match &inputs.ssot {
        Some(p) => read_ssot(p)?.map(|m| (p.clone(), m)),
        None => None,
    };
    let from_file = |file: &Option<(PathBuf, BTreeMap<String, String>)>, key: &str| {
        file.as_ref()
            .and_then(|(p, m)| m.get(key).map(|v| (v.clone(), p.clone())))
    };
    Ok(SETTINGS
        .iter()
        .map(|(name, default, _)| {
            let (value, source) = if let Some(v) = inputs.flags.get(*name) {
                (v.clone(), Source::Flag)
            } else if let Some(v) = inputs.env.get(*name) {
                (v.clone(), Source::Env)
            } else if let Some((v, p)) = from_file(&dotenv, name) {
                (v, Source::DotEnv(p))
            } else if let Some((v, p)) = from_file(&ssot, &name.to_ascii_lowercase()) {
                (v, Source::SsotFile(p))
            } else {
                ((*default).to_string(), Source::Default)
            };
            Setting {
                name,
                value: value.trim().to_string(),
                source,
            }
        })
        .collect())
}

/// Typed reads of resolved settings; every error names the setting, its value and where it came from.
struct Values<'a>(&'a [Setting]);

impl Values<'_> {
    fn get(&self, name: &str) -> Setting {
        self.0
            .iter()
            .find(|s| s.name == name)
            .cloned()
            .unwrap_or(Setting {
                name: "?",
                value: String::new(),
                source: Source::Default,
            })
    }

    fn bad(&self, name: &str, reason: &str) -> ConfigError {
        let s = self.get(name);
        ConfigError::Setting {
            name: s.name,
            value: s.value,
            source_: s.source,
            reason: reason.to_string(),
        }
    }

    fn parse<T: std::str::FromStr>(&self, name: &str, what: &str) -> Result<T, ConfigError> {
        self.get(name)
            .value
            .parse()
            .map_err(|_| self.bad(name, what))
    }

    /// Parsed and inside `range`; `what` says both the form and the range.
    fn within<T: std::str::FromStr + PartialOrd>(
        &self,
        name: &str,
        range: std::ops::RangeInclusive<T>,
        what: &str,
    ) -> Result<T, ConfigError> {
        let v: T = self.parse(name, what)?;
        if range.contains(&v) {
            Ok(v)
        } else {
            Err(self.bad(name, what))
        }
    }

    /// Whole seconds, at least 1.
    fn secs(&self, name: &str) -> Result<Duration, ConfigError> {
        let v: u64 = self.within(name, 1..=u64::MAX, "a whole number of seconds, at least 1")?;
        Ok(Duration::from_secs(v))
    }
}

/// `None` when a setting says `auto` (or is empty): derive it; else the setting.
fn auto(setting: &Setting) -> Option<Setting> {
    let v = setting.value.trim();
    if v.is_empty() || v.eq_ignore_ascii_case("auto") {
        None
    } else {
        Some(setting.clone())
    }
}

/// Reads a `.env` file the way Docker Compose and `dotenvy` do (`KEY=VALUE`, `export ` prefix, quotes, `#`
/// comments). `Ok(None)` when the file does not exist; a malformed line is an error naming the file and line,
/// never skipped (a token on a broken line would silently go missing).
pub fn read_dotenv(path: &Path) -> Result<Option<BTreeMap<String, String>>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ConfigError::File {
                path: path.to_path_buf(),
                line: None,
                reason: format!("cannot be read: {e}"),
            });
        }
    };
    let mut out = BTreeMap::new();
    for item in dotenvy::from_read_iter(text.as_bytes()) {
        match item {
            Ok((k, v)) => {
                out.insert(k, v);
            }
            Err(e) => {
                let line = match &e {
                    dotenvy::Error::LineParse(bad, _) => text
                        .lines()
                        .position(|l| l.contains(bad.trim_end()))
                        .map(|i| i + 1),
                    _ => None,
                };
                return Err(ConfigError::File {
                    path: path.to_path_buf(),
                    line,
                    reason: format!("not a KEY=VALUE line ({e}); quote values with spaces or `#`"),
                });
            }
        }
    }
    Ok(Some(out))
}

/// Reads `.autodev_ssot/worker.toml`: flat `key = value` pairs (keys are the lowercase environment names).
/// `Ok(None)` when the file does not exist; malformed TOML, a table, or a key that is not a setting is an error
/// with the file and line (and the nearest known key for a typo).
fn read_ssot(path: &Path) -> Result<Option<BTreeMap<String, String>>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ConfigError::File {
                path: path.to_path_buf(),
                line: None,
                reason: format!("cannot be read: {e}"),
            });
        }
    };
    let file_err = |line: Option<usize>, reason: String| ConfigError::File {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e
            .span()
            .map(|r| text[..r.start.min(text.len())].matches('\n').count() + 1);
        file_err(line, format!("not valid TOML: {}", e.message()))
    })?;
    let mut out = BTreeMap::new();
    for (k, v) in table {
        let key = k.to_ascii_lowercase();
        let line = line_of_key(&text, &k);
        if !SETTINGS
            .iter()
            .any(|(name, _, _)| name.eq_ignore_ascii_case(&key))
        {
            let hint = nearest_setting(&key)
                .map(|n| format!(" (did you mean `{}`?)", n.to_ascii_lowercase()))
                .unwrap_or_default();
            return Err(file_err(
                line,
                format!(
                    "`{k}` is not a worker setting{hint}; `autodev worker --print-config` lists them all"
                ),
            ));
        }
        let value = match v {
            toml::Value::String(s) => s,
            toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_) => {
                v.to_string()
            }
            _ => {
                return Err(file_err(
                    line,
                    format!("`{k}` must be a string or a number, not a table or a list"),
                ));
            }
        };
        out.insert(key, value);
    }
    Ok(Some(out))
}

/// The 1-based line where `key` is assigned in a flat TOML file.
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            let l = l
                .strip_prefix('"')
                .and_then(|r| r.strip_prefix(key))
                .and_then(|r| r.strip_prefix('"'))
                .or_else(|| l.strip_prefix(key));
            l.is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

/// The setting whose lowercase name is closest to `key` (at most 3 edits away).
fn nearest_setting(key: &str) -> Option<&'static str> {
    SETTINGS
        .iter()
        .map(|(name, _, _)| (edit_distance(key, &name.to_ascii_lowercase()), *name))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The default `.autodev_ssot/worker.toml`.
pub fn default_worker_toml() -> String {
    let mut s = String::from(
        "# autodev worker settings (.autodev_ssot/worker.toml)\n\
         #\n\
         # Precedence, highest first: command-line flags > environment variables > .env file > this file > defaults.\n\
         # Keys are the environment variable names in lowercase. `autodev worker --print-config` shows every\n\
         # effective value and where it came from.\n\n",
    );
    for (name, default, help) in SETTINGS {
        s.push_str(&format!(
            "# {help}\n# {} = \"{default}\"\n\n",
            name.to_ascii_lowercase()
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_load_and_every_setting_is_listed() {
        let c = WorkerConfig::load(&ConfigInputs::default()).unwrap();
        assert_eq!(c.model, "qwen2.5-coder:7b");
        assert_eq!(c.host, "http://127.0.0.1:11434");
        assert_eq!(c.settings.len(), SETTINGS.len());
        assert!(c.settings.iter().all(|s| s.source == Source::Default));
    }

    #[test]
    fn precedence_is_flag_env_dotenv_ssot_default() {
        let dir = tempfile::tempdir().unwrap();
        let dotenv = dir.path().join(".env");
        std::fs::write(
            &dotenv,
            "export OLLAMA_MODEL=\"dot:1\"\nAUTODEV_SEED=5 # comment\n",
        )
        .unwrap();
        let ssot = dir.path().join("worker.toml");
        std::fs::write(
            &ssot,
            "ollama_model = \"ssot:1\"\nautodev_num_ctx = 4096\nollama_host = \"0.0.0.0\"\n",
        )
        .unwrap();
        let mut inputs = ConfigInputs {
            dotenv: Some(dotenv),
            ssot: Some(ssot),
            ..Default::default()
        };
        let c = WorkerConfig::load(&inputs).unwrap();
        assert_eq!(
            (c.model.as_str(), c.seed, c.num_ctx),
            ("dot:1", Some(5), 4096)
        );
        assert_eq!(
            c.host, "http://127.0.0.1:11434",
            "a bind-all address means this machine"
        );
        inputs.env.insert("OLLAMA_MODEL".into(), "env:1".into());
        assert_eq!(WorkerConfig::load(&inputs).unwrap().model, "env:1");
        inputs.flags.insert("OLLAMA_MODEL".into(), "flag:1".into());
        let c = WorkerConfig::load(&inputs).unwrap();
        assert_eq!(c.model, "flag:1");
        assert!(c.describe().contains("command line"));
    }

    #[test]
    fn a_typo_or_malformed_line_in_a_settings_file_is_an_error_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let ssot = dir.path().join("worker.toml");
        let load = |ssot: &Path| {
            WorkerConfig::load(&ConfigInputs {
                ssot: Some(ssot.to_path_buf()),
                ..Default::default()
            })
        };
        std::fs::write(
            &ssot,
            "# settings\nollama_model = \"m:1\"\nautodev_num_cxt = 4096\n",
        )
        .unwrap();
        let e = load(&ssot).unwrap_err().to_string();
        assert!(e.contains("worker.toml:3:"), "{e}");
        assert!(e.contains("did you mean `autodev_num_ctx`"), "{e}");
        std::fs::write(&ssot, "ollama_model = \"m:1\"\nautodev_seed = = 3\n").unwrap();
        let e = load(&ssot).unwrap_err().to_string();
        assert!(
            e.contains("worker.toml:2:") && e.contains("not valid TOML"),
            "{e}"
        );
        std::fs::write(&ssot, "[ollama]\nmodel = \"m\"\n").unwrap();
        assert!(load(&ssot).is_err());
        // A missing file is no file.
        assert!(load(&dir.path().join("absent.toml")).is_ok());

        let dotenv = dir.path().join(".env");
        std::fs::write(&dotenv, "OLLAMA_MODEL=a\nTHIS LINE IS BROKEN\n").unwrap();
        let e = read_dotenv(&dotenv).unwrap_err().to_string();
        assert!(e.contains(".env:2:"), "{e}");
    }

    #[test]
    fn answer_limits_follow_max_tokens_unless_set() {
        let mut inputs = ConfigInputs::default();
        inputs.env.insert("AUTODEV_NUM_CTX".into(), "32768".into());
        inputs
            .env
            .insert("AUTODEV_MAX_TOKENS".into(), "16384".into());
        let c = WorkerConfig::load(&inputs).unwrap();
        assert_eq!(c.answer_limits().max_bytes, 16384 * 32);
        assert_eq!(
            c.answer_limits().timeout,
            Duration::from_secs(600 + 16384 / 2)
        );
        let table = c.describe();
        assert!(table.contains("auto (524288)"), "{table}");
        assert!(table.contains("auto (8792)"), "{table}");

        inputs
            .env
            .insert("AUTODEV_MAX_ANSWER_BYTES".into(), "65536".into());
        inputs
            .env
            .insert("AUTODEV_ANSWER_TIMEOUT".into(), "30".into());
        let c = WorkerConfig::load(&inputs).unwrap();
        assert_eq!(
            (c.max_answer_bytes, c.answer_timeout),
            (65536, Duration::from_secs(30))
        );

        inputs
            .env
            .insert("AUTODEV_MAX_ANSWER_BYTES".into(), "100".into());
        let e = WorkerConfig::load(&inputs).unwrap_err().to_string();
        assert!(e.contains("AUTODEV_MAX_ANSWER_BYTES"), "{e}");
    }

    #[test]
    fn bad_values_name_the_setting_and_its_source() {
        let mut inputs = ConfigInputs::default();
        inputs.env.insert("AUTODEV_NUM_CTX".into(), "lots".into());
        let e = WorkerConfig::load(&inputs).unwrap_err().to_string();
        assert!(
            e.contains("AUTODEV_NUM_CTX") && e.contains("environment"),
            "{e}"
        );
    }
}
