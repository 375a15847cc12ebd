//! `autodev doctor`: the preflight. The checks live in the `doctor` crate; this reads the settings the way
//! `autodev worker` does and prints the report.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use queue_core::exit_codes;
use worker::{ConfigInputs, WorkerConfig};

use crate::cli::DoctorArgs;

pub(super) fn run(queue_dir: &Path, args: DoctorArgs) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let dotenv = match &args.env_file {
        Some(p) => {
            anyhow::ensure!(p.exists(), "--env-file {} does not exist", p.display());
            Some(p.clone())
        }
        None => Some(cwd.join(".env")).filter(|p| p.exists()),
    };
    let config = load_config(&args, &cwd, dotenv.as_deref())?;
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let file = dotenv
        .as_deref()
        .and_then(worker::config::read_dotenv)
        .unwrap_or_default();
    // Environment first, then .env: the precedence the worker and `autodev telegram` use.
    let lookup = |name: &str| -> Option<(String, String)> {
        if let Some(v) = env.get(name).filter(|v| !v.trim().is_empty()) {
            return Some((v.trim().to_string(), "environment".to_string()));
        }
        let v = file.get(name).filter(|v| !v.trim().is_empty())?;
        let from = dotenv
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        Some((v.trim().to_string(), from))
    };
    let inputs = doctor::Inputs {
        config,
        queue_dir: queue_dir.to_path_buf(),
        repo_dir: cwd,
        telegram_token: lookup("TELEGRAM_BOT_TOKEN"),
        telegram_api_root: lookup("TELEGRAM_API_BASE")
            .map(|(v, _)| v)
            .unwrap_or_else(|| "https://api.telegram.org".into()),
        openclaw_config: std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| Path::new(&h).join(".openclaw/openclaw.json")),
        nvidia_smi: "nvidia-smi".into(),
        kv_cache_type: lookup("OLLAMA_KV_CACHE_TYPE")
            .map(|(v, _)| v)
            .unwrap_or_else(|| "f16".into()),
        timeout: Duration::from_secs(args.timeout_secs),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let checks = rt.block_on(doctor::run(&inputs));
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&doctor::render_json(&checks))?
        );
    } else {
        print!("{}", doctor::render_text(&checks));
    }
    Ok(if doctor::Summary::of(&checks).fail > 0 {
        exit_codes::REJECTED
    } else {
        exit_codes::OK
    })
}

fn load_config(
    args: &DoctorArgs,
    cwd: &Path,
    dotenv: Option<&Path>,
) -> anyhow::Result<WorkerConfig> {
    let mut flags = BTreeMap::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            flags.insert(k.to_string(), v);
        }
    };
    put("OLLAMA_MODEL", args.model.clone());
    put("OLLAMA_FALLBACK_MODEL", args.fallback_model.clone());
    put("OLLAMA_HOST", args.host.clone());
    put("AUTODEV_BACKEND", args.backend.clone());
    put("AUTODEV_NUM_CTX", args.num_ctx.map(|n| n.to_string()));
    let ssot = super::repo_top(cwd)
        .map(|t| t.join(".autodev_ssot/worker.toml"))
        .filter(|p| p.exists());
    let inputs = ConfigInputs {
        flags,
        env: std::env::vars().collect(),
        dotenv: dotenv.map(Path::to_path_buf),
        ssot,
    };
    Ok(WorkerConfig::load(&inputs)?)
}
