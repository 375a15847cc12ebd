//! The observability stack and the compose files, checked with the real tools:
//!
//! - a real Prometheus on loopback scrapes a real `autodev worker` that processed tasks against the fake Ollama;
//!   every PromQL expression of `grafana/dashboards/autodev.json` must return data through `/api/v1/query`,
//!   `promtool check metrics` must find nothing wrong with `/metrics`, and `promtool check config` must accept
//!   `prometheus/prometheus.yml`;
//! - Docker Compose v2 (no engine needed) validates, merges and interpolates `docker-compose.yml` with its
//!   overrides: profiles, healthchecks, dependencies, the GPU reservation and its removal.
//!
//! Tools come from `PROMETHEUS`/`PROMTOOL`/`COMPOSE` or the cache that `scripts/ensure-prometheus.sh` and
//! `scripts/ensure-compose.sh` fill (`scripts/test.sh` runs both). A missing tool FAILS the test, unless
//! `AUTODEV_SKIP_PROMETHEUS=1` / `AUTODEV_SKIP_COMPOSE=1`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake_servers::{FakeOllama, Script, Step};
use serde_json::Value;
use test_support::TempRepo;

use crate::autodev;

const CONFIG_RS: &str = "pub fn parse_port(s: &str) -> Option<u16> {\n    let p: u16 = s.parse().ok()?;\n    Some(p)\n}\n";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn cache_dir() -> PathBuf {
    match std::env::var_os("AUTODEV_CACHE").filter(|v| !v.is_empty()) {
        Some(c) => PathBuf::from(c),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/autodev"),
    }
}

/// `$var` when it names a file, else the cache path; `None` when neither exists.
fn find_tool(var: &str, cached: &Path) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        let p = PathBuf::from(p);
        assert!(p.exists(), "{var}={} does not exist", p.display());
        return Some(p);
    }
    cached.exists().then(|| cached.to_path_buf())
}

fn skipped(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1")
}

/// (prometheus, promtool), or `None` when skipping is allowed.
fn prometheus_tools() -> Option<(PathBuf, PathBuf)> {
    if skipped("AUTODEV_SKIP_PROMETHEUS") {
        eprintln!("AUTODEV_SKIP_PROMETHEUS=1: skipping the Prometheus checks");
        return None;
    }
    let bin = cache_dir().join("prometheus/usr/bin");
    match (
        find_tool("PROMETHEUS", &bin.join("prometheus")),
        find_tool("PROMTOOL", &bin.join("promtool")),
    ) {
        (Some(p), Some(t)) => Some((p, t)),
        _ => panic!(
            "Prometheus not found: run scripts/ensure-prometheus.sh (scripts/test.sh does) or set PROMETHEUS and \
             PROMTOOL; AUTODEV_SKIP_PROMETHEUS=1 skips this test"
        ),
    }
}

fn compose_tool() -> Option<PathBuf> {
    if skipped("AUTODEV_SKIP_COMPOSE") {
        eprintln!("AUTODEV_SKIP_COMPOSE=1: skipping the compose checks");
        return None;
    }
    match find_tool(
        "COMPOSE",
        &cache_dir().join("compose/2.40.3/docker-compose"),
    ) {
        Some(c) => Some(c),
        None => panic!(
            "Docker Compose v2 not found: run scripts/ensure-compose.sh (scripts/test.sh does) or set COMPOSE; \
             AUTODEV_SKIP_COMPOSE=1 skips this test"
        ),
    }
}

/// A child process killed (by its own pid) and reaped when dropped.
struct Running {
    child: Child,
    log: PathBuf,
}

impl Running {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_logged(mut cmd: Command, log: PathBuf) -> Running {
    let out = std::fs::File::create(&log).unwrap();
    let err = out.try_clone().unwrap();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    Running { child, log }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.0 GET on loopback: (status, body).
fn http_get(port: u16, path_and_query: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "GET {path_and_query} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, body.to_string()))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// An instant query: the `data.result` array.
fn query(port: u16, expr: &str) -> Vec<Value> {
    let (status, body) = http_get(port, &format!("/api/v1/query?query={}", urlencode(expr)))
        .unwrap_or_else(|e| panic!("query {expr}: {e}"));
    let v: Value = serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("query {expr}: HTTP {status}, not JSON ({e}): {body}"));
    assert_eq!(v["status"], "success", "query {expr}: {body}");
    v["data"]["result"].as_array().cloned().unwrap_or_default()
}

fn sample_value(series: &Value) -> f64 {
    series["value"][1]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Every `expr` of the dashboard, with Grafana's variables replaced by fixed windows.
fn dashboard_exprs() -> Vec<(String, String)> {
    let dash: Value = serde_json::from_slice(
        &std::fs::read(workspace_root().join("grafana/dashboards/autodev.json")).unwrap(),
    )
    .unwrap();
    let mut out = Vec::new();
    for p in dash["panels"].as_array().unwrap() {
        for t in p["targets"].as_array().unwrap() {
            let expr = t["expr"].as_str().unwrap();
            let concrete = expr
                .replace("$__rate_interval", "1m")
                .replace("$__range", "10m")
                .replace("$__interval", "15s");
            assert!(!concrete.contains('$'), "unknown variable in {expr}");
            out.push((p["title"].as_str().unwrap().to_string(), concrete));
        }
    }
    out
}

fn edit(search: &str, replace: &str) -> String {
    serde_json::json!({"summary": "s", "edits": [{"path": "src/config.rs", "search": search, "replace": replace}]})
        .to_string()
}

#[test]
fn prometheus_scrapes_the_worker_and_every_dashboard_query_returns_data() {
    let Some((prometheus, promtool)) = prometheus_tools() else {
        return;
    };
    let root = workspace_root();
    let tmp = tempfile::tempdir().unwrap();

    // The shipped scrape config is valid.
    let out = Command::new(&promtool)
        .arg("check")
        .arg("config")
        .arg(root.join("prometheus/prometheus.yml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool check config prometheus/prometheus.yml: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // Every dashboard expression parses (as recording rules: promtool's PromQL syntax check).
    let exprs = dashboard_exprs();
    let mut rules = String::from("groups:\n  - name: dashboard\n    rules:\n");
    for (i, (_, e)) in exprs.iter().enumerate() {
        rules.push_str(&format!(
            "      - record: autodev:dashboard_{i}\n        expr: {}\n",
            serde_json::to_string(e).unwrap()
        ));
    }
    std::fs::write(tmp.path().join("rules.yml"), &rules).unwrap();
    let out = Command::new(&promtool)
        .args(["check", "rules"])
        .arg(tmp.path().join("rules.yml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool check rules: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // A repository, and a worker serving /metrics on loopback.
    let repo = TempRepo::with_files(&[("src/config.rs", CONFIG_RS), ("README.md", "demo\n")]);
    assert_eq!(autodev(repo.path(), &["init"]).code, 0);
    repo.git(&["add", ".autodev_ssot"]);
    repo.git(&["commit", "-qm", "autodev policy"]);
    // Task 1: a gate FAIL (CHECK_FAILED), then a PASS. Task 2: three unusable answers, failed.
    let fake = FakeOllama::start(Script::new(vec![
        Step::answer(edit("    Some(p)\n", "    Some(p) // fine\n")),
        Step::answer(edit(
            "    Some(p)\n",
            "    if p == 0 {\n        return None;\n    }\n    Some(p)\n",
        )),
        Step::answer("no JSON here, just words"),
    ]));
    let worker_port = free_port();
    let mut w = Command::new(env!("CARGO_BIN_EXE_autodev"));
    w.env("AUTODEV_LANG", "en");
    w.args(["worker", "--host", &fake.url(), "--listen"])
        .arg(format!("127.0.0.1:{worker_port}"))
        .current_dir(repo.path());
    for v in [
        "AUTODEV_QUEUE",
        "OLLAMA_MODEL",
        "OLLAMA_HOST",
        "OLLAMA_FALLBACK_MODEL",
        "AUTODEV_BACKEND",
        "AUTODEV_LISTEN",
    ] {
        w.env_remove(v);
    }
    w.env("AUTODEV_POLL_MS", "100").env("AUTODEV_LOG", "info");
    let worker = spawn_logged(w, tmp.path().join("worker.log"));
    let health_url = format!("http://127.0.0.1:{worker_port}/healthz");
    wait_until("the worker's /healthz", Duration::from_secs(20), || {
        autodev(repo.path(), &["health", "--url", &health_url]).code == 0
    });
    let r = autodev(
        repo.path(),
        &[
            "health",
            "--url",
            &format!("http://127.0.0.1:{worker_port}/nope"),
        ],
    );
    assert_eq!(r.code, 1, "a 404 is unhealthy");

    // Prometheus on loopback, scraping every second.
    let prom_port = free_port();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: autodev-worker\n    \
         static_configs:\n      - targets: ['127.0.0.1:{worker_port}']\n"
    );
    std::fs::write(tmp.path().join("prometheus.yml"), config).unwrap();
    let mut p = Command::new(&prometheus);
    p.arg(format!(
        "--config.file={}",
        tmp.path().join("prometheus.yml").display()
    ))
    .arg(format!(
        "--storage.tsdb.path={}",
        tmp.path().join("data").display()
    ))
    .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
    .current_dir(tmp.path());
    let prom = spawn_logged(p, tmp.path().join("prometheus.log"));
    wait_until("Prometheus to be ready", Duration::from_secs(60), || {
        http_get(prom_port, "/-/ready").is_ok_and(|(s, _)| s == 200)
    });
    wait_until(
        "Prometheus to scrape the worker",
        Duration::from_secs(60),
        || query(prom_port, "up{job=\"autodev-worker\"} == 1").len() == 1,
    );

    // Now the work, so that Prometheus sees the counters rise.
    let submit = |check: &str| {
        let r = autodev(
            repo.path(),
            &[
                "submit",
                "-i",
                "fix",
                "-t",
                "src/config.rs",
                "-w",
                "parse_port accepts 0; it must return None for 0",
                "--check",
                check,
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout.trim().to_string()
    };
    let passing = submit("grep -q 'p == 0' src/config.rs");
    let failing = submit("true");
    let state = |id: &str| autodev(repo.path(), &["status", id, "--json"]).json()["state"].clone();
    wait_until("both tasks to finish", Duration::from_secs(60), || {
        state(&passing) == "done" && state(&failing) == "failed"
    });
    wait_until(
        "Prometheus to see both outcomes",
        Duration::from_secs(30),
        || {
            let v = query(
                prom_port,
                "sum(autodev_tasks_finished_total{outcome=~\"passed|failed\"})",
            );
            v.first().map(sample_value) == Some(2.0)
        },
    );
    std::thread::sleep(Duration::from_secs(2));

    // promtool finds nothing wrong with the exposition (rc 0, no findings).
    let (status, metrics) = http_get(worker_port, "/metrics").unwrap();
    assert_eq!(status, 200);
    for name in [
        "autodev_tasks_finished_total",
        "autodev_queue_tasks",
        "autodev_model_request_duration_seconds_bucket",
        "autodev_model_prompt_tokens_total",
        "autodev_model_completion_tokens_total",
        "autodev_model_generation_tokens_per_second",
        "autodev_gate_duration_seconds_bucket",
        "autodev_gate_verdicts_total",
        "autodev_gate_fail_reasons_total",
        "autodev_task_failures_total",
        "autodev_task_attempts_total",
        "autodev_build_info",
    ] {
        assert!(metrics.contains(name), "{name} missing from /metrics");
    }
    let mut check = Command::new(&promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    check
        .stdin
        .take()
        .unwrap()
        .write_all(metrics.as_bytes())
        .unwrap();
    let out = check.wait_with_output().unwrap();
    let findings = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && findings.trim().is_empty(),
        "promtool check metrics: {findings}"
    );

    // Every dashboard query returns data.
    let mut empty = Vec::new();
    for (title, expr) in &exprs {
        if query(prom_port, expr).is_empty() {
            empty.push(format!("{title}: {expr}"));
        }
    }
    assert!(
        empty.is_empty(),
        "dashboard queries without data:\n{}\n--- worker log:\n{}\n--- prometheus log (tail):\n{}",
        empty.join("\n"),
        worker.log(),
        prom.log()
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .join("\n")
    );
    // And says what happened: one of two tasks passed, the failure and the gate reason are named.
    let (_, pass_rate) = exprs
        .iter()
        .find(|(t, _)| t.starts_with("Pass rate"))
        .unwrap();
    let rate = sample_value(&query(prom_port, pass_rate)[0]);
    assert!((0.4..=0.6).contains(&rate), "pass rate {rate}");
    let reasons = query(
        prom_port,
        "autodev_task_failures_total{reason=\"EDIT_FORMAT_INVALID\"}",
    );
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    let gate = query(
        prom_port,
        "autodev_gate_fail_reasons_total{reason=\"CHECK_FAILED\"}",
    );
    assert_eq!(gate.len(), 1, "{gate:?}");
    drop(prom);
    drop(worker);
}

fn compose(tool: &Path, args: &[&str]) -> test_support::Run {
    let mut c = Command::new(tool);
    c.current_dir(workspace_root())
        .args(["--project-directory", ".", "--env-file", ".env.example"])
        .args(args);
    // Only .env.example decides: no developer shell or .env leaks into the check.
    for (k, _) in std::env::vars() {
        if k.starts_with("OLLAMA_")
            || k.starts_with("AUTODEV_")
            || k.starts_with("COMPOSE_")
            || k.starts_with("TELEGRAM_")
            || k.starts_with("GRAFANA_")
            || k.starts_with("PROMETHEUS_")
            || k == "WORKER_OLLAMA_HOST"
        {
            c.env_remove(k);
        }
    }
    c.output().unwrap().into()
}

fn config_json(tool: &Path, files: &[&str], profiles: &[&str]) -> Value {
    let mut args = Vec::new();
    for f in files {
        args.extend(["-f", f]);
    }
    for p in profiles {
        args.extend(["--profile", p]);
    }
    args.extend(["config", "--format", "json"]);
    let r = compose(tool, &args);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

fn services(tool: &Path, files: &[&str], profiles: &[&str]) -> Vec<String> {
    let mut args = Vec::new();
    for f in files {
        args.extend(["-f", f]);
    }
    for p in profiles {
        args.extend(["--profile", p]);
    }
    args.extend(["config", "--services"]);
    let r = compose(tool, &args);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    let mut s: Vec<String> = r.stdout.lines().map(str::to_string).collect();
    s.sort();
    s
}

const BASE: &str = "docker-compose.yml";
const CPU: &str = "docker-compose.cpu.yml";
const HOST: &str = "docker-compose.host-ollama.yml";

#[test]
fn compose_files_validate_offline_with_profiles_healthchecks_and_gpu_override() {
    let root = workspace_root();
    // No obsolete top-level `version:` anywhere.
    for f in [BASE, CPU, HOST] {
        let text = std::fs::read_to_string(root.join(f)).unwrap();
        assert!(
            !text.lines().any(|l| l.starts_with("version:")),
            "{f} has an obsolete top-level version:"
        );
    }
    // .env.example documents every worker setting.
    let env_example = std::fs::read_to_string(root.join(".env.example")).unwrap();
    for (name, _, _) in worker::config::SETTINGS {
        assert!(
            env_example.contains(&format!("{name}=")),
            ".env.example does not document {name}"
        );
    }

    let Some(tool) = compose_tool() else {
        return;
    };
    for files in [vec![BASE], vec![BASE, CPU], vec![BASE, HOST]] {
        let mut args = Vec::new();
        for f in &files {
            args.extend(["-f", *f]);
        }
        args.extend([
            "--profile",
            "worker",
            "--profile",
            "telegram",
            "--profile",
            "deliver",
        ]);
        args.extend(["--profile", "monitoring", "config", "--quiet"]);
        let r = compose(&tool, &args);
        assert_eq!(r.code, 0, "{files:?} does not validate: {}", r.stderr);
    }
    // A broken file is caught (the tool really validates).
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(
        bad.path().join("c.yml"),
        "services:\n  a:\n    image: x\n    depends_on:\n      b:\n        condition: service_happy\n  b:\n    image: y\n",
    )
    .unwrap();
    let r: test_support::Run = Command::new(&tool)
        .arg("-f")
        .arg(bad.path().join("c.yml"))
        .args(["config", "--quiet"])
        .output()
        .unwrap()
        .into();
    assert_ne!(r.code, 0, "an invalid condition must be rejected");

    // Profiles: worker, telegram and monitoring are opt-in.
    let r = compose(&tool, &["-f", BASE, "config", "--profiles"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut profiles: Vec<&str> = r.stdout.lines().collect();
    profiles.sort_unstable();
    assert_eq!(
        profiles,
        ["deliver", "monitoring", "postgres", "telegram", "worker"]
    );
    assert_eq!(services(&tool, &[BASE], &[]), ["ollama", "ollama-pull"]);
    assert_eq!(
        services(&tool, &[BASE], &["worker"]),
        ["ollama", "ollama-pull", "worker"]
    );
    assert_eq!(
        services(&tool, &[BASE], &["monitoring"]),
        ["grafana", "ollama", "ollama-pull", "prometheus"]
    );
    assert_eq!(
        services(&tool, &[BASE], &["telegram"]),
        ["ollama", "ollama-pull", "telegram"]
    );
    assert_eq!(
        services(&tool, &[BASE], &["deliver"]),
        ["deliver", "ollama", "ollama-pull"]
    );
    // The PostgreSQL queue: the official image, pg_isready, a named volume, loopback unless told otherwise;
    // the worker takes the database's address when AUTODEV_QUEUE_URL is set (the password is never written).
    let pg = config_json(&tool, &[BASE], &["postgres", "worker"]);
    let db = &pg["services"]["postgres"];
    assert!(
        db["image"].as_str().unwrap().starts_with("postgres:"),
        "{db}"
    );
    assert_eq!(db["healthcheck"]["test"][0], "CMD-SHELL");
    assert!(
        db["healthcheck"]["test"][1]
            .as_str()
            .unwrap()
            .starts_with("pg_isready"),
        "{db}"
    );
    assert_eq!(db["volumes"][0]["source"], "postgres-data");
    assert_eq!(db["ports"][0]["host_ip"], "127.0.0.1");
    assert_eq!(db["environment"]["POSTGRES_USER"], "autodev");
    assert!(
        pg["services"]["worker"]["environment"]["AUTODEV_QUEUE"]
            .as_str()
            .unwrap()
            .ends_with(".autodev_queue"),
        "without AUTODEV_QUEUE_URL the worker keeps the folder queue"
    );
    let compose_text = std::fs::read_to_string(root.join(BASE)).unwrap();
    assert!(compose_text.contains("AUTODEV_QUEUE: ${AUTODEV_QUEUE_URL:-"));
    // The forge token goes to the deliverer only, never to the worker (which runs model-written checks) or the
    // bot; and no token value is written in the file.
    let d = config_json(&tool, &[BASE], &["deliver", "worker", "telegram"]);
    assert_eq!(d["services"]["deliver"]["command"][0], "deliver");
    for svc in ["worker", "telegram"] {
        let env = d["services"][svc]["environment"].as_object().unwrap();
        assert!(
            !env.contains_key("GITHUB_TOKEN"),
            "{svc} gets the forge token"
        );
    }
    let text = std::fs::read_to_string(root.join(BASE)).unwrap();
    assert!(
        text.contains("GITHUB_TOKEN:\n"),
        "the token is passed through, not written"
    );

    // The merged GPU configuration.
    let all = config_json(&tool, &[BASE], &["worker", "telegram", "monitoring"]);
    let s = &all["services"];
    assert!(all.get("version").is_none());
    let ollama = &s["ollama"];
    assert_eq!(
        ollama["healthcheck"]["test"],
        serde_json::json!(["CMD", "ollama", "list"])
    );
    assert_eq!(ollama["healthcheck"]["start_period"], "45s");
    let devices = &ollama["deploy"]["resources"]["reservations"]["devices"];
    assert_eq!(devices[0]["driver"], "nvidia", "{devices}");
    assert_eq!(devices[0]["capabilities"], serde_json::json!(["gpu"]));
    let worker = &s["worker"];
    assert_eq!(
        worker["depends_on"]["ollama"]["condition"],
        "service_healthy"
    );
    assert_eq!(
        worker["depends_on"]["ollama-pull"]["condition"],
        "service_completed_successfully"
    );
    assert_eq!(
        s["ollama-pull"]["depends_on"]["ollama"]["condition"],
        "service_healthy"
    );
    assert_eq!(worker["environment"]["OLLAMA_HOST"], "http://ollama:11434");
    assert_eq!(worker["environment"]["OLLAMA_MODEL"], "qwen2.5-coder:7b");
    assert_eq!(
        s["ollama-pull"]["environment"]["OLLAMA_MODEL"],
        "qwen2.5-coder:7b"
    );
    for (name, _, _) in worker::config::SETTINGS {
        assert!(
            worker["environment"]
                .as_object()
                .unwrap()
                .contains_key(*name),
            "the worker service does not pass {name}"
        );
    }
    let hc = worker["healthcheck"]["test"].as_array().unwrap();
    assert_eq!(hc[1], "autodev");
    assert_eq!(hc[2], "health");
    // The repository is mounted at its own path, and the worker runs there.
    let repo = "/home/you/src/your-project";
    assert_eq!(worker["working_dir"], repo);
    assert!(
        worker["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["source"] == repo && v["target"] == repo),
        "{}",
        worker["volumes"]
    );
    // The gate's checkouts and build caches survive a restart (they live outside the repository).
    assert!(
        worker["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["type"] == "volume" && v["target"] == "/home/autodev/.cache/autodev"),
        "{}",
        worker["volumes"]
    );
    assert_eq!(s["telegram"]["command"][0], "telegram");
    assert_eq!(
        s["telegram"]["healthcheck"]["test"][4],
        "http://127.0.0.1:8089/healthz"
    );
    for svc in ["ollama", "prometheus", "grafana"] {
        for port in s[svc]["ports"].as_array().unwrap() {
            assert_eq!(
                port["host_ip"], "127.0.0.1",
                "{svc} must publish on loopback only"
            );
        }
    }

    // The CPU override really drops the GPU reservation.
    let cpu = config_json(&tool, &[BASE, CPU], &["worker", "telegram", "monitoring"]);
    let text = cpu.to_string();
    assert!(
        !text.contains("nvidia") && !text.contains("\"devices\""),
        "GPU reservation left after the CPU override: {}",
        cpu["services"]["ollama"]
    );
    assert_eq!(
        cpu["services"]["ollama"]["healthcheck"]["test"],
        serde_json::json!(["CMD", "ollama", "list"])
    );

    // The host-Ollama override starts no Ollama and points the worker at the host.
    assert_eq!(services(&tool, &[BASE, HOST], &["worker"]), ["worker"]);
    let host = config_json(&tool, &[BASE, HOST], &["worker"]);
    let w = &host["services"]["worker"];
    assert_eq!(
        w["environment"]["OLLAMA_HOST"],
        "http://host.docker.internal:11434"
    );
    assert!(
        w.get("depends_on")
            .is_none_or(|d| d.as_object().is_none_or(|m| m.is_empty()))
    );
    assert!(
        w["extra_hosts"]
            .to_string()
            .contains("host.docker.internal")
    );
}

#[test]
fn dockerfile_and_grafana_provisioning_fit_together() {
    let root = workspace_root();
    // The OpenClaw skill: YAML frontmatter with name and description, and the commands it teaches exist.
    let skill = std::fs::read_to_string(root.join("integrations/openclaw/skills/autodev/SKILL.md"))
        .unwrap();
    let front = skill
        .strip_prefix("---\n")
        .and_then(|s| s.split_once("\n---\n"))
        .expect("frontmatter")
        .0;
    assert!(front.lines().any(|l| l == "name: autodev"), "{front}");
    assert!(
        front.lines().any(|l| l.starts_with("description: ")),
        "{front}"
    );
    let dir = tempfile::tempdir().unwrap();
    for cmd in [
        "submit", "status", "approve", "reject", "apply", "events", "doctor",
    ] {
        assert!(
            skill.contains(&format!("autodev {cmd}")),
            "SKILL.md does not show {cmd}"
        );
        let r = autodev(dir.path(), &[cmd, "--help"]);
        assert_eq!(r.code, 0, "autodev {cmd} --help: {}", r.stderr);
    }
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    assert!(
        dockerfile.matches("\nFROM ").count() + usize::from(dockerfile.starts_with("FROM ")) >= 2,
        "multi-stage"
    );
    assert!(dockerfile.contains("HEALTHCHECK") && dockerfile.contains("\"health\""));
    let user = dockerfile
        .lines()
        .rfind(|l| l.starts_with("USER "))
        .expect("a USER line");
    assert!(!user.contains("root") && !user.ends_with(" 0"), "{user}");

    let ds = std::fs::read_to_string(root.join("grafana/provisioning/datasources/prometheus.yml"))
        .unwrap();
    let uid = ds
        .lines()
        .find_map(|l| l.trim().strip_prefix("uid: "))
        .expect("a fixed datasource uid")
        .trim()
        .to_string();
    let provider =
        std::fs::read_to_string(root.join("grafana/provisioning/dashboards/autodev.yml")).unwrap();
    assert!(provider.contains("path: /etc/grafana/dashboards"));
    let dash: Value = serde_json::from_slice(
        &std::fs::read(root.join("grafana/dashboards/autodev.json")).unwrap(),
    )
    .unwrap();
    assert!(
        dash["uid"]
            .as_str()
            .is_some_and(|u| (8..=40).contains(&u.len()))
    );
    for key in ["schemaVersion", "templating", "annotations", "panels"] {
        assert!(dash.get(key).is_some(), "dashboard lacks {key}");
    }
    let text = dash.to_string();
    assert!(
        !text.contains("DS_PROMETHEUS"),
        "provisioned dashboards cannot use import inputs"
    );
    for p in dash["panels"].as_array().unwrap() {
        assert_eq!(p["datasource"]["uid"], uid.as_str(), "{}", p["title"]);
        for t in p["targets"].as_array().unwrap() {
            assert_eq!(t["datasource"]["uid"], uid.as_str(), "{}", p["title"]);
            assert!(t["refId"].as_str().is_some_and(|r| !r.is_empty()));
        }
    }
    let titles: Vec<&str> = dash["panels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    for want in [
        "queue",
        "Throughput",
        "Pass rate",
        "failure reasons",
        "latency",
        "Generation speed",
        "Gate duration",
    ] {
        assert!(
            titles
                .iter()
                .any(|t| t.to_lowercase().contains(&want.to_lowercase())),
            "no panel about {want}: {titles:?}"
        );
    }
}
