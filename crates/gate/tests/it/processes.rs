//! Timeouts kill the whole process group: no grandchild survives a check.

use std::path::Path;
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

fn read_pid(path: &Path) -> i32 {
    std::fs::read_to_string(path)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

const PATCH: &[u8] = b"--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n";

#[test]
fn timeout_kills_grandchildren() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let tmp = tempfile::tempdir().unwrap();
    let pidfile = tmp.path().join("grandchild.pid");
    let gate = Gate::new(GateConfig {
        default_check_timeout: Some(Duration::from_secs(1)),
        ..GateConfig::default()
    });
    let mut req = GateRequest::new(&repo.path, "HEAD", PATCH.to_vec());
    // sh -c (the check) -> sh -c (child) -> sleep (grandchild, in the background).
    req.checks = Some(vec![format!(
        "sh -c 'sleep 300 & echo $! > {}; wait'",
        pidfile.display()
    )]);
    let started = Instant::now();
    let report = gate.check(&req).unwrap();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(report.reason_codes(), vec![ReasonCode::CheckTimeout]);
    assert_eq!(report.checks[0].status, CheckStatus::TimedOut);
    let pid = read_pid(&pidfile);
    assert!(wait_dead(pid), "grandchild {pid} survived the timeout");
    let log = std::fs::read_to_string(report.checks[0].log_path.as_ref().unwrap()).unwrap();
    assert!(log.contains("timed out"), "{log}");
}

#[test]
fn background_children_of_a_passing_check_are_killed() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let tmp = tempfile::tempdir().unwrap();
    let pidfile = tmp.path().join("bg.pid");
    let gate = Gate::new(GateConfig::default());
    let mut req = GateRequest::new(&repo.path, "HEAD", PATCH.to_vec());
    req.checks = Some(vec![format!(
        "sleep 300 >/dev/null 2>&1 & echo $! > {}; echo done",
        pidfile.display()
    )]);
    let report = gate.check(&req).unwrap();
    assert!(report.passed(), "{:?}", report.checks);
    assert!(
        wait_dead(read_pid(&pidfile)),
        "background child outlived its check"
    );
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
