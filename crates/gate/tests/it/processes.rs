//! Nothing a check starts survives it: background children, grandchildren, `setsid` and double-fork escapes,
//! whether the check passes, fails or times out. Pid files go into the checkout (the only place, with the
//! private temp dir, that a sandboxed check may write).

use std::time::{Duration, Instant};

use gate::{CheckStatus, Gate, GateConfig, GateRequest, ReasonCode};

use crate::common::repo_with;

/// Alive and not a zombie (a zombie is dead; it only waits for a reaper that may not exist in a container).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat
                .rsplit(')')
                .next()
                .and_then(|s| s.split_whitespace().next())
                .unwrap_or("");
            state != "Z" && state != "X"
        }
        Err(_) => false,
    }
}

fn wait_dead(pid: i32) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// The pids a check wrote into `name` in its checkout, one per line.
fn pids_in_checkout(report: &gate::GateReport, name: &str) -> Vec<i32> {
    let path = report.checkout.as_ref().unwrap().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(|l| l.trim().parse().unwrap()).collect()
}

const PATCH: &[u8] = b"--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n";

#[test]
fn timeout_kills_grandchildren() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let gate = Gate::new(GateConfig {
        default_check_timeout: Some(Duration::from_secs(1)),
        ..GateConfig::default()
    });
    let mut req = GateRequest::new(&repo.path, "HEAD", PATCH.to_vec());
    // sh -c (the check) -> sh -c (child) -> sleep (grandchild, in the background).
    req.checks = Some(vec![
        "sh -c 'sleep 300 & echo $! > \"$PWD/grandchild.pid\"; wait'".to_owned(),
    ]);
    let started = Instant::now();
    let report = gate.check(&req).unwrap();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(report.reason_codes(), vec![ReasonCode::CheckTimeout]);
    assert_eq!(report.checks[0].status, CheckStatus::TimedOut);
    let pid = pids_in_checkout(&report, "grandchild.pid")[0];
    assert!(wait_dead(pid), "grandchild {pid} survived the timeout");
    let log = std::fs::read_to_string(report.checks[0].log_path.as_ref().unwrap()).unwrap();
    assert!(log.contains("timed out"), "{log}");
}

#[test]
fn background_children_of_a_passing_check_are_killed() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let gate = Gate::new(GateConfig::default());
    let mut req = GateRequest::new(&repo.path, "HEAD", PATCH.to_vec());
    req.checks = Some(vec![
        "sleep 300 >/dev/null 2>&1 & echo $! > bg.pid; echo done".to_owned(),
    ]);
    let report = gate.check(&req).unwrap();
    assert!(report.passed(), "{:?}", report.checks);
    let pid = pids_in_checkout(&report, "bg.pid")[0];
    assert!(wait_dead(pid), "background child outlived its check");
}

/// Every way a process leaves its parent's group or tree: `setsid`, a double fork, `setsid` + double fork,
/// `nohup` — all recorded, the check exits at once (PASS or FAIL), and none is alive afterwards.
const ESCAPES: &str = r#"
setsid sleep 301 >/dev/null 2>&1 < /dev/null & echo $! >> escaped.pid
( sleep 302 >/dev/null 2>&1 < /dev/null & echo $! >> escaped.pid ) &
setsid sh -c '( sleep 303 >/dev/null 2>&1 < /dev/null & echo $! >> escaped.pid ) &' < /dev/null
nohup sleep 304 >/dev/null 2>&1 < /dev/null & echo $! >> escaped.pid
perl -e 'use POSIX; if (fork()) { exit 0 } POSIX::setsid(); if (fork()) { exit 0 } open(F, ">>escaped.pid"); print F "$$\n"; close F; sleep 305' >/dev/null 2>&1 < /dev/null &
i=0; while [ "$(wc -l < escaped.pid)" -lt 5 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
"#;

#[test]
fn setsid_and_double_fork_children_die_with_a_passing_check() {
    escapes_die(&format!("{ESCAPES}\nexit 0"), None);
}

#[test]
fn setsid_and_double_fork_children_die_with_a_failing_check() {
    escapes_die(&format!("{ESCAPES}\nexit 3"), Some(ReasonCode::CheckFailed));
}

#[test]
fn setsid_and_double_fork_children_die_on_timeout() {
    escapes_die(
        &format!("{ESCAPES}\nsleep 300"),
        Some(ReasonCode::CheckTimeout),
    );
}

fn escapes_die(check: &str, expected: Option<ReasonCode>) {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let gate = Gate::new(GateConfig {
        default_check_timeout: Some(Duration::from_secs(3)),
        ..GateConfig::default()
    });
    let mut req = GateRequest::new(&repo.path, "HEAD", PATCH.to_vec());
    req.checks = Some(vec![check.to_owned()]);
    let report = gate.check(&req).unwrap();
    assert_eq!(
        report.reason_codes(),
        expected.into_iter().collect::<Vec<_>>(),
        "{:?}",
        report.checks
    );
    let pids = pids_in_checkout(&report, "escaped.pid");
    assert_eq!(pids.len(), 5, "{pids:?}");
    for pid in pids {
        assert!(wait_dead(pid), "escaped process {pid} outlived its check");
    }
}

#[test]
fn output_tail_is_bounded_and_log_is_complete() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let gate = Gate::new(GateConfig::default());
    let mut req = GateRequest::new(&repo.path, "HEAD", PATCH.to_vec());
    req.checks = Some(vec!["i=0; while [ $i -lt 2000 ]; do echo \"line $i\"; i=$((i+1)); done; echo to-stderr >&2; exit 7".into()]);
    let report = gate.check(&req).unwrap();
    assert_eq!(report.reason_codes(), vec![ReasonCode::CheckFailed]);
    let check = &report.checks[0];
    assert_eq!(check.exit_code, Some(7));
    assert!(check.output_tail.len() <= 4096);
    assert!(check.output_tail.contains("to-stderr"));
    let log = std::fs::read_to_string(check.log_path.as_ref().unwrap()).unwrap();
    assert!(log.starts_with("line 0\n") && log.contains("line 1999"));
}

/// The gate itself dies (SIGKILL, as the chaos test does to workers) while a check runs: the supervisor
/// notices (`PR_SET_PDEATHSIG`) and kills the check and everything it started, `setsid` children included.
#[test]
fn a_killed_gate_leaves_no_check_behind() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let work = tempfile::tempdir().unwrap();
    let patch = work.path().join("p.diff");
    std::fs::write(&patch, PATCH).unwrap();
    let check = "setsid sleep 301 >/dev/null 2>&1 < /dev/null & echo $! >> pids; \
                 sleep 302 & echo $! >> pids; echo $$ >> pids; wait";
    let mut gate = std::process::Command::new(env!("CARGO_BIN_EXE_autodev-gate"))
        .arg("gate")
        .arg(&patch)
        .arg("--repo")
        .arg(&repo.path)
        .arg("--work-root")
        .arg(work.path())
        .args(["--check", check])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pidfile = work.path().join("checkouts/slot-0/pids");
    let started = Instant::now();
    let pids: Vec<i32> = loop {
        let text = std::fs::read_to_string(&pidfile).unwrap_or_default();
        let pids: Vec<i32> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
        if pids.len() == 3 {
            break pids;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the check never started: {text:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    gate.kill().unwrap();
    gate.wait().unwrap();
    for pid in pids {
        assert!(wait_dead(pid), "process {pid} outlived the killed gate");
    }
}
