//! `autodev doctor` against the fake Ollama: model present, model missing, server unreachable; the Telegram
//! token is never printed; OpenClaw model drift names both values and their sources.

use std::path::Path;
use std::process::Command;

use fake_servers::{FakeOllama, Script};
use test_support::Run;

use crate::ready_repo;

/// A folder with a fake `nvidia-smi` printing `free, total` in MiB, to put first on PATH.
fn fake_nvidia_smi(dir: &Path, free_mib: u64, total_mib: u64) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("nvidia-smi");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho '{free_mib}, {total_mib}'\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn doctor(dir: &Path, home: &Path, path: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = Command::new(env!("CARGO_BIN_EXE_autodev"));
    c.env("AUTODEV_LANG", "en");
    c.arg("doctor")
        .args(args)
        .current_dir(dir)
        .env("HOME", home);
    for v in [
        "AUTODEV_QUEUE",
        "OLLAMA_MODEL",
        "OLLAMA_HOST",
        "OLLAMA_FALLBACK_MODEL",
        "AUTODEV_BACKEND",
        "AUTODEV_NUM_CTX",
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_BASE",
        "OLLAMA_KV_CACHE_TYPE",
    ] {
        c.env_remove(v);
    }
    if let Some(p) = path {
        c.env("PATH", p);
    } else {
        // No nvidia-smi anywhere: only git and sh.
        let empty = home.join("nobin");
        std::fs::create_dir_all(&empty).unwrap();
        c.env("PATH", format!("{}:/usr/bin:/bin", empty.display()));
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap().into()
}

fn line<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(name))
        .unwrap_or_else(|| panic!("no {name} line in:\n{out}"))
}

#[test]
fn model_present_passes_with_gpu_estimate_and_reports_openclaw_drift() {
    let repo = ready_repo();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".openclaw")).unwrap();
    std::fs::write(
        home.path().join(".openclaw/openclaw.json"),
        "{ // json5\n agents: { defaults: { model: { primary: 'ollama/qwen3:32b' } } },\n}\n",
    )
    .unwrap();
    std::fs::write(repo.path().join(".env"), "OLLAMA_MODEL=qwen2.5-coder:7b\n").unwrap();
    let fake = FakeOllama::start(Script::answer("{}"));
    let path = fake_nvidia_smi(home.path(), 20_000, 24_576);
    let r = doctor(
        repo.path(),
        home.path(),
        Some(&path),
        &["--host", &fake.url()],
        &[],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    for name in ["git", "repo", "queue", "disk", "backend", "model"] {
        assert!(
            line(&r.stdout, name).starts_with("PASS"),
            "{name}: {}",
            r.stdout
        );
    }
    assert!(line(&r.stdout, "backend").contains("0."), "{}", r.stdout);
    let model = line(&r.stdout, "model");
    assert!(
        model.contains("qwen2.5-coder:7b") && model.contains(".env"),
        "{model}"
    );
    // 4.4 GiB of weights + the fallback-layout KV cache (1 GiB at 8192) fits in 19.5 GiB free.
    let gpu = line(&r.stdout, "gpu_memory");
    assert!(gpu.starts_with("PASS"), "{gpu}");
    assert!(
        gpu.contains("KV cache 1.0 GiB") && gpu.contains("num_ctx 8192"),
        "{gpu}"
    );
    assert!(gpu.contains("19.5 GiB of 24.0 GiB"), "{gpu}");
    let drift = line(&r.stdout, "openclaw");
    assert!(drift.starts_with("WARN"), "{drift}");
    assert!(
        drift.contains("ollama/qwen3:32b")
            && drift.contains("openclaw.json")
            && drift.contains("OLLAMA_MODEL=qwen2.5-coder:7b")
            && drift.contains(".env"),
        "{drift}"
    );
    assert!(line(&r.stdout, "telegram").starts_with("SKIP"));

    // --json: the same checks, machine-readable.
    let j = doctor(
        repo.path(),
        home.path(),
        Some(&path),
        &["--host", &fake.url(), "--json", "--num-ctx", "32768"],
        &[],
    );
    assert_eq!(j.code, 0, "{}", j.stderr);
    let v = j.json();
    assert_eq!(v["ok"], true);
    assert_eq!(v["summary"]["fail"], 0);
    let gpu = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "gpu_memory")
        .unwrap();
    assert!(
        gpu["message"]
            .as_str()
            .unwrap()
            .contains("KV cache 4.0 GiB"),
        "{gpu}"
    );
}

#[test]
fn too_little_gpu_memory_warns_and_missing_nvidia_smi_warns() {
    let repo = ready_repo();
    let home = tempfile::tempdir().unwrap();
    let fake = FakeOllama::start(Script::answer("{}"));
    let path = fake_nvidia_smi(home.path(), 3_000, 8_192);
    let r = doctor(
        repo.path(),
        home.path(),
        Some(&path),
        &["--host", &fake.url()],
        &[],
    );
    assert_eq!(r.code, 0, "warnings do not fail: {}", r.stdout);
    let gpu = line(&r.stdout, "gpu_memory");
    assert!(gpu.starts_with("WARN") && gpu.contains("CPU"), "{gpu}");
    assert!(
        r.stdout.contains("AUTODEV_NUM_CTX"),
        "says what to do: {}",
        r.stdout
    );

    let r = doctor(
        repo.path(),
        home.path(),
        None,
        &["--host", &fake.url()],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let gpu = line(&r.stdout, "gpu_memory");
    assert!(
        gpu.starts_with("WARN") && gpu.contains("nvidia-smi"),
        "{gpu}"
    );
}

#[test]
fn missing_model_fails_with_the_pull_command() {
    let repo = ready_repo();
    let home = tempfile::tempdir().unwrap();
    let fake = FakeOllama::start(Script::answer("{}").with_models(["llama3.2:1b"]));
    let r = doctor(
        repo.path(),
        home.path(),
        None,
        &[
            "--host",
            &fake.url(),
            "--fallback-model",
            "qwen2.5-coder:1.5b",
        ],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(line(&r.stdout, "backend").starts_with("PASS"));
    let model = line(&r.stdout, "model");
    assert!(
        model.starts_with("FAIL") && model.contains("qwen2.5-coder:7b"),
        "{model}"
    );
    assert!(
        r.stdout.contains("ollama pull qwen2.5-coder:7b"),
        "{}",
        r.stdout
    );
    assert!(line(&r.stdout, "fallback_model").starts_with("WARN"));
    assert!(line(&r.stdout, "gpu_memory").starts_with("SKIP"));

    // The fallback installed: a warning, not a failure.
    let fake = FakeOllama::start(Script::answer("{}").with_models(["qwen2.5-coder:1.5b"]));
    let r = doctor(
        repo.path(),
        home.path(),
        None,
        &[
            "--host",
            &fake.url(),
            "--fallback-model",
            "qwen2.5-coder:1.5b",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(line(&r.stdout, "model").starts_with("WARN"), "{}", r.stdout);
    assert!(line(&r.stdout, "fallback_model").starts_with("PASS"));
}

#[test]
fn unreachable_server_fails_and_skips_what_depends_on_it() {
    let repo = ready_repo();
    let home = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let r = doctor(repo.path(), home.path(), None, &["--host", &url], &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let backend = line(&r.stdout, "backend");
    assert!(
        backend.starts_with("FAIL") && backend.contains(&url),
        "{backend}"
    );
    assert!(r.stdout.contains("ollama serve"), "{}", r.stdout);
    assert!(line(&r.stdout, "model").starts_with("SKIP"));
    let j = doctor(
        repo.path(),
        home.path(),
        None,
        &["--host", &url, "--json"],
        &[],
    )
    .json();
    assert_eq!(j["ok"], false);
    assert_eq!(j["summary"]["fail"], 1);
}

#[test]
fn no_queue_fails_and_a_rejected_telegram_token_is_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let fake = FakeOllama::start(Script::answer("{}"));
    let token = "123456:SECRET-token-value";
    // The fake answers 404 for /bot<token>/getMe, as Telegram does for a malformed token.
    let r = doctor(
        dir.path(),
        home.path(),
        None,
        &["--host", &fake.url()],
        &[
            ("TELEGRAM_BOT_TOKEN", token),
            ("TELEGRAM_API_BASE", &fake.url()),
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(line(&r.stdout, "queue").starts_with("FAIL"));
    assert!(r.stdout.contains("autodev init"));
    assert!(line(&r.stdout, "repo").starts_with("WARN"));
    let tg = line(&r.stdout, "telegram");
    assert!(tg.starts_with("FAIL") && tg.contains("404"), "{tg}");
    assert!(tg.contains("environment"), "{tg}");
    assert!(!r.stdout.contains("SECRET") && !r.stderr.contains("SECRET"));
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = doctor(dir.path(), dir.path(), None, &["--no-such-flag"], &[]);
    assert_eq!(r.code, 2);
}

/// WSL2 with Ollama on the Windows host: the configured `127.0.0.1` does not answer, the doctor finds the Ollama
/// at the NAT gateway (a fake on `127.0.0.2` stands in for the Windows host, named by a fake `/proc/net/route`)
/// and prints the exact `OLLAMA_HOST` to set.
#[test]
fn under_wsl2_the_doctor_finds_the_windows_hosts_ollama_and_says_what_to_set() {
    let repo = ready_repo();
    let home = tempfile::tempdir().unwrap();
    let windows = match FakeOllama::try_start_on("127.0.0.2:0", Script::answer("{}")) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("SKIPPED: cannot listen on 127.0.0.2 here ({e})");
            return;
        }
    };
    let port = windows.url().rsplit(':').next().unwrap().to_owned();
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("proc/net")).unwrap();
    std::fs::write(
        root.path().join("proc/version"),
        "Linux version 5.15.167.4-microsoft-standard-WSL2 (root@f9c826d3017f) (gcc) #1 SMP\n",
    )
    .unwrap();
    // Default route via 127.0.0.2 (little-endian hex), as WSL2's NAT gateway would be 172.x.x.1.
    std::fs::write(
        root.path().join("proc/net/route"),
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
         eth0\t00000000\t0200007F\t0003\t0\t0\t0\t00000000\t0\t0\t0\n",
    )
    .unwrap();
    let configured = format!("http://127.0.0.1:{port}");
    let r = doctor(
        repo.path(),
        home.path(),
        None,
        &["--host", &configured, "--timeout-secs", "2"],
        &[
            ("AUTODEV_DOCTOR_ROOT", root.path().to_str().unwrap()),
            ("WSL_DISTRO_NAME", "Ubuntu-24.04"),
        ],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let platform = line(&r.stdout, "platform");
    assert!(
        platform.starts_with("PASS")
            && platform.contains("WSL2 (Ubuntu-24.04)")
            && platform.contains("127.0.0.2"),
        "{platform}"
    );
    assert!(
        line(&r.stdout, "backend").starts_with("FAIL"),
        "{}",
        r.stdout
    );
    let fix = format!("set OLLAMA_HOST=http://127.0.0.2:{port}");
    assert!(r.stdout.contains(&fix), "no `{fix}` in:\n{}", r.stdout);

    // Without WSL, the same failure gets the ordinary advice.
    let plain = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(plain.path().join("proc")).unwrap();
    std::fs::write(
        plain.path().join("proc/version"),
        "Linux version 6.8.0-45-generic\n",
    )
    .unwrap();
    let r = doctor(
        repo.path(),
        home.path(),
        None,
        &["--host", &configured, "--timeout-secs", "2"],
        &[("AUTODEV_DOCTOR_ROOT", plain.path().to_str().unwrap())],
    );
    assert!(
        line(&r.stdout, "platform").contains("not WSL"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("127.0.0.2"), "{}", r.stdout);
    assert!(r.stdout.contains("ollama serve"), "{}", r.stdout);
}
