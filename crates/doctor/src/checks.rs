//! The checks themselves.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

use worker::backend::{Backend, BackendConfig, BackendKind, ModelInfo};

use crate::kv::{Layout, kv_cache_bytes};
use crate::platform::{
    Platform, check_compose_clash, check_platform, check_windows_drive, find_ollama,
};
use crate::{Check, Inputs, Status, human_bytes};

/// Below this much free disk the queue and checkouts will fail.
const DISK_FAIL_BYTES: u64 = 512 * 1024 * 1024;
/// Below this much free disk, warn (pulled models alone are several GiB).
const DISK_WARN_BYTES: u64 = 5 * 1024 * 1024 * 1024;

/// Runs every check, in the documented order.
pub async fn run(inputs: &Inputs) -> Vec<Check> {
    let platform = Platform::detect(&inputs.platform);
    let mut out = vec![check_platform(&platform), check_git()];
    out.push(check_repo(&inputs.repo_dir));
    out.push(check_queue(&inputs.queue_dir));
    out.push(check_queue_files(&inputs.queue_dir));
    out.extend(check_windows_drive(&inputs.repo_dir, &inputs.queue_dir));
    out.push(check_disk(&inputs.queue_dir));
    out.push(check_sandbox(&inputs.repo_dir));
    out.extend(check_model_server(inputs, &platform).await);
    out.extend(
        check_compose_clash(&inputs.repo_dir, "http://127.0.0.1:11434", inputs.timeout).await,
    );
    out.push(check_telegram(inputs).await);
    out.push(check_openclaw(inputs));
    out
}

/// git as the gate and the approval run it (`gate::scrubbed_git`): no user configuration, hooks or fsmonitor,
/// so the doctor's look at a repository runs nothing the repository or the user's config names.
fn git(dir: &Path, args: &[&str]) -> Option<std::process::Output> {
    gate::scrubbed_git(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()
}

/// What to do when the configured server does not answer: where another Ollama does (the Windows host from
/// WSL2, Docker Desktop's host), or how to make the Windows one reachable, or how to start one.
async fn unreachable_fix(
    platform: &Platform,
    host: &str,
    host_src: &str,
    timeout: std::time::Duration,
) -> String {
    let candidates = platform.ollama_candidates(host);
    if let Some(found) = find_ollama(&candidates, timeout).await {
        return format!(
            "an Ollama answers at {found}: set OLLAMA_HOST={found} (in .env or the environment; now {host} from \
             {host_src})"
        );
    }
    if platform.wsl.as_ref().is_some_and(|w| w.version == 2) {
        let tried = if candidates.is_empty() {
            String::new()
        } else {
            format!(" ({})", candidates.join(", "))
        };
        return format!(
            "no Ollama answers here or on the Windows host{tried}. If Ollama runs on Windows, make it listen beyond \
             loopback: set the Windows environment variable OLLAMA_HOST=0.0.0.0, restart the Ollama app, and \
             allow port 11434 in Windows Firewall for the WSL network; then set OLLAMA_HOST=http://<Windows \
             host>:11434 here. Or start one in WSL (ollama serve, or docker compose up -d ollama)"
        );
    }
    format!(
        "start the server (ollama serve, or docker compose up -d ollama) or point OLLAMA_HOST (now {host} from \
         {host_src}) at it"
    )
}

fn check_git() -> Check {
    match git(Path::new("."), &["--version"]) {
        Some(o) if o.status.success() => Check::new(
            "git",
            Status::Pass,
            String::from_utf8_lossy(&o.stdout).trim().to_string(),
        ),
        _ => Check::new("git", Status::Fail, "git is not installed or does not run")
            .fix("install git (apt-get install git / brew install git); the gate runs it"),
    }
}

fn check_repo(dir: &Path) -> Check {
    let Some(top) = git(dir, &["rev-parse", "--show-toplevel"]).filter(|o| o.status.success())
    else {
        return Check::new(
            "repo",
            Status::Warn,
            format!("{} is not inside a git work tree", dir.display()),
        )
        .fix("run autodev in the repository you want changed (or submit with --repo DIR)");
    };
    let top = String::from_utf8_lossy(&top.stdout).trim().to_string();
    let head_ok =
        git(dir, &["rev-parse", "--verify", "--quiet", "HEAD"]).is_some_and(|o| o.status.success());
    if !head_ok {
        return Check::new(
            "repo",
            Status::Warn,
            format!("{top} has no commits yet: tasks need a base commit"),
        )
        .fix("commit something first (git commit --allow-empty -m init)");
    }
    if !Path::new(&top).join(".autodev_ssot").is_dir() {
        return Check::new(
            "repo",
            Status::Warn,
            format!("{top}: no .autodev_ssot/ (policy, gate checks, prompt)"),
        )
        .fix("autodev init, then git add .autodev_ssot && git commit -m 'autodev policy'");
    }
    Check::new(
        "repo",
        Status::Pass,
        format!("{top} (HEAD, .autodev_ssot/)"),
    )
}

/// Which sandbox the gate's checks get here: `gate.toml`'s `[sandbox]` (at HEAD, as the gate reads it at a
/// task's base) against what the kernel offers.
fn check_sandbox(repo_dir: &Path) -> Check {
    let text = git(
        repo_dir,
        &["show", &format!("HEAD:{}", gate::GATE_TOML_PATH)],
    )
    .filter(|o| o.status.success())
    .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    let file = match text.as_deref().map(gate::GateFile::from_toml) {
        None => gate::GateFile::default(),
        Some(Ok(f)) => f,
        Some(Err(e)) => {
            return Check::new(
                "sandbox",
                Status::Fail,
                format!("{}: {e}", gate::GATE_TOML_PATH),
            )
            .fix("fix .autodev_ssot/gate.toml (the gate refuses to run checks with it)");
        }
    };
    sandbox_verdict(&file.sandbox, gate::sandbox::support())
}

fn sandbox_verdict(config: &gate::SandboxConfig, support: &gate::sandbox::Support) -> Check {
    use gate::sandbox::{self, Level};
    let level = match sandbox::choose(config.mode, support) {
        Ok(level) => level,
        Err(why) => {
            return Check::new("sandbox", Status::Fail, why).fix(
                "the gate refuses to run checks: install bubblewrap (apt-get install bubblewrap) or use a kernel                  with Landlock; see docs/GATE.md \"Sandbox\"",
            );
        }
    };
    let summary = sandbox::summary(level, config, support);
    match level {
        Level::None => Check::new(
            "sandbox",
            Status::Warn,
            format!("{summary}: gate.toml says [sandbox] mode = \"none\""),
        )
        .fix("checks can read your keys and write anywhere you can; remove mode = \"none\" unless you trust every test the model may write"),
        Level::Landlock if !summary.read_only_mounts => Check::new(
            "sandbox",
            Status::Warn,
            format!("{summary}; user namespaces are not available"),
        )
        .fix("allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or \
              kernel.apparmor_restrict_unprivileged_userns=0) so checks get loopback-only networking and \
              read-only mounts; without them a check can still chmod/touch files you own outside the checkout"),
        _ => Check::new("sandbox", Status::Pass, summary.to_string()),
    }
}

/// The queue's folders; every move between them is a rename, so they must share one filesystem.
const QUEUE_DIRS: &[&str] = &[
    "pending", "claimed", "done", "failed", "results", "approved", "rejected", "ids", "tmp",
];

fn check_queue(dir: &Path) -> Check {
    if let Err(e) = queue_core::Queue::open(dir) {
        return Check::new("queue", Status::Fail, e.to_string())
            .fix("run autodev init in the repository (or pass --queue DIR / set AUTODEV_QUEUE)");
    }
    let root_dev = match std::fs::metadata(dir) {
        Ok(m) => m.dev(),
        Err(e) => {
            return Check::new("queue", Status::Fail, format!("{}: {e}", dir.display()));
        }
    };
    for sub in QUEUE_DIRS {
        let p = dir.join(sub);
        match std::fs::metadata(&p) {
            Ok(m) if m.dev() != root_dev => {
                return Check::new(
                    "queue",
                    Status::Fail,
                    format!(
                        "{} is on another filesystem than {} (device {} vs {}): moving a task between them \
                         cannot be an atomic rename",
                        p.display(),
                        dir.display(),
                        m.dev(),
                        root_dev
                    ),
                )
                .fix("mount the whole queue directory as one volume, not its subfolders separately");
            }
            Ok(_) => {}
            Err(e) => {
                return Check::new("queue", Status::Fail, format!("{}: {e}", p.display()))
                    .fix("run autodev init again (it only creates what is missing)");
            }
        }
    }
    // Writable: create, rename and delete a probe file, like a submit does.
    let probe = dir
        .join("tmp")
        .join(format!(".doctor-{}", std::process::id()));
    let moved = probe.with_extension("moved");
    let res = std::fs::write(&probe, b"probe")
        .and_then(|()| std::fs::rename(&probe, &moved))
        .and_then(|()| std::fs::remove_file(&moved));
    if let Err(e) = res {
        let _ = std::fs::remove_file(&probe);
        return Check::new(
            "queue",
            Status::Fail,
            format!("{} is not writable: {e}", dir.display()),
        )
        .fix("fix the folder's owner or permissions (in a container: run as the folder's uid)");
    }
    Check::new(
        "queue",
        Status::Pass,
        format!("{} writable, one filesystem", dir.display()),
    )
}

/// How many unreadable task files the `queue_files` check names before it only counts.
const LISTED_CORRUPT: usize = 10;

/// Files named like tasks that are not readable tasks (empty, damaged, directories, set aside in `corrupt/` by a
/// worker). They break nothing else, so this warns; a person restores or removes each.
fn check_queue_files(dir: &Path) -> Check {
    let Ok(queue) = queue_core::Queue::open(dir) else {
        return Check::new("queue_files", Status::Skip, "no queue to look in");
    };
    let found = match queue.corrupt_files() {
        Ok(f) => f,
        Err(e) => {
            return Check::new("queue_files", Status::Fail, e.to_string())
                .fix("run autodev init again (it only creates what is missing)");
        }
    };
    if found.is_empty() {
        return Check::new(
            "queue_files",
            Status::Pass,
            "every file named like a task reads as one",
        );
    }
    let mut listed: Vec<String> = found
        .iter()
        .take(LISTED_CORRUPT)
        .map(|c| {
            queue_core::text::printable(&format!("{} ({})", c.path.display(), c.detail))
                .into_owned()
        })
        .collect();
    if found.len() > LISTED_CORRUPT {
        listed.push(format!("and {} more", found.len() - LISTED_CORRUPT));
    }
    Check::new(
        "queue_files",
        Status::Warn,
        format!(
            "{} file(s) named like tasks are not tasks autodev can read (TASK_FILE_CORRUPT): {}",
            found.len(),
            listed.join("; ")
        ),
    )
    .fix(
        "restore each from a backup, or move it out of the queue; other tasks are not affected \
         (autodev status lists them as corrupt)",
    )
}

/// Free bytes for unprivileged users on the filesystem holding `path`.
fn free_bytes(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: `c` is a valid NUL-terminated path and `st` a properly sized, writable statvfs.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: as above; statvfs only writes into `st`.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    Ok((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
}

fn check_disk(queue_dir: &Path) -> Check {
    let at = queue_dir
        .ancestors()
        .find(|p| p.exists())
        .unwrap_or(Path::new("."));
    match free_bytes(at) {
        Ok(free) if free < DISK_FAIL_BYTES => Check::new(
            "disk",
            Status::Fail,
            format!("{} free at {}", human_bytes(free), at.display()),
        )
        .fix("free some space: the queue, the gate's checkouts and pulled models need room"),
        Ok(free) if free < DISK_WARN_BYTES => Check::new(
            "disk",
            Status::Warn,
            format!("only {} free at {}", human_bytes(free), at.display()),
        )
        .fix("models take several GiB each; free some space before pulling another"),
        Ok(free) => Check::new(
            "disk",
            Status::Pass,
            format!("{} free at {}", human_bytes(free), at.display()),
        ),
        Err(e) => Check::new(
            "disk",
            Status::Warn,
            format!("cannot read free space of {}: {e}", at.display()),
        ),
    }
}

/// Ollama names may omit `:latest`.
fn model_matches(installed: &str, wanted: &str) -> bool {
    installed == wanted
        || installed.strip_suffix(":latest") == Some(wanted)
        || wanted.strip_suffix(":latest") == Some(installed)
}

fn source_of(inputs: &Inputs, name: &str) -> String {
    inputs
        .config
        .settings
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.source.to_string())
        .unwrap_or_else(|| "default".into())
}

async fn check_model_server(inputs: &Inputs, platform: &Platform) -> Vec<Check> {
    let cfg = &inputs.config;
    let mut bc = BackendConfig::new(cfg.backend, cfg.host.clone());
    bc.connect_timeout = inputs.timeout;
    bc.request_timeout = inputs.timeout;
    bc.busy_retries = 0;
    let host_src = source_of(inputs, "OLLAMA_HOST");
    let backend = match Backend::new(bc) {
        Ok(b) => b,
        Err(e) => {
            return vec![
                Check::new("backend", Status::Fail, e.to_string())
                    .fix(format!("fix OLLAMA_HOST (set in {host_src})")),
            ];
        }
    };
    let server = match cfg.backend {
        BackendKind::Ollama => "Ollama",
        BackendKind::OpenAi => "OpenAI-compatible server",
    };
    let mut out = Vec::new();
    match backend.version().await {
        Ok(v) => out.push(Check::new(
            "backend",
            Status::Pass,
            format!(
                "{server} {} at {} (OLLAMA_HOST from {host_src})",
                v.unwrap_or_else(|| "(version unknown)".into()),
                cfg.host
            ),
        )),
        Err(e) => {
            out.push(
                Check::new("backend", Status::Fail, e.to_string())
                    .fix(unreachable_fix(platform, &cfg.host, &host_src, inputs.timeout).await),
            );
            for name in ["model", "gpu_memory"] {
                out.push(Check::new(
                    name,
                    Status::Skip,
                    "the model server is unreachable",
                ));
            }
            return out;
        }
    }
    let models = match backend.list_models().await {
        Ok(m) => m,
        Err(e) => {
            out.push(Check::new("model", Status::Fail, e.to_string()));
            return out;
        }
    };
    let find =
        |name: &str| -> Option<&ModelInfo> { models.iter().find(|m| model_matches(&m.name, name)) };
    let model_src = source_of(inputs, "OLLAMA_MODEL");
    let primary = find(&cfg.model);
    let fallback = cfg.fallback_model.as_deref().map(|f| (f, find(f)));
    let size = |m: &ModelInfo| {
        m.size_bytes
            .map(|b| format!(" ({})", human_bytes(b)))
            .unwrap_or_default()
    };
    let openai_single = cfg.backend == BackendKind::OpenAi && !models.is_empty();
    let used: Option<(&str, Option<&ModelInfo>)> = match (primary, fallback) {
        (Some(m), _) => {
            out.push(Check::new(
                "model",
                Status::Pass,
                format!(
                    "{} installed{} (OLLAMA_MODEL from {model_src})",
                    cfg.model,
                    size(m)
                ),
            ));
            Some((cfg.model.as_str(), Some(m)))
        }
        (None, _) if openai_single => {
            out.push(Check::new(
                "model",
                Status::Pass,
                format!(
                    "the server serves {} (an OpenAI-compatible server answers whatever the name)",
                    models
                        .iter()
                        .map(|m| m.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            None
        }
        (None, Some((f, Some(fm)))) => {
            out.push(
                Check::new(
                    "model",
                    Status::Warn,
                    format!(
                        "{} (OLLAMA_MODEL from {model_src}) is not installed; the worker will use the \
                         fallback {f}",
                        cfg.model
                    ),
                )
                .fix(format!("ollama pull {}", cfg.model)),
            );
            Some((f, Some(fm)))
        }
        (None, _) => {
            out.push(
                Check::new(
                    "model",
                    Status::Fail,
                    format!(
                        "{} (OLLAMA_MODEL from {model_src}) is not installed on {}",
                        cfg.model, cfg.host
                    ),
                )
                .fix(format!(
                    "ollama pull {} (in the stack: docker compose run --rm ollama-pull)",
                    cfg.model
                )),
            );
            None
        }
    };
    if let Some((f, found)) = fallback {
        let src = source_of(inputs, "OLLAMA_FALLBACK_MODEL");
        out.push(match found {
            Some(m) => Check::new(
                "fallback_model",
                Status::Pass,
                format!(
                    "{f} installed{} (OLLAMA_FALLBACK_MODEL from {src})",
                    size(m)
                ),
            ),
            None if openai_single => Check::new(
                "fallback_model",
                Status::Skip,
                "an OpenAI-compatible server serves one model",
            ),
            None => Check::new(
                "fallback_model",
                Status::Warn,
                format!("{f} (OLLAMA_FALLBACK_MODEL from {src}) is not installed"),
            )
            .fix(format!("ollama pull {f}, or unset OLLAMA_FALLBACK_MODEL")),
        });
    }
    out.push(match used {
        Some((name, info)) => check_gpu_memory(inputs, &backend, name, info).await,
        None => Check::new("gpu_memory", Status::Skip, "no installed model to size"),
    });
    out
}

/// Free and total GPU memory in bytes, summed over GPUs, from `nvidia-smi`.
fn gpu_memory(nvidia_smi: &str) -> Result<(u64, u64), String> {
    let out = Command::new(nvidia_smi)
        .args([
            "--query-gpu=memory.free,memory.total",
            "--format=csv,noheader,nounits",
        ])
        .output()
        .map_err(|e| format!("{nvidia_smi} not found ({e})"))?;
    if !out.status.success() {
        return Err(format!(
            "{nvidia_smi} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let (mut free, mut total, mut gpus) = (0u64, 0u64, 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut parts = line.split(',').map(|p| p.trim().parse::<u64>());
        match (parts.next(), parts.next()) {
            (Some(Ok(f)), Some(Ok(t))) => {
                free += f * 1024 * 1024;
                total += t * 1024 * 1024;
                gpus += 1;
            }
            _ => return Err(format!("unexpected nvidia-smi output: {}", line.trim())),
        }
    }
    if gpus == 0 {
        return Err("nvidia-smi lists no GPU".into());
    }
    Ok((free, total))
}

async fn check_gpu_memory(
    inputs: &Inputs,
    backend: &Backend,
    model: &str,
    info: Option<&ModelInfo>,
) -> Check {
    let num_ctx = u64::from(inputs.config.num_ctx);
    let details = backend.show(model).await.unwrap_or_default();
    let layout = Layout::of(&details);
    let kv = kv_cache_bytes(layout, num_ctx, &inputs.kv_cache_type);
    let weights = info.and_then(|m| m.size_bytes).unwrap_or(0);
    let need = weights + kv;
    let shape = if layout.from_server {
        format!(
            "{} layers × {} KV heads × head {}",
            layout.n_layers, layout.n_kv_heads, layout.head_dim
        )
    } else {
        "layout unknown: assumed 32 layers × 8 KV heads × head 128".to_string()
    };
    let estimate = format!(
        "{model} needs ≈ {} (weights {} + KV cache {} for num_ctx {num_ctx}, {shape}, {})",
        human_bytes(need),
        human_bytes(weights),
        human_bytes(kv),
        if inputs.kv_cache_type.is_empty() {
            "f16"
        } else {
            inputs.kv_cache_type.as_str()
        }
    );
    match gpu_memory(&inputs.nvidia_smi) {
        Err(why) => Check::new(
            "gpu_memory",
            Status::Warn,
            format!("{why}: GPU memory not checked; {estimate}"),
        )
        .fix("without an NVIDIA GPU Ollama runs on the CPU: fine for 1.5B–3B models, slow for 7B and up"),
        Ok((free, total)) if need > free => Check::new(
            "gpu_memory",
            Status::Warn,
            format!(
                "{estimate}, but only {} of {} GPU memory is free: part of the model will run on the CPU",
                human_bytes(free),
                human_bytes(total)
            ),
        )
        .fix(
            "lower AUTODEV_NUM_CTX, pick a smaller model or quantization, set OLLAMA_KV_CACHE_TYPE=q8_0 \
             (with OLLAMA_FLASH_ATTENTION=1), or free the GPU (ollama ps shows loaded models)",
        ),
        Ok((free, total)) => Check::new(
            "gpu_memory",
            Status::Pass,
            format!(
                "{estimate}; {} of {} GPU memory free",
                human_bytes(free),
                human_bytes(total)
            ),
        ),
    }
}

/// Removes the token from any text (error messages can contain request URLs).
fn redact(text: &str, token: &str) -> String {
    if token.is_empty() {
        text.to_string()
    } else {
        text.replace(token, "<TELEGRAM_BOT_TOKEN>")
    }
}

async fn check_telegram(inputs: &Inputs) -> Check {
    let Some((token, src)) = &inputs.telegram_token else {
        return Check::new(
            "telegram",
            Status::Skip,
            "TELEGRAM_BOT_TOKEN is not set (only autodev telegram needs it)",
        );
    };
    let client = match reqwest::Client::builder().timeout(inputs.timeout).build() {
        Ok(c) => c,
        Err(e) => return Check::new("telegram", Status::Warn, e.without_url().to_string()),
    };
    let url = format!(
        "{}/bot{token}/getMe",
        inputs.telegram_api_root.trim_end_matches('/')
    );
    let resp = match client.get(&url).send().await {
        Ok(r) => r,
        Err(e) => {
            return Check::new(
                "telegram",
                Status::Warn,
                redact(
                    &format!(
                        "cannot reach {}: {}",
                        inputs.telegram_api_root,
                        e.without_url()
                    ),
                    token,
                ),
            )
            .fix("check the network (api.telegram.org must be reachable over HTTPS)");
        }
    };
    let status = resp.status();
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    if status.is_success() && body["ok"] == true {
        let name = body["result"]["username"].as_str().unwrap_or("?");
        return Check::new(
            "telegram",
            Status::Pass,
            format!("the token (from {src}) belongs to @{name}"),
        );
    }
    let description = body["description"].as_str().unwrap_or("no description");
    Check::new(
        "telegram",
        Status::Fail,
        redact(
            &format!(
                "Telegram rejected the token from {src}: HTTP {} {description}",
                status.as_u16()
            ),
            token,
        ),
    )
    .fix("copy the token again from @BotFather (/token); autodev telegram and OpenClaw need different bots")
}

fn check_openclaw(inputs: &Inputs) -> Check {
    let Some(path) = &inputs.openclaw_config else {
        return Check::new("openclaw", Status::Skip, "no home directory");
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Check::new(
                "openclaw",
                Status::Skip,
                format!("{} not found (OpenClaw not set up)", path.display()),
            );
        }
        Err(e) => {
            return Check::new(
                "openclaw",
                Status::Warn,
                format!("cannot read {}: {e}", path.display()),
            );
        }
    };
    let ours = &inputs.config.model;
    let ours_src = source_of(inputs, "OLLAMA_MODEL");
    match crate::openclaw::agent_model(&text) {
        None => Check::new(
            "openclaw",
            Status::Skip,
            format!("{} names no agent model", path.display()),
        ),
        Some(m) if m.provider != "ollama" => Check::new(
            "openclaw",
            Status::Pass,
            format!(
                "OpenClaw's agent uses {}/{} ({}), not Ollama: nothing to keep in step with OLLAMA_MODEL",
                m.provider,
                m.model,
                path.display()
            ),
        ),
        Some(m) if model_matches(&m.model, ours) => Check::new(
            "openclaw",
            Status::Pass,
            format!(
                "OpenClaw and autodev both use {ours} ({} and OLLAMA_MODEL from {ours_src})",
                path.display()
            ),
        ),
        Some(m) => Check::new(
            "openclaw",
            Status::Warn,
            format!(
                "model drift: OpenClaw uses ollama/{} (from {}) but autodev uses OLLAMA_MODEL={ours} (from \
                 {ours_src})",
                m.model,
                path.display()
            ),
        )
        .fix(
            "make them the same model (one copy in GPU memory), or keep both on purpose: two models may \
             not fit in GPU memory at once",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gate::sandbox::Support;

    fn machine(abi: u8, userns: bool, bwrap: bool) -> Support {
        Support {
            landlock_abi: abi,
            user_namespaces: userns,
            bwrap: bwrap.then(|| "/usr/bin/bwrap".into()),
        }
    }

    #[test]
    fn sandbox_levels_become_statuses() {
        let default = gate::SandboxConfig::default();
        let c = sandbox_verdict(&default, &machine(7, true, false));
        assert_eq!(c.status, Status::Pass);
        assert!(c.message.contains("landlock (ABI 7)"), "{}", c.message);
        let c = sandbox_verdict(&default, &machine(7, false, false));
        assert_eq!(c.status, Status::Warn);
        let c = sandbox_verdict(&default, &machine(0, true, true));
        assert_eq!(c.status, Status::Pass);
        assert!(c.message.contains("bubblewrap"), "{}", c.message);
        let c = sandbox_verdict(&default, &machine(0, false, false));
        assert_eq!(c.status, Status::Fail);
        assert!(c.fix.unwrap_or_default().contains("bubblewrap"));
        let none = gate::SandboxConfig {
            mode: gate::SandboxMode::None,
            ..Default::default()
        };
        assert_eq!(
            sandbox_verdict(&none, &machine(7, true, true)).status,
            Status::Warn
        );
    }
}
