//! The checks themselves.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

use i18n::{Msg, msg};
use worker::backend::{Backend, BackendConfig, BackendError, BackendKind, ModelInfo};

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
    match &inputs.queue_url {
        Some(url) => {
            out.push(check_queue_database(url));
            out.extend(check_windows_drive(&inputs.repo_dir, &inputs.repo_dir));
            out.push(check_disk(&inputs.repo_dir));
        }
        None => {
            out.push(check_queue(&inputs.queue_dir));
            out.push(check_queue_files(&inputs.queue_dir));
            out.extend(check_windows_drive(&inputs.repo_dir, &inputs.queue_dir));
            out.push(check_disk(&inputs.queue_dir));
        }
    }
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
    host_src: &Msg,
    timeout: std::time::Duration,
) -> Msg {
    let candidates = platform.ollama_candidates(host);
    if let Some(found) = find_ollama(&candidates, timeout).await {
        return msg!(
            "doctor-fix-ollama-found",
            url = &found,
            host = host,
            source = host_src.clone()
        );
    }
    if platform.wsl.as_ref().is_some_and(|w| w.version == 2) {
        let tried = if candidates.is_empty() {
            String::new()
        } else {
            format!(" ({})", candidates.join(", "))
        };
        return msg!("doctor-fix-ollama-wsl2", tried = &tried);
    }
    msg!(
        "doctor-fix-ollama-start",
        host = host,
        source = host_src.clone()
    )
}

fn check_git() -> Check {
    match git(Path::new("."), &["--version"]) {
        Some(o) if o.status.success() => Check::raw(
            "git",
            Status::Pass,
            String::from_utf8_lossy(&o.stdout).trim(),
        ),
        _ => Check::new("git", Status::Fail, msg!("doctor-git-missing"))
            .fix(msg!("doctor-git-missing-fix")),
    }
}

fn check_repo(dir: &Path) -> Check {
    let Some(top) = git(dir, &["rev-parse", "--show-toplevel"]).filter(|o| o.status.success())
    else {
        return Check::new(
            "repo",
            Status::Warn,
            msg!("doctor-repo-not-git", dir = &dir.display()),
        )
        .fix(msg!("doctor-repo-not-git-fix"));
    };
    let top = String::from_utf8_lossy(&top.stdout).trim().to_string();
    let head_ok =
        git(dir, &["rev-parse", "--verify", "--quiet", "HEAD"]).is_some_and(|o| o.status.success());
    if !head_ok {
        return Check::new(
            "repo",
            Status::Warn,
            msg!("doctor-repo-no-commits", top = &top),
        )
        .fix(msg!("doctor-repo-no-commits-fix"));
    }
    if !Path::new(&top).join(".autodev_ssot").is_dir() {
        return Check::new(
            "repo",
            Status::Warn,
            msg!("doctor-repo-no-ssot", top = &top),
        )
        .fix(msg!("doctor-repo-no-ssot-fix"));
    }
    Check::new("repo", Status::Pass, msg!("doctor-repo-ok", top = &top))
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
                msg!("doctor-path-error", path = gate::GATE_TOML_PATH, error = &e),
            )
            .fix(msg!("doctor-sandbox-config-fix"));
        }
    };
    sandbox_verdict(&file.sandbox, gate::sandbox::support())
}

fn sandbox_verdict(config: &gate::SandboxConfig, support: &gate::sandbox::Support) -> Check {
    use gate::sandbox::{self, Level};
    let level = match sandbox::choose(config.mode, support) {
        Ok(level) => level,
        Err(why) => {
            return Check::raw("sandbox", Status::Fail, why)
                .fix(msg!("doctor-sandbox-refused-fix"));
        }
    };
    let summary = sandbox::summary(level, config, support);
    match level {
        Level::None => Check::new(
            "sandbox",
            Status::Warn,
            msg!("doctor-sandbox-none", summary = &summary),
        )
        .fix(msg!("doctor-sandbox-none-fix")),
        Level::Landlock if !summary.read_only_mounts => Check::new(
            "sandbox",
            Status::Warn,
            msg!("doctor-sandbox-no-userns", summary = &summary),
        )
        .fix(msg!("doctor-sandbox-no-userns-fix")),
        _ => Check::raw("sandbox", Status::Pass, summary.to_string()),
    }
}

/// The queue's folders; every move between them is a rename, so they must share one filesystem.
const QUEUE_DIRS: &[&str] = &[
    "pending", "claimed", "done", "failed", "results", "approved", "rejected", "ids", "tmp",
];

fn check_queue(dir: &Path) -> Check {
    if let Err(e) = queue_core::Queue::open(dir) {
        return Check::raw("queue", Status::Fail, e.to_string()).fix(msg!("doctor-queue-init-fix"));
    }
    let root_dev = match std::fs::metadata(dir) {
        Ok(m) => m.dev(),
        Err(e) => {
            return Check::new(
                "queue",
                Status::Fail,
                msg!("doctor-path-error", path = &dir.display(), error = &e),
            );
        }
    };
    for sub in QUEUE_DIRS {
        let p = dir.join(sub);
        match std::fs::metadata(&p) {
            Ok(m) if m.dev() != root_dev => {
                return Check::new(
                    "queue",
                    Status::Fail,
                    msg!(
                        "doctor-queue-two-filesystems",
                        sub = &p.display(),
                        dir = &dir.display(),
                        sub_dev = &m.dev(),
                        dir_dev = &root_dev
                    ),
                )
                .fix(msg!("doctor-queue-two-filesystems-fix"));
            }
            Ok(_) => {}
            Err(e) => {
                return Check::new(
                    "queue",
                    Status::Fail,
                    msg!("doctor-path-error", path = &p.display(), error = &e),
                )
                .fix(msg!("doctor-init-again-fix"));
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
            msg!(
                "doctor-queue-not-writable",
                dir = &dir.display(),
                error = &e
            ),
        )
        .fix(msg!("doctor-queue-not-writable-fix"));
    }
    Check::new(
        "queue",
        Status::Pass,
        msg!("doctor-queue-ok", dir = &dir.display()),
    )
}

/// A PostgreSQL queue: the server answers, the schema is one this autodev knows, and which server it is.
fn check_queue_database(url: &str) -> Check {
    use queue_core::TaskQueue;
    let queue = match queue_pg::PgQueue::open(url) {
        Ok(q) => q,
        Err(e @ queue_core::Error::SchemaTooNew { .. }) => {
            return Check::raw("queue_database", Status::Fail, e.to_string())
                .fix(msg!("doctor-queue-database-upgrade-fix"));
        }
        Err(e) => {
            return Check::raw("queue_database", Status::Fail, e.to_string())
                .fix(msg!("doctor-queue-database-fix"));
        }
    };
    let server = queue.server_version().unwrap_or_else(|e| e.to_string());
    let schema = queue.schema_version().unwrap_or_default();
    Check::new(
        "queue_database",
        Status::Pass,
        msg!(
            "doctor-queue-database-ok",
            location = queue.location(),
            schema = schema,
            server = server
        ),
    )
}

/// How many unreadable task files the `queue_files` check names before it only counts.
const LISTED_CORRUPT: usize = 10;

/// Files named like tasks that are not readable tasks (empty, damaged, directories, set aside in `corrupt/` by a
/// worker). They break nothing else, so this warns; a person restores or removes each.
fn check_queue_files(dir: &Path) -> Check {
    let Ok(queue) = queue_core::Queue::open(dir) else {
        return Check::new(
            "queue_files",
            Status::Skip,
            msg!("doctor-queue-files-no-queue"),
        );
    };
    let found = match queue.corrupt_files() {
        Ok(f) => f,
        Err(e) => {
            return Check::raw("queue_files", Status::Fail, e.to_string())
                .fix(msg!("doctor-init-again-fix"));
        }
    };
    if found.is_empty() {
        return Check::new("queue_files", Status::Pass, msg!("doctor-queue-files-ok"));
    }
    let listed: Vec<String> = found
        .iter()
        .take(LISTED_CORRUPT)
        .map(|c| {
            queue_core::text::printable(&format!("{} ({})", c.path.display(), c.detail))
                .into_owned()
        })
        .collect();
    let more = (found.len() > LISTED_CORRUPT)
        .then(|| msg!("doctor-and-more", count = found.len() - LISTED_CORRUPT));
    let files = match more {
        // The list, then "; and N more" in the reader's language.
        Some(more) => msg!(
            "doctor-list-and-more",
            list = &listed.join("; "),
            more = more
        ),
        None => msg!("doctor-raw", text = &listed.join("; ")),
    };
    Check::new(
        "queue_files",
        Status::Warn,
        msg!(
            "doctor-queue-files-corrupt",
            count = found.len(),
            files = files
        ),
    )
    .fix(msg!("doctor-queue-files-corrupt-fix"))
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
            msg!(
                "doctor-disk-free",
                free = &human_bytes(free),
                path = &at.display()
            ),
        )
        .fix(msg!("doctor-disk-full-fix")),
        Ok(free) if free < DISK_WARN_BYTES => Check::new(
            "disk",
            Status::Warn,
            msg!(
                "doctor-disk-low",
                free = &human_bytes(free),
                path = &at.display()
            ),
        )
        .fix(msg!("doctor-disk-low-fix")),
        Ok(free) => Check::new(
            "disk",
            Status::Pass,
            msg!(
                "doctor-disk-free",
                free = &human_bytes(free),
                path = &at.display()
            ),
        ),
        Err(e) => Check::new(
            "disk",
            Status::Warn,
            msg!("doctor-disk-unknown", path = &at.display(), error = &e),
        ),
    }
}

/// Ollama names may omit `:latest`.
fn model_matches(installed: &str, wanted: &str) -> bool {
    installed == wanted
        || installed.strip_suffix(":latest") == Some(wanted)
        || wanted.strip_suffix(":latest") == Some(installed)
}

/// Where setting `name` came from, in the reader's language (a file's path as it is).
fn source_of(inputs: &Inputs, name: &str) -> Msg {
    let src = inputs
        .config
        .settings
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.source.to_string())
        .unwrap_or_else(|| "default".into());
    source(&src)
}

/// `default`, `environment`, `command line` (the words `worker::config::Source` writes) translated; a path kept.
fn source(src: &str) -> Msg {
    match src {
        "default" => msg!("doctor-source-default"),
        "environment" => msg!("doctor-source-env"),
        "command line" => msg!("doctor-source-flag"),
        path => msg!("doctor-raw", text = path),
    }
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
                Check::raw("backend", Status::Fail, e.to_string())
                    .fix(msg!("doctor-backend-host-fix", source = host_src)),
            ];
        }
    };
    let server = match cfg.backend {
        BackendKind::Ollama => msg!("doctor-server-ollama"),
        BackendKind::OpenAi => msg!("doctor-server-openai"),
    };
    let mut out = Vec::new();
    match backend.version().await {
        Ok(v) => {
            let version = match v {
                Some(v) => msg!("doctor-raw", text = &v),
                None => msg!("doctor-version-unknown"),
            };
            out.push(Check::new(
                "backend",
                Status::Pass,
                msg!(
                    "doctor-backend-ok",
                    server = server,
                    version = version,
                    host = &cfg.host,
                    source = host_src.clone()
                ),
            ));
        }
        Err(e) => {
            // The common case in the reader's language; any other failure in the backend's own words.
            let found = match &e {
                BackendError::Unreachable { url, .. } => Check::new(
                    "backend",
                    Status::Fail,
                    msg!("doctor-backend-unreachable", url = url),
                ),
                _ => Check::raw("backend", Status::Fail, e.to_string()),
            };
            out.push(
                found.fix(unreachable_fix(platform, &cfg.host, &host_src, inputs.timeout).await),
            );
            for name in ["model", "gpu_memory"] {
                out.push(Check::new(
                    name,
                    Status::Skip,
                    msg!("doctor-server-unreachable"),
                ));
            }
            return out;
        }
    }
    let models = match backend.list_models().await {
        Ok(m) => m,
        Err(e) => {
            out.push(Check::raw("model", Status::Fail, e.to_string()));
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
                msg!(
                    "doctor-model-ok",
                    model = &cfg.model,
                    size = &size(m),
                    source = model_src.clone()
                ),
            ));
            Some((cfg.model.as_str(), Some(m)))
        }
        (None, _) if openai_single => {
            let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
            out.push(Check::new(
                "model",
                Status::Pass,
                msg!("doctor-model-openai", models = &names.join(", ")),
            ));
            None
        }
        (None, Some((f, Some(fm)))) => {
            out.push(
                Check::new(
                    "model",
                    Status::Warn,
                    msg!(
                        "doctor-model-fallback-used",
                        model = &cfg.model,
                        source = model_src.clone(),
                        fallback = f
                    ),
                )
                .fix(msg!(
                    "doctor-raw",
                    text = &format!("ollama pull {}", cfg.model)
                )),
            );
            Some((f, Some(fm)))
        }
        (None, _) => {
            out.push(
                Check::new(
                    "model",
                    Status::Fail,
                    msg!(
                        "doctor-model-missing",
                        model = &cfg.model,
                        source = model_src.clone(),
                        host = &cfg.host
                    ),
                )
                .fix(msg!("doctor-model-missing-fix", model = &cfg.model)),
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
                msg!(
                    "doctor-fallback-ok",
                    model = f,
                    size = &size(m),
                    source = src
                ),
            ),
            None if openai_single => Check::new(
                "fallback_model",
                Status::Skip,
                msg!("doctor-fallback-openai"),
            ),
            None => Check::new(
                "fallback_model",
                Status::Warn,
                msg!("doctor-fallback-missing", model = f, source = src),
            )
            .fix(msg!("doctor-fallback-missing-fix", model = f)),
        });
    }
    out.push(match used {
        Some((name, info)) => check_gpu_memory(inputs, &backend, name, info).await,
        None => Check::new("gpu_memory", Status::Skip, msg!("doctor-no-model-to-size")),
    });
    out
}

/// Free and total GPU memory in bytes, summed over GPUs, from `nvidia-smi`.
fn gpu_memory(nvidia_smi: &str) -> Result<(u64, u64), Msg> {
    let out = Command::new(nvidia_smi)
        .args([
            "--query-gpu=memory.free,memory.total",
            "--format=csv,noheader,nounits",
        ])
        .output()
        .map_err(|e| msg!("doctor-gpu-tool-missing", tool = nvidia_smi, error = &e))?;
    if !out.status.success() {
        return Err(msg!(
            "doctor-gpu-tool-failed",
            tool = nvidia_smi,
            error = String::from_utf8_lossy(&out.stderr).trim()
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
            _ => return Err(msg!("doctor-gpu-tool-output", line = line.trim())),
        }
    }
    if gpus == 0 {
        return Err(msg!("doctor-gpu-none"));
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
        msg!(
            "doctor-gpu-shape",
            layers = layout.n_layers,
            heads = layout.n_kv_heads,
            dim = layout.head_dim
        )
    } else {
        msg!("doctor-gpu-shape-assumed")
    };
    let cache_type = if inputs.kv_cache_type.is_empty() {
        "f16"
    } else {
        inputs.kv_cache_type.as_str()
    };
    let estimate = msg!(
        "doctor-gpu-estimate",
        model = model,
        need = &human_bytes(need),
        weights = &human_bytes(weights),
        kv = &human_bytes(kv),
        ctx = num_ctx,
        shape = shape,
        cache_type = cache_type
    );
    match gpu_memory(&inputs.nvidia_smi) {
        Err(why) => Check::new(
            "gpu_memory",
            Status::Warn,
            msg!("doctor-gpu-not-checked", why = why, estimate = estimate),
        )
        .fix(msg!("doctor-gpu-not-checked-fix")),
        Ok((free, total)) if need > free => Check::new(
            "gpu_memory",
            Status::Warn,
            msg!(
                "doctor-gpu-short",
                estimate = estimate,
                free = &human_bytes(free),
                total = &human_bytes(total)
            ),
        )
        .fix(msg!("doctor-gpu-short-fix")),
        Ok((free, total)) => Check::new(
            "gpu_memory",
            Status::Pass,
            msg!(
                "doctor-gpu-ok",
                estimate = estimate,
                free = &human_bytes(free),
                total = &human_bytes(total)
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
        return Check::new("telegram", Status::Skip, msg!("doctor-telegram-no-token"));
    };
    let client = match reqwest::Client::builder().timeout(inputs.timeout).build() {
        Ok(c) => c,
        Err(e) => return Check::raw("telegram", Status::Warn, e.without_url().to_string()),
    };
    let url = format!(
        "{}/bot{token}/getMe",
        inputs.telegram_api_root.trim_end_matches('/')
    );
    let resp = match client.get(&url).send().await {
        Ok(r) => r,
        Err(e) => {
            // Every value that may hold the token is redacted before it reaches a message.
            return Check::new(
                "telegram",
                Status::Warn,
                msg!(
                    "doctor-telegram-unreachable",
                    url = &redact(&inputs.telegram_api_root, token),
                    error = &redact(&e.without_url().to_string(), token)
                ),
            )
            .fix(msg!("doctor-telegram-unreachable-fix"));
        }
    };
    let status = resp.status();
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    if status.is_success() && body["ok"] == true {
        let name = body["result"]["username"].as_str().unwrap_or("?");
        return Check::new(
            "telegram",
            Status::Pass,
            msg!("doctor-telegram-ok", source = source(src), bot = name),
        );
    }
    let description = body["description"].as_str().unwrap_or("no description");
    Check::new(
        "telegram",
        Status::Fail,
        msg!(
            "doctor-telegram-rejected",
            source = source(src),
            status = status.as_u16(),
            description = &redact(description, token)
        ),
    )
    .fix(msg!("doctor-telegram-rejected-fix"))
}

fn check_openclaw(inputs: &Inputs) -> Check {
    let Some(path) = &inputs.openclaw_config else {
        return Check::new("openclaw", Status::Skip, msg!("doctor-openclaw-no-home"));
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Check::new(
                "openclaw",
                Status::Skip,
                msg!("doctor-openclaw-not-found", path = &path.display()),
            );
        }
        Err(e) => {
            return Check::new(
                "openclaw",
                Status::Warn,
                msg!(
                    "doctor-openclaw-unreadable",
                    path = &path.display(),
                    error = &e
                ),
            );
        }
    };
    let ours = &inputs.config.model;
    let ours_src = source_of(inputs, "OLLAMA_MODEL");
    match crate::openclaw::agent_model(&text) {
        None => Check::new(
            "openclaw",
            Status::Skip,
            msg!("doctor-openclaw-no-model", path = &path.display()),
        ),
        Some(m) if m.provider != "ollama" => Check::new(
            "openclaw",
            Status::Pass,
            msg!(
                "doctor-openclaw-other-provider",
                provider = &m.provider,
                model = &m.model,
                path = &path.display()
            ),
        ),
        Some(m) if model_matches(&m.model, ours) => Check::new(
            "openclaw",
            Status::Pass,
            msg!(
                "doctor-openclaw-same",
                model = ours,
                path = &path.display(),
                source = ours_src
            ),
        ),
        Some(m) => Check::new(
            "openclaw",
            Status::Warn,
            msg!(
                "doctor-openclaw-drift",
                theirs = &m.model,
                path = &path.display(),
                ours = ours,
                source = ours_src
            ),
        )
        .fix(msg!("doctor-openclaw-drift-fix")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gate::sandbox::Support;

    /// The English catalogue says what the backend's `Display` says.
    #[tokio::test]
    async fn an_unreachable_server_reads_as_the_backend_says_it_in_english() {
        let mut bc = BackendConfig::new(BackendKind::Ollama, "http://127.0.0.1:9".to_owned());
        bc.connect_timeout = std::time::Duration::from_secs(1);
        let e = Backend::new(bc).unwrap().version().await.unwrap_err();
        let BackendError::Unreachable { url, .. } = &e else {
            panic!("{e}");
        };
        let m = msg!("doctor-backend-unreachable", url = url);
        assert_eq!(m.render(i18n::Lang::En), e.to_string());
        assert!(
            m.render(i18n::Lang::Ko)
                .contains("모델 서버에 연결할 수 없습니다")
        );
    }

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
