//! `autodev doctor`: the preflight. The checks live in the `doctor` crate; this reads the settings the way
//! `autodev worker` does and prints the report.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use queue_core::exit_codes;

use super::settings::{Settings, worker_config};
use crate::cli::DoctorArgs;

pub(super) fn run(queue_dir: &Path, args: DoctorArgs, lang: i18n::Lang) -> anyhow::Result<u8> {
    run_with(queue_dir.to_path_buf(), None, args, lang)
}

/// The doctor for a PostgreSQL queue: the database instead of the queue's folder.
pub(super) fn run_postgres(url: &str, args: DoctorArgs, lang: i18n::Lang) -> anyhow::Result<u8> {
    let cwd = super::current_dir(lang)?;
    run_with(cwd, Some(url.to_string()), args, lang)
}

fn run_with(
    queue_dir: std::path::PathBuf,
    queue_url: Option<String>,
    args: DoctorArgs,
    lang: i18n::Lang,
) -> anyhow::Result<u8> {
    let cwd = super::current_dir(lang)?;
    let settings = Settings::load(args.model.env_file.as_deref(), &cwd, lang)?;
    let config = worker_config(&args.model, &[], &settings, &cwd)?;
    let lookup = |name: &str| settings.lookup(name);
    let inputs = doctor::Inputs {
        config,
        queue_dir,
        queue_url,
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
        platform: doctor::platform::PlatformInputs {
            // A copied /proc (or a test's) can stand in for this machine's.
            root: std::env::var_os("AUTODEV_DOCTOR_ROOT")
                .filter(|v| !v.is_empty())
                .map_or_else(|| "/".into(), std::path::PathBuf::from),
            env: std::env::vars().collect(),
        },
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .with_context(|| i18n::t!(lang, "cli-err-runtime"))?;
    let checks = rt.block_on(doctor::run(&inputs));
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&doctor::render_json(&checks))?
        );
    } else {
        print!("{}", doctor::render_text(&checks, lang));
    }
    Ok(if doctor::Summary::of(&checks).fail > 0 {
        exit_codes::REJECTED
    } else {
        exit_codes::OK
    })
}
