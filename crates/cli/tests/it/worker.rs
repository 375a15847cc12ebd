//! `autodev worker` against the protocol-faithful fake Ollama: the whole chain submit → worker → gate → report,
//! with real processes, a real git repository and real signals.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake_servers::{FakeOllama, Script, Step};
use test_support::{TempRepo, snapshot};

use crate::{autodev, queue_dir};

pub(crate) const CONFIG_RS: &str = "pub fn parse_port(s: &str) -> Option<u16> {\n    let p: u16 = s.parse().ok()?;\n    Some(p)\n}\n";

pub(crate) fn good_edit() -> String {
    serde_json::json!({
        "summary": "reject port 0",
        "edits": [{
            "path": "src/config.rs",
            "search": "    Some(p)\n",
            "replace": "    if p == 0 {\n        return None;\n    }\n    Some(p)\n"
        }]
    })
    .to_string()
}

/// A repository with one task queued; returns (repo, task id).
pub(crate) fn repo_with_task(extra_init: &[&str], checks: &[&str]) -> (TempRepo, String) {
    let repo = TempRepo::with_files(&[("src/config.rs", CONFIG_RS), ("README.md", "demo\n")]);
    let mut init = vec!["init"];
    init.extend_from_slice(extra_init);
    assert_eq!(autodev(repo.path(), &init).code, 0);
    repo.git(&["add", ".autodev_ssot"]);
    repo.git(&["commit", "-qm", "autodev policy"]);
    let mut args = vec![
        "submit",
        "-i",
        "fix",
        "-t",
        "src/config.rs",
        "-w",
        "parse_port accepts 0; it must return None for 0",
    ];
    for c in checks {
        args.extend(["--check", c]);
    }
    let r = autodev(repo.path(), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (repo, r.stdout.trim().to_string())
}

pub(crate) fn worker_cmd(dir: &Path, url: &str, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_autodev"));
    c.env("AUTODEV_LANG", "en");
    c.arg("worker")
        .arg("--host")
        .arg(url)
        .args(extra)
        .current_dir(dir);
    for v in [
        "AUTODEV_QUEUE",
        "OLLAMA_MODEL",
        "OLLAMA_HOST",
        "OLLAMA_FALLBACK_MODEL",
        "AUTODEV_BACKEND",
    ] {
        c.env_remove(v);
    }
    c.env("AUTODEV_POLL_MS", "100").env("AUTODEV_LOG", "info");
    c
}

pub(crate) fn run_worker(dir: &Path, url: &str, extra: &[&str]) -> test_support::Run {
    worker_cmd(dir, url, extra)
        .stdin(Stdio::null())
        .output()
        .unwrap()
        .into()
}

pub(crate) fn events(repo: &TempRepo) -> Vec<serde_json::Value> {
    std::fs::read_to_string(queue_dir(repo).join("events.ndjson"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub(crate) fn types_for(repo: &TempRepo, id: &str) -> Vec<String> {
    events(repo)
        .into_iter()
        .filter(|e| e["task_id"] == id)
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

pub(crate) fn read_json(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap()
}

#[test]
fn once_turns_a_task_into_a_gated_patch_report_and_events() {
    let (repo, id) = repo_with_task(&[], &["grep -q 'p == 0' src/config.rs"]);
    repo.write("README.md", "uncommitted edit the worker must not touch\n");
    let before = snapshot(repo.path());
    let fake = FakeOllama::start(Script::answer(good_edit()));
    // The JSON search/replace format, asked for by name (`auto` writes a file this small whole:
    // edit_formats.rs).
    let r: test_support::Run = worker_cmd(repo.path(), &fake.url(), &["--once"])
        .env("AUTODEV_EDIT_FORMAT", "search-replace")
        .stdin(Stdio::null())
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 0, "{}", r.stderr);

    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done", "{st}");
    let patch = st["patch"].as_str().expect("patch path");
    // The patch applies to the base with plain git.
    let check = Command::new("git")
        .args(["apply", "--check", patch])
        .current_dir(repo.path())
        .output()
        .unwrap();
    let clean = TempRepo::with_files(&[("src/config.rs", CONFIG_RS)]);
    let check_clean = Command::new("git")
        .args(["apply", "--check", patch])
        .current_dir(clean.path())
        .output()
        .unwrap();
    assert!(
        check_clean.status.success(),
        "{}",
        String::from_utf8_lossy(&check_clean.stderr)
    );
    drop(check);

    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    assert_eq!(report["gate_verdict"], "PASS");
    assert_eq!(report["summary"], "reject port 0");
    assert_eq!(st["summary"], "reject port 0");
    let human = autodev(repo.path(), &["status", &id]);
    assert!(
        human
            .stdout
            .contains("summary   reject port 0 (the model's words)"),
        "{}",
        human.stdout
    );
    assert_eq!(report["task_id"], id.as_str());
    assert_eq!(report["backend"], "ollama");
    assert_eq!(report["model"], "qwen2.5-coder:7b");
    assert_eq!(
        report["files_changed"],
        serde_json::json!(["src/config.rs"])
    );
    assert_eq!(report["lines_added"], 3);
    assert!(report["attempts"][0]["completion_tokens"].as_u64().unwrap() > 0);
    let sha = report["patch_sha256"].as_str().unwrap();
    let bytes = std::fs::read(patch).unwrap();
    assert_eq!(sha, sha256_hex(&bytes));
    let gate = read_json(Path::new(st["gate"].as_str().unwrap()));
    assert_eq!(gate["verdict"], "PASS");
    assert_eq!(gate["checks"][0]["status"], "passed");

    let types = types_for(&repo, &id);
    for t in [
        "TASK_SUBMITTED",
        "TASK_CLAIMED",
        "PATCH_PROPOSED",
        "GATE_PASSED",
        "TASK_COMPLETED",
    ] {
        assert!(types.contains(&t.to_string()), "{t} missing from {types:?}");
    }
    // num_ctx is always sent; the answer is constrained by the JSON schema.
    let req = &fake.chat_requests()[0].body;
    assert_eq!(req["options"]["num_ctx"], 8192);
    assert_eq!(req["format"]["required"][0], "edits");
    assert!(
        req["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("Some(p)"),
        "the target file is in the prompt"
    );
    assert_eq!(
        snapshot(repo.path()).get(Path::new("README.md")),
        before.get(Path::new("README.md"))
    );
    assert_eq!(
        repo.porcelain().trim(),
        "M README.md",
        "only the user's own edit: the worker dirtied nothing"
    );
}

#[test]
fn missing_model_names_it_and_ollama_pull_and_leaves_the_task_queued() {
    let (repo, id) = repo_with_task(&[], &[]);
    let fake = FakeOllama::start(Script::answer(good_edit()).with_models(["llama3.2:1b"]));
    let r = run_worker(repo.path(), &fake.url(), &["--once"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("qwen2.5-coder:7b"), "{}", r.stderr);
    assert!(
        r.stderr.contains("ollama pull qwen2.5-coder:7b"),
        "{}",
        r.stderr
    );
    assert_eq!(
        autodev(repo.path(), &["status", &id, "--json"]).json()["state"],
        "pending"
    );
}

#[test]
fn fallback_model_is_used_and_recorded() {
    let (repo, id) = repo_with_task(&[], &[]);
    let fake = FakeOllama::start(Script::answer(good_edit()).with_models(["qwen2.5-coder:1.5b"]));
    let r = run_worker(
        repo.path(),
        &fake.url(),
        &["--once", "--fallback-model", "qwen2.5-coder:1.5b"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done");
    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    assert_eq!(report["fallback_model"], "qwen2.5-coder:1.5b");
    assert!(types_for(&repo, &id).contains(&"MODEL_FALLBACK".to_string()));
}

#[test]
fn unreachable_server_releases_the_task_without_using_a_try() {
    let (repo, id) = repo_with_task(&[], &[]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = run_worker(
        repo.path(),
        &format!("http://127.0.0.1:{port}"),
        &["--once"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(&format!("127.0.0.1:{port}")),
        "names the host: {}",
        r.stderr
    );
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "pending");
    assert_eq!(st["attempts"], 0);
}

#[test]
fn bad_edits_and_gate_failures_are_fed_back_until_a_patch_passes() {
    let (repo, id) = repo_with_task(&[], &["grep -q 'p == 0' src/config.rs"]);
    let wrong_search = serde_json::json!({"edits": [{"path": "src/config.rs", "search": "    Some(port)\n", "replace": "x"}]});
    let fails_check = serde_json::json!({"edits": [{"path": "src/config.rs", "search": "    Some(p)\n", "replace": "    Some(p) // fine\n"}]});
    let fake = FakeOllama::start(Script::new(vec![
        Step::answer(wrong_search.to_string()),
        Step::answer(fails_check.to_string()),
        Step::answer(good_edit()),
    ]));
    let r = run_worker(repo.path(), &fake.url(), &["--once"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done");
    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    let outcomes: Vec<&str> = report["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["EDIT_NO_MATCH", "GATE_FAILED", "GATE_PASSED"]);
    let reqs = fake.chat_requests();
    assert_eq!(reqs.len(), 3);
    let last_user = |i: usize| {
        reqs[i].body["messages"].as_array().unwrap().last().unwrap()["content"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(last_user(1).contains("EDIT_NO_MATCH"), "{}", last_user(1));
    assert!(last_user(2).contains("CHECK_FAILED"), "{}", last_user(2));
    let types = types_for(&repo, &id);
    assert_eq!(types.iter().filter(|t| *t == "GATE_FAILED").count(), 1);
    assert_eq!(types.iter().filter(|t| *t == "PATCH_PROPOSED").count(), 2);
}

#[test]
fn garbage_answers_end_in_a_failed_task_with_a_reason_and_a_report() {
    let (repo, id) = repo_with_task(&[], &[]);
    let fake = FakeOllama::start(Script::answer(
        "Sure! Here is how I would fix it: change the function.",
    ));
    let r = run_worker(repo.path(), &fake.url(), &["--once"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "failed");
    assert_eq!(st["failure_reason"], "EDIT_FORMAT_INVALID");
    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    assert_eq!(report["attempts"].as_array().unwrap().len(), 3);
    assert_eq!(report["gate_verdict"], "NONE");
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn claimed_count(repo: &TempRepo) -> usize {
    std::fs::read_dir(queue_dir(repo).join("claimed"))
        .unwrap()
        .count()
}

fn slow_script(first_byte_ms: u64) -> Script {
    let mut s = Script::answer(good_edit());
    if let Step::Answer(a) = &mut s.steps[0] {
        a.first_byte_delay_ms = first_byte_ms;
    }
    s
}

pub(crate) fn signal(child: &Child, sig: &str) {
    assert!(
        Command::new("kill")
            .args([sig, &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
}

#[test]
fn sigkill_during_generation_requeues_and_the_task_finishes_exactly_once() {
    let (repo, id) = repo_with_task(&["--lease-secs", "2"], &[]);
    let slow = FakeOllama::start(slow_script(60_000));
    let mut w = worker_cmd(repo.path(), &slow.url(), &[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the first worker to be generating", || {
        !slow.chat_requests().is_empty()
    });
    signal(&w, "-KILL");
    w.wait().unwrap();
    assert_eq!(
        claimed_count(&repo),
        1,
        "the dead worker's claim is still there"
    );

    let fast = FakeOllama::start(Script::answer(good_edit()));
    std::thread::sleep(Duration::from_millis(2200));
    let r = run_worker(repo.path(), &fast.url(), &["--once"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done");
    assert_eq!(st["attempts"], 2);
    let types = types_for(&repo, &id);
    assert_eq!(
        types.iter().filter(|t| *t == "TASK_REQUEUED").count(),
        1,
        "{types:?}"
    );
    assert_eq!(
        types.iter().filter(|t| *t == "TASK_COMPLETED").count(),
        1,
        "{types:?}"
    );
}

#[test]
fn sigterm_gives_the_task_back_and_exits_cleanly() {
    let (repo, id) = repo_with_task(&[], &[]);
    let slow = FakeOllama::start(slow_script(60_000));
    let w = worker_cmd(repo.path(), &slow.url(), &[])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the worker to be generating", || {
        !slow.chat_requests().is_empty()
    });
    signal(&w, "-TERM");
    let started = Instant::now();
    let out = w.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "exits promptly"
    );
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "pending");
    assert!(types_for(&repo, &id).contains(&"TASK_RELEASED".to_string()));
}

#[test]
fn print_config_shows_each_value_and_its_source() {
    let repo = TempRepo::with_files(&[("a", "a\n")]);
    std::fs::write(
        repo.path().join(".env"),
        "OLLAMA_MODEL=from-dotenv:7b\nAUTODEV_NUM_CTX=4096\n",
    )
    .unwrap();
    std::fs::create_dir_all(repo.path().join(".autodev_ssot")).unwrap();
    std::fs::write(
        repo.path().join(".autodev_ssot/worker.toml"),
        "autodev_num_ctx = 2048\nautodev_temperature = 0.7\n",
    )
    .unwrap();
    let out: test_support::Run = worker_cmd(
        repo.path(),
        "http://127.0.0.1:1",
        &["--print-config", "--model-tries", "2"],
    )
    .env("AUTODEV_SEED", "42")
    .output()
    .unwrap()
    .into();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let line = |name: &str| {
        out.stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {}", out.stdout))
            .to_string()
    };
    assert!(
        line("OLLAMA_MODEL ").contains("from-dotenv:7b") && line("OLLAMA_MODEL ").contains(".env")
    );
    assert!(
        line("AUTODEV_NUM_CTX").contains("4096"),
        ".env beats worker.toml: {}",
        line("AUTODEV_NUM_CTX")
    );
    assert!(
        line("AUTODEV_TEMPERATURE").contains("0.7")
            && line("AUTODEV_TEMPERATURE").contains("worker.toml")
    );
    assert!(line("AUTODEV_SEED").contains("42") && line("AUTODEV_SEED").contains("environment"));
    assert!(
        line("AUTODEV_MODEL_TRIES").contains("2")
            && line("AUTODEV_MODEL_TRIES").contains("command line")
    );
    assert!(line("OLLAMA_HOST").contains("http://127.0.0.1:1"));
    // The per-answer bounds show what `auto` came to (from AUTODEV_MAX_TOKENS 2048 and a 600 s first byte).
    assert!(
        line("AUTODEV_MAX_ANSWER_BYTES").contains("auto (262144)"),
        "{}",
        line("AUTODEV_MAX_ANSWER_BYTES")
    );
    assert!(
        line("AUTODEV_ANSWER_TIMEOUT").contains("auto (1624)"),
        "{}",
        line("AUTODEV_ANSWER_TIMEOUT")
    );
    let help = autodev(repo.path(), &["worker", "--help"]).stdout;
    for knob in [
        "AUTODEV_MAX_ANSWER_BYTES",
        "ANSWER_TOO_LARGE",
        "AUTODEV_ANSWER_TIMEOUT",
        "ANSWER_TOO_SLOW",
        "EDIT_TOO_MANY",
    ] {
        assert!(help.contains(knob), "--help names {knob}");
    }

    // A typo in worker.toml is not ignored: the worker and the doctor refuse it with the file and line.
    std::fs::write(
        repo.path().join(".autodev_ssot/worker.toml"),
        "autodev_num_ctx = 2048\nautodev_temprature = 0.7\n",
    )
    .unwrap();
    let out: test_support::Run = worker_cmd(repo.path(), "http://127.0.0.1:1", &["--print-config"])
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains("worker.toml:2:")
            && out.stderr.contains("did you mean `autodev_temperature`"),
        "{}",
        out.stderr
    );
    let doctor = autodev(repo.path(), &["doctor"]);
    assert_eq!(doctor.code, 2, "{}", doctor.stdout);
    assert!(
        doctor.stderr.contains("worker.toml:2:"),
        "{}",
        doctor.stderr
    );
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let out = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(bytes)?;
            c.wait_with_output()
        });
    String::from_utf8(out.unwrap().stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// The check a hostile model would plant: it looks for the task's patch in the queue (the gate's checkout is
/// `<repo>/.git/autodev/checkouts/slot-N`), hashes it, and writes an approval record for it. Each step prints
/// what it found, so the test can see it in the gate's report.
/// `QUEUE` is replaced by the queue's absolute path.
const FORGING_CHECK: &str = r#"q=QUEUE
id=$(ls "$q/claimed" 2>/dev/null | sed -n 's/@.*//p' | head -n1)
echo "task: ${id:-none}"
p="$q/results/$id.patch"
if [ -f "$p" ]; then sha=$(sha256sum "$p" | cut -d' ' -f1); echo "patch file: present"
else sha=$(git diff | sha256sum | cut -d' ' -f1); echo "patch file: absent"; fi
if mkdir -p "$q/approved" && printf '{"task_id":"%s","patch_sha256":"%s","by":"tester","at":"2026-11-25T14:35:56.123456Z","via":"cli"}\n' "$id" "$sha" > "$q/approved/$id.approved.json"
then echo "forged: yes"; else echo "forged: no"; fi
exit 0"#;

/// Attack, end to end: the repository's own gate check (at the base commit) tries to approve the patch it is
/// judging. The patch is not in results/ while checks run, and a record without an APPROVED event is no approval.
#[test]
fn a_check_that_forges_an_approval_gets_no_approval() {
    let (repo, id) = repo_with_gate_toml(|repo| {
        let check = FORGING_CHECK.replace("QUEUE", &queue_dir(repo).display().to_string());
        format!("[[check]]\nname = \"forge\"\ncommand = '''\n{check}\n'''\n")
    });
    let fake = FakeOllama::start(Script::answer(good_edit()));
    let r = run_worker(repo.path(), &fake.url(), &["--once"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done", "passed the gate, not approved: {st}");
    let gate = read_json(Path::new(st["gate"].as_str().unwrap()));
    let output = gate["checks"][0]["output_tail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        output.contains("patch file: absent"),
        "the check found the patch: {output}"
    );
    // The sandbox keeps checks out of the queue: the check can neither list the claimed task nor write a
    // record. (Without it the record would be written and `apply` would refuse it as APPROVAL_NOT_IN_LOG: the
    // approval tests forge one by hand.)
    let forged = queue_dir(&repo).join(format!("approved/{id}.approved.json"));
    assert!(output.contains("forged: no"), "{output}");
    assert!(output.contains("task: none"), "{output}");
    assert!(!forged.exists());
    assert!(st.get("approval").is_none(), "{st}");

    let r = autodev(repo.path(), &["apply", &id]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.starts_with("NOT_APPROVED: "), "{}", r.stderr);
    assert!(
        !repo.git(&["branch", "--list"]).contains("autodev/"),
        "no branch created"
    );
    assert!(!types_for(&repo, &id).contains(&"APPROVED".to_string()));
    // The worker logged the bytes it gated; they are the patch file's.
    let gated: Vec<String> = events(&repo)
        .into_iter()
        .filter(|e| e["task_id"] == id.as_str() && e["type"] == "GATE_PASSED")
        .map(|e| e["sha256"].as_str().unwrap_or_default().to_string())
        .collect();
    let patch = std::fs::read(st["patch"].as_str().unwrap()).unwrap();
    assert_eq!(gated, vec![sha256_hex(&patch)]);
}

// Bounds: what a runaway model server or answer could do to a worker before (issue 11), each now a test.

/// Peak resident memory of a running process, in KiB (`VmHWM`).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn state(repo: &TempRepo, id: &str) -> serde_json::Value {
    autodev(repo.path(), &["status", id, "--json"]).json()
}

fn outcomes(report: &serde_json::Value) -> Vec<String> {
    report["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap().to_string())
        .collect()
}

/// The text of the last user message of chat request `i`.
fn feedback_of(fake: &FakeOllama, i: usize) -> String {
    let reqs = fake.chat_requests();
    reqs[i].body["messages"].as_array().unwrap().last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Before: a server that never stops streaming grew the worker to 1.75 GB in 12 s until the allocator aborted it,
/// and the task stayed claimed.
#[test]
fn an_endless_answer_is_cut_memory_stays_bounded_and_the_task_fails_with_the_code() {
    // A short lease: the heartbeat must keep renewing it while the answers stream in.
    let (repo, id) = repo_with_task(&["--lease-secs", "2"], &[]);
    let fake = FakeOllama::start(Script::new(vec![Step::endless(
        "{\"edits\":[{\"path\":\"src/config.rs\",",
        64 * 1024,
    )]));
    let mut w = worker_cmd(repo.path(), &fake.url(), &[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the task to fail", || {
        state(&repo, &id)["state"] == "failed"
    });
    let peak_mib = peak_rss_kib(w.id()) / 1024;
    signal(&w, "-TERM");
    assert!(w.wait().unwrap().success());

    let st = state(&repo, &id);
    assert_eq!(st["failure_reason"], "ANSWER_TOO_LARGE", "{st}");
    assert_eq!(claimed_count(&repo), 0);
    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    assert_eq!(
        outcomes(&report),
        ["ANSWER_TOO_LARGE", "ANSWER_TOO_LARGE", "ANSWER_TOO_LARGE"],
        "every try was used"
    );
    assert!(
        report["attempts"][0]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("262144 bytes"),
        "the derived limit: {report}"
    );
    // Three answers cut at 256 KiB each: the worker never held more than one (a generous bound).
    assert!(peak_mib < 200, "peak resident memory {peak_mib} MiB");
    // The model was told, and the cut-off text was not sent back to it.
    assert_eq!(fake.chat_requests().len(), 3);
    assert!(feedback_of(&fake, 1).contains("ANSWER_TOO_LARGE"));
    assert!(fake.chat_requests()[2].raw.len() < 64 * 1024);
}

/// Before: a stream trickling one token every few seconds had no total time limit.
#[test]
fn a_trickling_answer_hits_the_total_time_limit_and_the_next_try_runs() {
    let (repo, id) = repo_with_task(&[], &[]);
    let fake = FakeOllama::start(Script::new(vec![Step::trickle("tok ", 50)]));
    let started = Instant::now();
    let r: test_support::Run =
        worker_cmd(repo.path(), &fake.url(), &["--once", "--model-tries", "2"])
            .env("AUTODEV_ANSWER_TIMEOUT", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap()
            .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    let st = state(&repo, &id);
    assert_eq!(st["failure_reason"], "ANSWER_TOO_SLOW", "{st}");
    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    assert_eq!(outcomes(&report), ["ANSWER_TOO_SLOW", "ANSWER_TOO_SLOW"]);
    assert!(
        report["attempts"][0]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("AUTODEV_ANSWER_TIMEOUT"),
        "{report}"
    );
    assert!(feedback_of(&fake, 1).contains("did not finish within 1 s"));
}

/// Before: AUTODEV_MAX_EDITS was only a hint in the schema; 20,000 non-matching edits took minutes of CPU on the
/// async runtime and the TASK_FAILED event was one 3 MB line.
#[test]
fn twenty_thousand_edits_are_refused_before_matching_with_a_bounded_event_line() {
    // A short lease: before, the heartbeat stalled while the edits were matched and another worker took the task.
    let (repo, id) = repo_with_task(&["--lease-secs", "2"], &[]);
    let edits: Vec<serde_json::Value> = (0..20_000)
        .map(|i| serde_json::json!({"path": "src/config.rs", "search": format!("n{i}\n"), "replace": "x"}))
        .collect();
    let answer = serde_json::json!({"edits": edits}).to_string();
    assert!(answer.len() > 800_000);
    let fake = FakeOllama::start(Script::new(vec![Step::Answer(fake_servers::Answer {
        content: answer,
        chunk: fake_servers::Chunking::Bytes(64 * 1024),
        ..fake_servers::Answer::default()
    })]));
    let started = Instant::now();
    let r: test_support::Run =
        worker_cmd(repo.path(), &fake.url(), &["--once", "--model-tries", "2"])
            .env("AUTODEV_MAX_ANSWER_BYTES", "4000000")
            .stdin(Stdio::null())
            .output()
            .unwrap()
            .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    let st = state(&repo, &id);
    assert_eq!(st["failure_reason"], "EDIT_TOO_MANY", "{st}");
    let report_path = st["report"].as_str().unwrap().to_string();
    let report = read_json(Path::new(&report_path));
    assert_eq!(outcomes(&report), ["EDIT_TOO_MANY", "EDIT_TOO_MANY"]);
    let reason = report["attempts"][0]["reasons"][0].as_str().unwrap();
    assert!(
        reason.contains("20000 edits") && reason.contains("at most 8"),
        "{reason}"
    );
    assert!(std::fs::metadata(&report_path).unwrap().len() < 16 * 1024);
    assert!(feedback_of(&fake, 1).contains("EDIT_TOO_MANY"));
    let log = std::fs::read_to_string(queue_dir(&repo).join("events.ndjson")).unwrap();
    let longest = log.lines().map(str::len).max().unwrap();
    assert!(longest < 8 * 1024, "an event line of {longest} bytes");
}

/// SIGTERM while a huge answer streams in: the worker stops at once and gives the task back untouched.
#[test]
fn sigterm_during_a_huge_answer_returns_promptly_and_releases_the_task() {
    let (repo, id) = repo_with_task(&[], &[]);
    let fake = FakeOllama::start(Script::new(vec![Step::endless("{\"edits\":[", 64 * 1024)]));
    let w = worker_cmd(repo.path(), &fake.url(), &[])
        .env("AUTODEV_MAX_ANSWER_BYTES", "1000000000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the worker to be streaming", || {
        !fake.chat_requests().is_empty()
    });
    std::thread::sleep(Duration::from_millis(500));
    signal(&w, "-TERM");
    let started = Instant::now();
    let out = w.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "exits promptly: {:?}",
        started.elapsed()
    );
    let st = state(&repo, &id);
    assert_eq!(st["state"], "pending", "{st}");
    assert_eq!(st["attempts"], 1, "still its first try");
    let types = types_for(&repo, &id);
    assert!(types.contains(&"TASK_RELEASED".to_string()), "{types:?}");
    assert!(!types.contains(&"TASK_FAILED".to_string()), "{types:?}");
}

/// Before: the next try was never used after an oversized answer: the answer stayed in the conversation, and
/// the task failed as CONTEXT_TOO_LARGE with advice to raise AUTODEV_NUM_CTX.
#[test]
fn the_next_try_is_used_after_an_oversized_answer() {
    let (repo, id) = repo_with_task(&[], &["grep -q 'p == 0' src/config.rs"]);
    // A complete answer of 300 KB of prose (within the byte limit set here, far over the context), then one
    // cut off at the byte limit, then a good one.
    let fake = FakeOllama::start(Script::new(vec![
        Step::Answer(fake_servers::Answer {
            content: "I think the fix is simple. ".repeat(11_000),
            chunk: fake_servers::Chunking::Bytes(64 * 1024),
            ..fake_servers::Answer::default()
        }),
        Step::endless("{\"edits\":[", 64 * 1024),
        Step::answer(good_edit()),
    ]));
    let r: test_support::Run = worker_cmd(repo.path(), &fake.url(), &["--once"])
        .env("AUTODEV_MAX_ANSWER_BYTES", "400000")
        // Search/replace: the format whose retries carry the answer (or its stand-in) in the conversation.
        .env("AUTODEV_EDIT_FORMAT", "search-replace")
        .stdin(Stdio::null())
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = state(&repo, &id);
    assert_eq!(st["state"], "done", "{st}");
    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    assert_eq!(
        outcomes(&report),
        ["EDIT_FORMAT_INVALID", "ANSWER_TOO_LARGE", "GATE_PASSED"]
    );
    let reqs = fake.chat_requests();
    assert_eq!(reqs.len(), 3);
    let said = |i: usize| {
        reqs[i].body["messages"][2]["content"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        said(1).contains("(297000 bytes) is left out"),
        "{}",
        said(1)
    );
    assert!(
        said(2).contains("is left out") || said(2).contains("cut off"),
        "{}",
        said(2)
    );
    assert!(reqs.iter().all(|r| r.raw.len() < 64 * 1024));
}

/// Before: a model writing `a/x.txt` in a repository with a top-level `a/` folder got `x.txt` (leading `a/` and
/// `b/` were stripped, repeatedly).
#[test]
fn a_top_level_a_folder_keeps_a_slash_x_txt() {
    let repo = TempRepo::with_files(&[("a/x.txt", "one\n"), ("x.txt", "one\n")]);
    assert_eq!(autodev(repo.path(), &["init"]).code, 0);
    repo.git(&["add", ".autodev_ssot"]);
    repo.git(&["commit", "-qm", "autodev policy"]);
    let r = autodev(
        repo.path(),
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "a/x.txt",
            "-w",
            "a/x.txt must say two instead of one",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = r.stdout.trim().to_string();
    let answer =
        serde_json::json!({"edits": [{"path": "a/x.txt", "search": "one\n", "replace": "two\n"}]});
    let fake = FakeOllama::start(Script::answer(answer.to_string()));
    let r = run_worker(repo.path(), &fake.url(), &["--once"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = state(&repo, &id);
    assert_eq!(st["state"], "done", "{st}");
    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    assert_eq!(report["files_changed"], serde_json::json!(["a/x.txt"]));
    let patch = std::fs::read_to_string(st["patch"].as_str().unwrap()).unwrap();
    assert!(
        patch.starts_with("diff --git a/a/x.txt b/a/x.txt\n"),
        "{patch}"
    );
}

/// Live processes with `token` as one of their arguments (a check's `sleep`, which adds its arguments up).
fn processes_with_arg(token: &str) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.split(|b| *b == 0).any(|arg| arg == token.as_bytes()))
        })
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                let state = stat
                    .rsplit(')')
                    .next()
                    .and_then(|s| s.split_whitespace().next());
                !matches!(state, Some("Z" | "X") | None)
            })
        })
        .collect()
}

/// Before: after SIGTERM the worker gave the task back and then waited for its blocking jobs (a long gate
/// check, a long match) to finish before it exited.
#[test]
fn sigterm_during_a_gate_check_exits_promptly_and_leaves_no_check_running() {
    let token = format!("0.{}", std::process::id());
    let check = format!("sleep 60 {token}");
    let (repo, id) = repo_with_task(&[], &[&check]);
    let fake = FakeOllama::start(Script::answer(good_edit()));
    let w = worker_cmd(repo.path(), &fake.url(), &[])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the check to run", || {
        !processes_with_arg(&token).is_empty()
    });
    signal(&w, "-TERM");
    let started = Instant::now();
    let out = w.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "exits promptly, not after the 60 s check: {:?}",
        started.elapsed()
    );
    let st = state(&repo, &id);
    assert_eq!(st["state"], "pending", "{st}");
    wait_for("the check to be gone", || {
        processes_with_arg(&token).is_empty()
    });
}

/// A Korean request: the prompt asks for a Korean summary; a model that drifts into Chinese is asked once more for
/// the summary alone, which is not a failed try of the code (the first answer's edits pass the gate on try 1).
#[test]
fn a_korean_request_gets_a_korean_summary_even_from_a_model_that_drifts_into_chinese() {
    let repo = TempRepo::with_files(&[("src/config.rs", CONFIG_RS), ("README.md", "demo\n")]);
    assert_eq!(autodev(repo.path(), &["init"]).code, 0);
    repo.git(&["add", ".autodev_ssot"]);
    repo.git(&["commit", "-qm", "autodev policy"]);
    let sub = autodev(
        repo.path(),
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "-w",
            "parse_port가 포트 0을 받아들입니다. 0이면 None을 돌려주도록 고쳐 주세요",
        ],
    );
    assert_eq!(sub.code, 0, "{}", sub.stderr);
    let id = sub.stdout.trim().to_owned();
    // The whole-file answer a small file gets, summarised in Chinese.
    let fixed = CONFIG_RS.replace(
        "    Some(p)\n",
        "    if p == 0 {\n        return None;\n    }\n    Some(p)\n",
    );
    let chinese = format!("SUMMARY: 拒绝端口 0\nsrc/config.rs\n```rust\n{fixed}```\n");
    let fake = FakeOllama::start(Script::new(vec![
        Step::answer(chinese),
        Step::answer(r#"{"summary": "포트가 0이면 None을 돌려줍니다"}"#.to_owned()),
    ]));
    let out = run_worker(repo.path(), &fake.url(), &["--once"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done", "{st}");
    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    assert_eq!(report["summary"], "포트가 0이면 None을 돌려줍니다");
    assert_eq!(report["attempts"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["attempts"][0]["outcome"], "GATE_PASSED");
    let chats = fake.chat_requests();
    assert_eq!(chats.len(), 2);
    let first_prompt = chats[0].body["messages"][1]["content"]
        .as_str()
        .unwrap_or("");
    assert!(
        first_prompt.contains("Write the SUMMARY line in Korean"),
        "{first_prompt}"
    );
    let asked = chats[1].body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_str())
        .unwrap_or("");
    assert!(asked.contains("not in Korean"), "{asked}");
}

/// Greedy decoding tends to answer a retry with the change just refused: the tries after the first sample at
/// AUTODEV_RETRY_TEMPERATURE (auto: at least 0.7) with the next seed, and a change the gate already refused is not gated again — the
/// model is told it repeated itself, with what the check said the first time.
#[test]
fn retries_sample_warmer_and_a_repeated_change_is_not_gated_again() {
    let (repo, id) = repo_with_task(&[], &["grep -q 'p == 0' src/config.rs"]);
    let fails_check = serde_json::json!({"edits": [{"path": "src/config.rs", "search": "    Some(p)\n", "replace": "    Some(p) // fine\n"}]});
    let fake = FakeOllama::start(Script::new(vec![
        Step::answer(fails_check.to_string()),
        Step::answer(fails_check.to_string()),
        Step::answer(good_edit()),
    ]));
    let r: test_support::Run = worker_cmd(repo.path(), &fake.url(), &["--once"])
        .env("AUTODEV_TEMPERATURE", "0")
        .env("AUTODEV_SEED", "5")
        .stdin(Stdio::null())
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = state(&repo, &id);
    assert_eq!(st["state"], "done", "{st}");
    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    assert_eq!(
        outcomes(&report),
        ["GATE_FAILED", "ANSWER_REPEATED", "GATE_PASSED"]
    );
    let types = types_for(&repo, &id);
    assert_eq!(types.iter().filter(|t| *t == "GATE_FAILED").count(), 1);
    let temps: Vec<f64> = fake
        .chat_requests()
        .iter()
        .map(|r| r.body["options"]["temperature"].as_f64().unwrap())
        .collect();
    assert_eq!(temps.len(), 3);
    assert!(temps[0].abs() < 1e-6, "{temps:?}");
    assert!(
        temps[1..].iter().all(|t| (t - 0.7).abs() < 1e-6),
        "{temps:?}"
    );
    let seeds: Vec<u64> = fake
        .chat_requests()
        .iter()
        .map(|r| r.body["options"]["seed"].as_u64().unwrap())
        .collect();
    assert_eq!(
        seeds,
        [5, 6, 7],
        "reproducible, not the same draw every try"
    );
    let repeated = feedback_of(&fake, 2);
    assert!(repeated.contains("ANSWER_REPEATED"), "{repeated}");
    assert!(
        repeated.contains("p == 0"),
        "the check's words come along: {repeated}"
    );
}

/// A repository whose gate.toml has a check (`p == 0` is handled) and a probe (which ports the code refuses
/// besides 0), with one fix task queued.
fn repo_with_probe() -> (TempRepo, String) {
    repo_with_gate_toml(|_| {
        "[[check]]\nname = \"zero\"\ncommand = \"grep -q 'p == 0' src/config.rs\"\n\n\
         [[probe]]\nname = \"refused\"\ncommand = \"grep -o 'p > [0-9]*' src/config.rs || echo 'only 0'\"\n"
            .to_owned()
    })
}

/// The parse_port repository with its own committed `gate.toml` (made from the repository, whose queue path a
/// check may name) and the fix task queued; returns (repo, task id).
fn repo_with_gate_toml(gate_toml: impl FnOnce(&TempRepo) -> String) -> (TempRepo, String) {
    let repo = TempRepo::with_files(&[("src/config.rs", CONFIG_RS), ("README.md", "demo\n")]);
    assert_eq!(autodev(repo.path(), &["init"]).code, 0);
    let toml = gate_toml(&repo);
    repo.write(".autodev_ssot/gate.toml", &toml);
    repo.git(&["add", ".autodev_ssot"]);
    repo.git(&["commit", "-qm", "autodev policy with its own gate.toml"]);
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
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    (repo, r.stdout.trim().to_string())
}

fn edit_with(condition: &str, comment: &str) -> String {
    serde_json::json!({
        "summary": "reject port 0",
        "edits": [{
            "path": "src/config.rs",
            "search": "    Some(p)\n",
            "replace": format!("    if {condition} {{\n        return None; {comment}\n    }}\n    Some(p)\n")
        }]
    })
    .to_string()
}

/// The first answer passes the check but also refuses ports above 8000, which nobody asked for; a sample the gate
/// refuses is no candidate (one more is asked), and the two passing samples (different text, same behaviour)
/// outvote the first: the patch proposed, gated and logged is theirs.
#[test]
fn passing_candidates_are_compared_by_the_probes_and_the_shared_behaviour_wins() {
    let (repo, id) = repo_with_probe();
    let fails_check = serde_json::json!({"edits": [{"path": "src/config.rs", "search": "    Some(p)\n", "replace": "    Some(p) // fine\n"}]});
    let fake = FakeOllama::start(Script::new(vec![
        Step::answer(edit_with("p == 0 || p > 8000", "")),
        Step::answer(fails_check.to_string()),
        Step::answer(edit_with("p == 0", "")),
        Step::answer(edit_with("p == 0", "// zero is no port")),
    ]));
    let r: test_support::Run = worker_cmd(repo.path(), &fake.url(), &["--once"])
        .env("AUTODEV_TEMPERATURE", "0")
        .env("AUTODEV_SEED", "5")
        .stdin(Stdio::null())
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = state(&repo, &id);
    assert_eq!(st["state"], "done", "{st}");
    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    assert_eq!(
        outcomes(&report),
        ["GATE_PASSED", "GATE_FAILED", "GATE_PASSED", "GATE_PASSED"]
    );
    let attempts = report["attempts"].as_array().unwrap();
    let candidates: Vec<u64> = attempts
        .iter()
        .map(|a| a["candidate"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(candidates, [0, 1, 2, 3]);
    assert!(
        attempts[2]["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("chosen: 2 of 3 passing candidates"),
        "{report}"
    );
    let patch = std::fs::read_to_string(st["patch"].as_str().unwrap()).unwrap();
    assert!(
        patch.contains("+    if p == 0 {") && !patch.contains("8000"),
        "{patch}"
    );
    let passed = events(&repo)
        .into_iter()
        .find(|e| e["task_id"] == id && e["type"] == "GATE_PASSED")
        .unwrap();
    assert_eq!(
        report["patch_sha256"], passed["sha256"],
        "the report names the chosen patch"
    );
    let gate = read_json(Path::new(st["gate"].as_str().unwrap()));
    assert_eq!(
        gate["probes"][0]["output_tail"].as_str().unwrap().trim(),
        "only 0"
    );
    let types = types_for(&repo, &id);
    assert_eq!(
        types.iter().filter(|t| *t == "PATCH_PROPOSED").count(),
        1,
        "{types:?}"
    );
    assert_eq!(
        types.iter().filter(|t| *t == "GATE_PASSED").count(),
        1,
        "{types:?}"
    );
    let options: Vec<(f64, u64)> = fake
        .chat_requests()
        .iter()
        .map(|r| {
            let o = &r.body["options"];
            (
                o["temperature"].as_f64().unwrap(),
                o["seed"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(options.len(), 4);
    assert!(
        options[0].0.abs() < 1e-6 && options[1..].iter().all(|o| (o.0 - 0.7).abs() < 1e-6),
        "{options:?}"
    );
    assert_eq!(
        options.iter().map(|o| o.1).collect::<Vec<_>>(),
        [5, 106, 107, 108]
    );
    // The candidates were asked the same question as the first answer, not shown it.
    let first = fake.chat_requests()[0].body["messages"].clone();
    assert!(
        fake.chat_requests()
            .iter()
            .all(|r| r.body["messages"] == first)
    );
}

/// Agreement is settled as soon as no further answer could change it: a sample that behaves like the first
/// answer ends the sampling at two answers, and AUTODEV_CANDIDATES=1 asks for none.
#[test]
fn sampling_stops_once_the_choice_is_settled_and_one_candidate_turns_it_off() {
    for (candidates, requests) in [("3", 2), ("1", 1)] {
        let (repo, id) = repo_with_probe();
        let fake = FakeOllama::start(Script::answer(good_edit()));
        let r: test_support::Run = worker_cmd(repo.path(), &fake.url(), &["--once"])
            .env("AUTODEV_CANDIDATES", candidates)
            .stdin(Stdio::null())
            .output()
            .unwrap()
            .into();
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            fake.chat_requests().len(),
            requests,
            "AUTODEV_CANDIDATES={candidates}"
        );
        let st = state(&repo, &id);
        assert_eq!(st["state"], "done", "{st}");
        let gate = read_json(Path::new(st["gate"].as_str().unwrap()));
        assert_eq!(gate.get("probes").is_some(), candidates != "1", "{gate}");
    }
}

/// A function whose body is only `raise NotImplementedError` reads as complete to a small model, which writes it
/// back unchanged: when the request names it, the prompt says it has no body yet. A request that does not name it
/// gets no such sentence.
#[test]
fn a_stub_the_request_names_is_pointed_out_in_the_prompt() {
    let stub = "def encode(s: str) -> str:\n    \"\"\"Reverses s.\"\"\"\n    return s[::-1]\n\n\ndef decode(s: str) -> str:\n    \"\"\"Undoes encode.\"\"\"\n    raise NotImplementedError\n";
    let answer = "SUMMARY: implement decode\n\ncodec.py\n```python\ndef decode(s: str) -> str:\n    \"\"\"Undoes encode.\"\"\"\n    return s[::-1]\n```\n";
    for (work, pointed) in [
        ("implement `decode` as its docstring says", true),
        ("add type hints where they are missing", false),
    ] {
        let repo = TempRepo::with_files(&[("codec.py", stub)]);
        assert_eq!(autodev(repo.path(), &["init"]).code, 0);
        repo.git(&["add", ".autodev_ssot"]);
        repo.git(&["commit", "-qm", "autodev policy"]);
        let r = autodev(
            repo.path(),
            &["submit", "-i", "feat", "-t", "codec.py", "-w", work],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let fake = FakeOllama::start(Script::answer(answer.to_owned()));
        let r = run_worker(repo.path(), &fake.url(), &["--once"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let prompt = feedback_of(&fake, 0);
        let note = "`decode` in codec.py has no body yet: `raise NotImplementedError` stands in for it. Write the \
                    body: answer with the whole function `decode`";
        assert_eq!(prompt.contains(note), pointed, "{work}: {prompt}");
        assert!(
            !prompt.contains("`encode` in codec.py has no body"),
            "{prompt}"
        );
    }
}
