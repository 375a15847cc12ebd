//! `autodev worker`.

use std::sync::Arc;

use anyhow::Context;
use queue_core::exit_codes;
use worker::backend::{Backend, BackendConfig};
use worker::{RunOptions, Worker, WorkerConfig};

use i18n::{Lang, t};

use crate::cli::WorkerArgs;

pub(super) fn run(addr: &super::QueueAddr, args: WorkerArgs, lang: Lang) -> anyhow::Result<u8> {
    let config = load_config(&args, lang)?;
    if args.print_config {
        print!("{}", config.describe());
        return Ok(exit_codes::OK);
    }
    super::init_logging();
    let queue = super::open_any(addr)?;
    let mut bc = BackendConfig::new(config.backend, config.host.clone());
    bc.first_byte_timeout = config.first_byte_timeout;
    bc.idle_timeout = config.idle_timeout;
    let limits = config.answer_limits();
    bc.max_answer_bytes = Some(limits.max_bytes);
    bc.answer_timeout = Some(limits.timeout);
    let backend = Backend::new(bc).with_context(|| t!(lang, "cli-err-backend-settings"))?;
    let owner = format!("worker:{}:{}", hostname(), std::process::id());
    let mut w = Worker::new(
        queue,
        backend,
        gate::Gate::new(gate::GateConfig::default()),
        config,
        owner,
    );
    if let Some(dir) = &args.repo {
        w = w.with_repo(super::current_dir(lang)?.join(dir));
    }
    let w = Arc::new(w);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .with_context(|| t!(lang, "cli-err-runtime"))?;
    let code = rt.block_on(async move {
        let shutdown = super::shutdown_on_signal(t!(
            lang,
            "cli-signal-received",
            what = t!(lang, "cli-worker-finishing")
        ));
        let default_addr = std::net::SocketAddr::from(([127, 0, 0, 1], 8088));
        let listen = if args.no_listen {
            None
        } else {
            Some((args.listen.unwrap_or(default_addr), args.listen.is_some()))
        };
        if let Some((addr, explicit)) = listen {
            match worker::http::serve(addr, Arc::clone(&w), shutdown.clone()).await {
                Ok(_) => {}
                Err(e) if explicit => {
                    return Err(e)
                        .with_context(|| t!(lang, "cli-worker-cannot-listen", addr = &addr));
                }
                Err(e) => {
                    let error = i18n::io_error(&e, lang);
                    let said = t!(lang, "cli-worker-no-listen", addr = &addr, error = error);
                    tracing::warn!("{said}");
                }
            }
        }
        // A worker started before its model is pulled must not burn tasks on 404s: wait until ready.
        match w.ready().await {
            Ok(model) => {
                let said = t!(lang, "cli-worker-ready");
                tracing::info!(model = %model, host = %w.config().host, "{said}")
            }
            Err(e) if args.once => {
                let message = crate::errors::backend(&e, lang);
                eprintln!("{}", t!(lang, "cli-error", message = message));
                return Ok(exit_codes::ERROR);
            }
            Err(e) => {
                tracing::warn!("{}", crate::errors::backend(&e, lang));
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
                        _ = shutdown.cancelled() => return Ok(exit_codes::OK),
                    }
                    match w.ready().await {
                        Ok(model) => {
                            let said = t!(lang, "cli-worker-ready");
                            tracing::info!(model = %model, "{said}");
                            break;
                        }
                        Err(e) => {
                            let error = crate::errors::backend(&e, lang);
                            let said = t!(lang, "cli-worker-still-waiting", error = error);
                            tracing::warn!("{said}")
                        }
                    }
                }
            }
        }
        let opts = RunOptions {
            once: args.once,
            concurrency: args.concurrency as usize,
        };
        match w.run(opts, shutdown).await {
            Ok(s) => {
                let said = t!(lang, "cli-worker-stopped");
                tracing::info!(
                    passed = s.passed,
                    failed = s.failed,
                    released = s.released,
                    "{said}"
                );
                Ok(exit_codes::OK)
            }
            Err(e) => {
                let message = crate::errors::worker(&e, lang);
                eprintln!("{}", t!(lang, "cli-error", message = message));
                Ok(exit_codes::ERROR)
            }
        }
    });
    // A blocking job still running after a signal (matching a huge answer, a gate check) must not hold up the
    // exit: its task was given back, and the gate's sandbox kills a check whose gate is gone.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    code
}

fn load_config(args: &WorkerArgs, lang: Lang) -> anyhow::Result<WorkerConfig> {
    let cwd = std::env::current_dir()?;
    let settings = super::settings::Settings::load(args.model.env_file.as_deref(), &cwd, lang)?;
    super::settings::worker_config(
        &args.model,
        &[(
            "AUTODEV_MODEL_TRIES",
            args.model_tries.map(|n| n.to_string()),
        )],
        &settings,
        &cwd,
    )
}

fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}
