//! `autodev doctor`: every preflight check in one place, each a [`Check`] with a status and what to do.
//!
//! The checks, in order: the platform (WSL1/WSL2 and its Windows host, Docker Desktop), git, the repository, the
//! queue (writable, one filesystem), files in the queue named like tasks that are not readable ones, free disk,
//! a repository or queue on a Windows drive, the sandbox the
//! gate's checks get (Landlock, bubblewrap, or refused), the model server, the configured and fallback models, GPU memory against the model and its KV cache, the Telegram
//! bot token, and drift between OpenClaw's model and autodev's. A check never panics and never prints a
//! secret; a check that cannot run says why (`SKIP`) instead of failing.
//!
//! # The memory estimate
//!
//! Ollama keeps the model's weights and a KV cache for the whole context window on the GPU:
//!
//! ```text
//! KV bytes ≈ 2 × n_layers × num_ctx × n_kv_heads × head_dim × bytes_per_element
//! ```
//!
//! (2: one key and one value vector per layer and token.) `n_layers`, `n_kv_heads` and `head_dim` come
//! from Ollama's `/api/show` `model_info` (`<arch>.block_count`, `<arch>.attention.head_count_kv`,
//! `<arch>.attention.key_length`, else `embedding_length / head_count`). `bytes_per_element` is 2 for the
//! default f16 cache, 1 for `OLLAMA_KV_CACHE_TYPE=q8_0`, 0.5 for `q4_0`. When the server gives no layout
//! the estimate assumes a Llama-3-8B shape (32 layers, 8 KV heads, head size 128: 128 KiB per token at
//! f16), which is on the high side for the 1.5B–14B coding models autodev is used with. The need is the
//! model's size on disk (`/api/tags`) plus the KV cache; compute graphs add a few hundred MiB more.
//!
//! The KV-cache estimate the GPU check adds to the model's size (see docs/OPERATIONS.md for the formula):
//!
//! ```
//! use doctor::kv::{kv_cache_bytes, Layout};
//! // qwen2.5-coder:7b: 28 layers, 4 KV heads of width 128; 8192 tokens of f16 cache.
//! let layout = Layout { n_layers: 28, n_kv_heads: 4, head_dim: 128, from_server: true };
//! assert_eq!(kv_cache_bytes(layout, 8192, "f16"), 2 * 28 * 8192 * 4 * 128 * 2);
//! ```

mod checks;
pub mod kv;
pub mod openclaw;
pub mod platform;

use std::path::PathBuf;
use std::time::Duration;

use i18n::{Lang, Msg, msg, t};
use serde::Serialize;
use worker::WorkerConfig;

pub use checks::run;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// Fine.
    Pass,
    /// Works, but something deserves attention (slow, soon full, configured twice).
    Warn,
    /// autodev will not work until this is fixed; `autodev doctor` exits 1.
    Fail,
    /// Not applicable or could not be checked (no GPU tool, nothing configured, a prerequisite failed).
    Skip,
}

impl Status {
    /// `PASS`, `WARN`, `FAIL`, `SKIP`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Short stable name: `git`, `repo`, `queue`, `queue_database`, `queue_files`, `disk`, `sandbox`, `backend`, `model`, `fallback_model`,
    /// `gpu_memory`, `telegram`, `openclaw`.
    pub name: &'static str,
    /// The verdict.
    pub status: Status,
    /// What was found, in English (the `--json` report).
    pub message: String,
    /// What to do about it, in English (absent when nothing needs doing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The finding as a catalogue message, for [`Check::message_in`].
    #[serde(skip)]
    text: Msg,
    /// The fix as a catalogue message.
    #[serde(skip)]
    fix_text: Option<Msg>,
}

impl Check {
    fn new(name: &'static str, status: Status, text: Msg) -> Check {
        Check {
            name,
            status,
            message: text.render(Lang::En),
            fix: None,
            text,
            fix_text: None,
        }
    }

    /// A finding that is already words from elsewhere (git's version line, an OS error): shown as it is.
    fn raw(name: &'static str, status: Status, text: impl Into<String>) -> Check {
        Check::new(name, status, msg!("doctor-raw", text = &text.into()))
    }

    fn fix(mut self, fix: Msg) -> Check {
        self.fix = Some(fix.render(Lang::En));
        self.fix_text = Some(fix);
        self
    }

    /// What was found, in `lang`.
    pub fn message_in(&self, lang: Lang) -> String {
        self.text.render(lang)
    }

    /// What to do, in `lang`.
    pub fn fix_in(&self, lang: Lang) -> Option<String> {
        self.fix_text.as_ref().map(|f| f.render(lang))
    }
}

/// What the checks look at.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The effective worker configuration (with each value's source).
    pub config: WorkerConfig,
    /// The queue directory.
    pub queue_dir: PathBuf,
    /// The queue's PostgreSQL address, when the queue is a database (`--queue postgres://…`): then the
    /// database is checked (connection, schema version, server version) instead of the folder.
    pub queue_url: Option<String>,
    /// The directory whose git repository autodev should change (usually the current directory).
    pub repo_dir: PathBuf,
    /// `TELEGRAM_BOT_TOKEN` and where it came from, when configured. Never printed.
    pub telegram_token: Option<(String, String)>,
    /// The Bot API root (`https://api.telegram.org`; `TELEGRAM_API_BASE` for a local Bot API server).
    pub telegram_api_root: String,
    /// OpenClaw's config file (`~/.openclaw/openclaw.json`).
    pub openclaw_config: Option<PathBuf>,
    /// The `nvidia-smi` program to ask for free GPU memory.
    pub nvidia_smi: String,
    /// `OLLAMA_KV_CACHE_TYPE` as the Ollama server is configured (f16 when unknown).
    pub kv_cache_type: String,
    /// Limit for each network call.
    pub timeout: Duration,
    /// Where the platform checks (WSL2, Docker Desktop) look.
    pub platform: platform::PlatformInputs,
}

/// Counts of a finished run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Checks that passed.
    pub pass: usize,
    /// Warnings.
    pub warn: usize,
    /// Failures.
    pub fail: usize,
    /// Skipped checks.
    pub skip: usize,
}

impl Summary {
    /// Counts `checks` by status.
    pub fn of(checks: &[Check]) -> Summary {
        let mut s = Summary::default();
        for c in checks {
            match c.status {
                Status::Pass => s.pass += 1,
                Status::Warn => s.warn += 1,
                Status::Fail => s.fail += 1,
                Status::Skip => s.skip += 1,
            }
        }
        s
    }
}

/// The human report in `lang`: one `STATUS  name  message` line per check, the fix indented under it, then a
/// summary line. Statuses and check names stay as they are in every language.
pub fn render_text(checks: &[Check], lang: Lang) -> String {
    let width = checks.iter().map(|c| c.name.len()).max().unwrap_or(6);
    let mut out = String::new();
    for c in checks {
        out.push_str(&format!(
            "{}  {:<width$}  {}\n",
            c.status.as_str(),
            c.name,
            c.message_in(lang)
        ));
        if let Some(fix) = c.fix_in(lang) {
            out.push_str(&format!("      {:<width$}  → {fix}\n", ""));
        }
    }
    let s = Summary::of(checks);
    let summary = t!(
        lang,
        "doctor-summary",
        pass = s.pass,
        warn = s.warn,
        fail = s.fail,
        skip = s.skip
    );
    out.push_str(&format!("\n{summary}\n"));
    out
}

/// The `--json` report: `{"ok", "summary", "checks"}`.
pub fn render_json(checks: &[Check]) -> serde_json::Value {
    let s = Summary::of(checks);
    serde_json::json!({
        "ok": s.fail == 0,
        "summary": s,
        "checks": checks,
    })
}

/// Bytes as `4.7 GiB` / `512 MiB`.
pub fn human_bytes(bytes: u64) -> String {
    const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
    const MIB: f64 = 1024.0 * 1024.0;
    let b = bytes as f64;
    if b >= GIB {
        format!("{:.1} GiB", b / GIB)
    } else {
        format!("{:.0} MiB", b / MIB)
    }
}
