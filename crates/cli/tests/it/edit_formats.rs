//! How the model is asked to write its change, end to end through `autodev worker` and the real gate: changed
//! definitions merged by name (Python, Rust), small files written out whole, a large file shown only in the part
//! the request names, search/replace when asked for.

use std::path::Path;

use fake_servers::{FakeOllama, Script, Step};
use test_support::TempRepo;

use crate::autodev;
use crate::worker::{CONFIG_RS, read_json, repo_with_task, worker_cmd};

/// 2,400 lines, 37 KB of Python: `parse_port` (wrong for "0") among 150 other functions, as a new user tried it.
fn big_python() -> (String, usize, usize) {
    let mut out = String::from("\"\"\"Network helpers.\"\"\"\nimport re\n\n\n");
    let mut span = (0, 0);
    for i in 0..150 {
        if i == 97 {
            let start = out.lines().count();
            out.push_str(
                "def parse_port(text):\n    \"\"\"The port in `text`, or None when it is not one.\"\"\"\n    \
                 value = int(text)\n    if value > 65535:\n        return None\n    return value\n",
            );
            span = (start + 1, out.lines().count());
            out.push_str("\n\n");
        }
        out.push_str(&format!(
            "def helper_{i:03}(values, limit={i}):\n    \"\"\"Sum the values of group {i} up to a limit.\"\"\"\n    \
             total = 0\n    for position, value in enumerate(values):\n        if position >= limit:\n            \
             break\n        total += value * {i} + position\n    return total\n\n\n"
        ));
    }
    while out.lines().count() < 2400 {
        out.push_str("# Configuration notes: ports, hosts and timeouts are parsed above.\n");
    }
    (out, span.0, span.1)
}

const FIXED: &str = "def parse_port(text):\n    \"\"\"The port in `text`, or None when it is not one.\"\"\"\n    \
                     value = int(text)\n    if value > 65535 or value == 0:\n        return None\n    return value\n";

fn big_repo() -> (TempRepo, String, usize, usize) {
    let (big, a, b) = big_python();
    assert!(
        big.len() > 36_000 && big.lines().count() >= 2400,
        "{} bytes",
        big.len()
    );
    let repo = TempRepo::with_files(&[("net.py", &big)]);
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
            "net.py",
            "-w",
            "parse_port accepts 0; it must return None for 0",
            "--check",
            "python3 -c \"import net; assert net.parse_port('0') is None; assert net.parse_port('80') == 80\"",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    (repo, r.stdout.trim().to_owned(), a, b)
}

fn run(dir: &Path, url: &str, env: &[(&str, &str)]) -> test_support::Run {
    let mut c = worker_cmd(dir, url, &["--once"]);
    c.env_remove("AUTODEV_EDIT_FORMAT")
        .env_remove("AUTODEV_NUM_CTX")
        .env_remove("AUTODEV_MAX_TOKENS");
    for (k, v) in env {
        c.env(k, v);
    }
    c.stdin(std::process::Stdio::null())
        .output()
        .unwrap()
        .into()
}

/// Before: `CONTEXT_TOO_LARGE` at the default 8,192-token context. Now the request's function is shown under
/// its `net.py lines A-B` header, the model rewrites those lines, and the patch is that one-line fix.
#[test]
fn a_one_line_fix_in_a_2400_line_file_fits_the_default_context() {
    let (repo, id, a, b) = big_repo();
    let answer = format!("SUMMARY: reject port 0\nnet.py lines {a}-{b}\n```python\n{FIXED}```\n");
    let fake = FakeOllama::start(Script::answer(answer));
    let r = run(repo.path(), &fake.url(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done", "{st}\n{}", r.stderr);
    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    assert_eq!(report["gate_verdict"], "PASS");
    assert_eq!(
        (
            report["lines_added"].as_u64(),
            report["lines_removed"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let patch = std::fs::read_to_string(st["patch"].as_str().unwrap()).unwrap();
    assert!(
        patch.contains("+    if value > 65535 or value == 0:"),
        "{patch}"
    );

    let req = &fake.chat_requests()[0].body;
    assert_eq!(req["options"]["num_ctx"], 8192);
    assert!(
        req.get("format").is_none(),
        "whole parts are free text, not JSON"
    );
    let prompt = req["messages"][1]["content"].as_str().unwrap();
    assert!(
        prompt.contains(&format!("net.py lines {a}-{b} (of 2400")),
        "{prompt}"
    );
    assert!(prompt.contains("value = int(text)"));
    assert!(!prompt.contains("helper_010"), "far-away code is not shown");
    assert!(prompt.len() < 8_000, "{} bytes", prompt.len());
    assert!(
        req["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("shown only in parts")
    );
}

/// The old way, for comparison: the whole file does not fit, and the task says which setting to raise.
#[test]
fn the_same_file_shown_whole_does_not_fit_and_says_so() {
    let (repo, id, _, _) = big_repo();
    let fake = FakeOllama::start(Script::answer("{}"));
    let r = run(
        repo.path(),
        &fake.url(),
        &[("AUTODEV_EDIT_FORMAT", "search-replace")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "failed", "{st}");
    assert!(st.to_string().contains("CONTEXT_TOO_LARGE"), "{st}");
    assert!(
        fake.chat_requests().is_empty(),
        "nothing is sent that would be cut"
    );
}

/// A part the prompt did not show cannot be rewritten: the model is told which parts it may write, and its next
/// answer is used.
#[test]
fn a_part_that_was_not_shown_is_refused_and_the_model_is_told_which_were() {
    let (repo, id, a, b) = big_repo();
    let fake = FakeOllama::start(Script::new(vec![
        Step::answer("SUMMARY: x\nnet.py lines 1-3\n```python\nimport os\n```\n"),
        Step::answer(format!(
            "SUMMARY: reject port 0\nnet.py lines {a}-{b}\n```python\n{FIXED}```\n"
        )),
    ]));
    let r = run(repo.path(), &fake.url(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done", "{st}");
    let reqs = fake.chat_requests();
    let feedback = reqs[1].body["messages"].as_array().unwrap().last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(feedback.contains("EDIT_NO_MATCH"), "{feedback}");
    assert!(
        feedback.contains(&format!("net.py lines {a}-{b}")),
        "{feedback}"
    );
}

/// A small file is shown in a fenced block and the model writes it back whole: no search text to copy exactly.
#[test]
fn a_small_file_is_written_back_whole() {
    let (repo, id) = repo_with_task(&[], &["grep -q 'p == 0' src/config.rs"]);
    let fixed = CONFIG_RS.replace(
        "    Some(p)\n",
        "    if p == 0 {\n        return None;\n    }\n    Some(p)\n",
    );
    let fake = FakeOllama::start(Script::new(vec![
        Step::answer(format!(
            "SUMMARY: reject port 0\nsrc/config.rs\n```rust\n// ... rest of the file unchanged\n{fixed}```\n"
        )),
        Step::answer(format!(
            "SUMMARY: reject port 0\n\nsrc/config.rs\n```rust\n{fixed}```\n"
        )),
    ]));
    let r = run(repo.path(), &fake.url(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done", "{st}");
    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    assert_eq!(report["summary"], "reject port 0");
    assert_eq!(report["attempts"][0]["outcome"], "EDIT_ELIDED");
    assert_eq!(report["lines_added"], 3);
    let reqs = fake.chat_requests();
    let prompt = reqs[0].body["messages"][1]["content"].as_str().unwrap();
    assert!(
        prompt.contains("src/config.rs\n```rust\npub fn parse_port"),
        "{prompt}"
    );
    assert!(reqs[0].body.get("format").is_none());
    let feedback = reqs[1].body["messages"].as_array().unwrap().last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(feedback.contains("write the whole file"), "{feedback}");
    // Asked afresh: the refused answer is not in the conversation for the model to copy.
    let retry = reqs[1].body["messages"].as_array().unwrap();
    assert_eq!(retry.len(), 2, "{retry:?}");
    assert!(retry.iter().all(|m| m["role"] != "assistant"));
    assert!(
        feedback.starts_with(prompt),
        "the task's prompt, then the note"
    );
    assert!(feedback.contains("SUMMARY line"), "{feedback}");
}

/// The definitions format on the 2,400-line file: the model writes the one function it changes, with no header
/// and an example call after it; the worker puts the function in place, leaves the call out, and the patch is the
/// one-line fix.
#[test]
fn a_large_file_takes_the_changed_function_alone() {
    let (repo, id, _, _) = big_repo();
    let answer = format!(
        "SUMMARY: reject port 0\n\nnet.py\n```python\n{FIXED}\n\nprint(parse_port('0'))\n```\n"
    );
    let fake = FakeOllama::start(Script::answer(answer));
    let r = run(repo.path(), &fake.url(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done", "{st}\n{}", r.stderr);
    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    assert_eq!(
        (
            report["lines_added"].as_u64(),
            report["lines_removed"].as_u64()
        ),
        (Some(1), Some(1)),
        "{report}"
    );
    let system = fake.chat_requests()[0].body["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        system.contains("every function or class you change"),
        "{system}"
    );
    assert!(
        system.contains("only what is shown can be changed"),
        "{system}"
    );
}

/// A small Rust file in the definitions format: a first answer with no definition (a bare statement) is refused
/// and the model told what the answer must hold; the next, the changed function and a new one, is merged by name.
#[test]
fn a_function_alone_is_merged_into_a_small_file_and_a_bare_body_is_refused() {
    let (repo, id) = repo_with_task(
        &[],
        &[
            "grep -q 'p == 0' src/config.rs",
            "grep -q 'pub fn port_or' src/config.rs",
        ],
    );
    let fake = FakeOllama::start(Script::new(vec![
        Step::answer(
            "SUMMARY: reject port 0\nsrc/config.rs\n```rust\nif p == 0 { return None; }\n```\n",
        ),
        Step::answer(
            "SUMMARY: reject port 0\nsrc/config.rs\n```rust\npub fn parse_port(s: &str) -> Option<u16> {\n    \
             let p: u16 = s.parse().ok()?;\n    if p == 0 {\n        return None;\n    }\n    Some(p)\n}\n\n\
             pub fn port_or(s: &str, d: u16) -> u16 {\n    parse_port(s).unwrap_or(d)\n}\n```\n",
        ),
    ]));
    let r = run(repo.path(), &fake.url(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done", "{st}");
    let report = read_json(Path::new(st["report"].as_str().unwrap()));
    assert_eq!(report["attempts"][0]["outcome"], "EDIT_FORMAT_INVALID");
    let patch = std::fs::read_to_string(st["patch"].as_str().unwrap()).unwrap();
    assert!(
        patch.contains("+    if p == 0 {") && patch.contains("+pub fn port_or"),
        "{patch}"
    );
    assert!(
        !patch.contains("-pub fn parse_port"),
        "the signature stays: {patch}"
    );
    let reqs = fake.chat_requests();
    let feedback = reqs[1].body["messages"].as_array().unwrap().last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        feedback.contains("holds no complete definition"),
        "{feedback}"
    );
    assert!(
        feedback.contains("each function or class you change"),
        "{feedback}"
    );
}
